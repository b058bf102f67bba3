"""fee: one fee per letter, none after a dispute, gebyrloven only with udpantningsret."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from opkraevning.assistant.rules.engine import plan_letters
from tests.assistant.rules.cases import CALENDAR, DAY, POLICY, claim, edited_policy, letter, step


def test_fee_one_fee_per_letter_for_several_claims() -> None:
    claims = [claim(id="C1"), claim(id="C2", amount_ore=50_000)]
    [planned] = plan_letters("D1", [(c, step(c)) for c in claims], DAY, POLICY, CALENDAR)
    assert planned.claim_ids == ["C1", "C2"]
    assert planned.fee_ore == 25_000
    assert planned.transfer_notice
    assert "gil-2-4" in planned.legal_refs
    assert planned.deadline == date(2026, 12, 7)  # 10 days, moved off Sunday


def test_fee_none_for_a_disputed_claim() -> None:
    earlier = [letter(date(2026, 10, 1), fee=10_000)]
    fact = claim("erstatningskrav", letters=earlier, was_disputed=True)
    [planned] = plan_letters("D1", [(fact, step(fact))], DAY, POLICY, CALENDAR)
    assert planned.fee_ore == 0


def test_fee_gebyrloven_only_with_udpantningsret(tmp_path: Path) -> None:
    fact = claim("husleje")
    policy = edited_policy(
        tmp_path,
        (
            '[claim_types.husleje]\nregime = "gebyrloven"\nudpantningsret = true',
            '[claim_types.husleje]\nregime = "gebyrloven"\nudpantningsret = false',
        ),
    )
    [with_right] = plan_letters("D1", [(fact, step(fact))], DAY, POLICY, CALENDAR)
    [without] = plan_letters("D1", [(fact, step(fact, DAY, policy))], DAY, policy, CALENDAR)
    assert (with_right.fee_ore, without.fee_ore) == (25_000, 0)


def test_fee_renteloven_budget_is_per_debt_relationship() -> None:
    """Issue 12 item 4: renteloven § 9 b counts fee letters per debt relationship and
    continuous arrears period, not per claim: a new kulturskole claim of a debtor whose
    unpaid kulturskole claim already had three fee letters gets a reminder without a fee."""
    from opkraevning.domain.facts import LetterFact

    def fee_letter(letter_id: int, released: date) -> LetterFact:
        return LetterFact(1, released, released + timedelta(days=10), 10_000, False,
                          "reminder", letter_id)  # fmt: skip

    older = [fee_letter(1, date(2026, 8, 3)), fee_letter(2, date(2026, 9, 1))]
    new = claim("kulturskole", id="C2", due_on=date(2026, 11, 2))
    for used, expected in ((older, 10_000), ([*older, fee_letter(3, date(2026, 11, 20))], 0)):
        old = claim("kulturskole", id="C1", letters=used)
        steps = [(c, step(c)) for c in (old, new)]
        plans = plan_letters("D1", steps, DAY, POLICY, CALENDAR)
        [planned] = [p for p in plans if "C2" in p.claim_ids]
        assert planned.fee_ore == expected, used
