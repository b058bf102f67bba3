"""transfer: after the procedure, with the notice, identified, at least 100 kr."""

from __future__ import annotations

from datetime import date

import pytest

from tests.assistant.rules.cases import action, claim, letter, step


@pytest.mark.parametrize(("total", "expected"), [(9_999, "nothing"), (10_000, "transfer")])
def test_transfer_threshold_99_99_and_100_00(total: int, expected: str) -> None:
    fact = claim(
        amount_ore=total - 2_500, unpaid_fees_ore=2_500, letters=[letter(date(2026, 11, 1))]
    )
    assert action(fact) == expected


def test_transfer_needs_the_notice_and_the_deadline_passed() -> None:
    without_notice = claim(letters=[letter(date(2026, 11, 1), notice=False)])
    assert action(without_notice) == "nothing"
    recent = claim(letters=[letter(date(2026, 11, 20))])  # deadline 30/11 not passed
    assert action(recent) == "wait"


def test_transfer_needs_cpr_or_cvr() -> None:
    unknown = step(claim(letters=[letter(date(2026, 11, 1))], has_identity=False))
    assert (unknown.action, unknown.reason) == ("nothing", "CPR/CVR missing: cannot be transferred")
