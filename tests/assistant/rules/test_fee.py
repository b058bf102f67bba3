"""fee: one fee per letter, none after a dispute, gebyrloven only with udpantningsret."""

from __future__ import annotations

from datetime import date
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
