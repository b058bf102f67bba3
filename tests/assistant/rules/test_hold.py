"""hold: dispute, deferral, estate, manual hold, an agreement in good standing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from opkraevning.domain.facts import AgreementFact, HoldFact
from tests.assistant.rules.cases import DAY, action, claim, step


@pytest.mark.parametrize(
    "hold",
    [
        HoldFact("dispute"),
        HoldFact("deferral", until=DAY),
        HoldFact("estate"),
        HoldFact("manual"),
    ],
)
def test_hold_stops_reminders_with_its_reason(hold: HoldFact) -> None:
    held = step(claim(holds=[hold]))
    assert held.action == "hold"
    assert hold.reason in held.reason


def test_hold_deferral_ends_after_its_date() -> None:
    assert action(claim(holds=[HoldFact("deferral", until=DAY - timedelta(days=1))])) == "remind"


def test_hold_agreement_in_good_standing_and_broken() -> None:
    good = AgreementFact("active", date(2026, 10, 5), DAY + timedelta(days=3), None)
    assert action(claim(status="in_agreement", agreement=good)) == "hold"
    missed = AgreementFact("active", date(2026, 10, 5), date(2026, 11, 2), None)
    assert action(claim(status="in_agreement", agreement=missed)) == "remind"


def test_hold_in_agreement_in_the_register_without_our_agreement() -> None:
    """Issue 12 item 8: an agreement made outside the system is still an agreement: the
    claim is held (listed for a caseworker to record it), not dunned with a fee."""
    held = step(claim(status="in_agreement"))
    assert held.action == "hold" and "no agreement recorded" in held.reason
    assert action(claim(status="open")) == "remind"
