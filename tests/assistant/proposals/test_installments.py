"""Installment proposals and deferral at the policy's boundaries (RULES.md §4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import DEFAULT_POLICY, policy_for
from opkraevning.assistant.proposals.installments import (
    OpenClaim,
    decide_deferral,
    propose_installments,
    tabeltraek_monthly_ore,
)

DAY = date(2026, 11, 27)  # a Friday
POLICY = policy_for(DAY)
CALENDAR = BankCalendar(POLICY.calendar.extra_closing_days)


def _claim(
    ore: int, claim_type: str = "husleje", status: str = "open", cid: str = "C1"
) -> OpenClaim:
    return OpenClaim(cid, claim_type, "2026-000001", ore, status)


def _propose(claims: list[OpenClaim], offer: int | None = None, **kw: object):  # type: ignore[no-untyped-def]
    """``offer`` in whole kroner, as a citizen writes it; the contract takes øre."""
    offer_ore = offer * 100 if offer is not None else None
    return propose_installments(claims, POLICY, DAY, CALENDAR, offer_monthly_ore=offer_ore, **kw)  # type: ignore[arg-type]


def test_offer_at_the_required_amount_is_accepted_one_krone_less_is_countered() -> None:
    # 1.800,00 kr. over at most 18 months → 100 kr. a month (the policy's minimum)
    claims = [_claim(180_000)]
    accepted = _propose(claims, 100)
    assert accepted.decision == "accept"
    assert len(accepted.schedule) == 18
    assert sum(item.amount_ore for item in accepted.schedule) == 180_000
    countered = _propose(claims, 99)
    assert countered.decision == "counter"
    assert countered.reasons == ["offer_below_min_monthly"]
    assert countered.monthly_ore == 10_000


def test_max_months_boundary_rounds_the_required_amount_up_to_whole_50_kr() -> None:
    # 1.800,01 kr. cannot be paid with 100 kr. in 18 months: the next step is 150 kr.
    proposal = _propose([_claim(180_001)], 100)
    assert proposal.decision == "counter"
    assert proposal.reasons == ["offer_too_long"]
    assert proposal.required_ore == 15_000
    assert len(proposal.schedule) <= POLICY.installments.max_months


def test_amount_no_larger_than_one_installment_is_refused() -> None:
    refused = _propose([_claim(10_000)], 50)
    assert refused.decision == "refuse"
    assert refused.reasons == ["below_min_monthly"]
    assert "gil-2-3-klage" in refused.legal_refs  # the refusal says it cannot be appealed
    just_above = _propose([_claim(10_001)], 100)
    assert just_above.decision == "accept"
    # a last installment of 0,01 kr. is folded into the one before it
    assert [item.amount_ore for item in just_above.schedule] == [10_001]


def test_transferred_claims_are_excluded_and_the_reply_points_to_gaeldsstyrelsen() -> None:
    proposal = _propose([_claim(500_000, status="transferred")], 500)
    assert proposal.decision == "refuse"
    assert proposal.reasons == ["nothing_eligible"]
    assert [x.reason for x in proposal.excluded] == ["transferred"]
    assert "gil-3" in proposal.legal_refs
    mixed = _propose([_claim(500_000, status="transferred"), _claim(60_000, cid="C2")], 100)
    assert [claim.id for claim in mixed.claims] == ["C2"]
    assert mixed.total_ore == 60_000


def test_claim_types_excluded_by_policy_are_not_offered(tmp_path: Path) -> None:
    text = DEFAULT_POLICY.read_text(encoding="utf-8").replace(
        "installments_allowed = true    # BEKRÆFT", "installments_allowed = false   # BEKRÆFT"
    )
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    policy = policy_for(DAY, path)
    proposal = propose_installments(
        [_claim(300_000, "daginstitution")], policy, DAY, CALENDAR, offer_monthly_ore=50_000
    )
    assert proposal.decision == "refuse"
    assert [x.reason for x in proposal.excluded] == ["type_excluded"]


def test_interest_accrues_under_the_agreement_and_is_paid_first() -> None:
    proposal = _propose([_claim(475_536, "loenkrav")], 500)
    assert proposal.decision == "accept"
    assert proposal.interest_ore > 0
    paid = sum(item.amount_ore for item in proposal.schedule)
    assert paid == 475_536 + proposal.interest_ore
    first_interest = round(475_536 * Decimal("9.75") / 1200)  # 1/7/2026
    assert proposal.schedule[0].interest_ore == first_interest
    assert "renteloven-5" in proposal.legal_refs
    plain = _propose([_claim(475_536)], 500)
    assert plain.interest_ore == 0


def test_installments_fall_on_bank_days() -> None:
    proposal = _propose([_claim(1_000_000)], 1000)
    assert proposal.first_due_on == date(2026, 12, 11)  # 27/11 + 14 days, a Friday
    for item in proposal.schedule:
        assert CALENDAR.is_bank_day(item.due_on)
    assert date(2027, 4, 12) in [item.due_on for item in proposal.schedule]  # 11/4 is a Sunday


def test_no_offer_gets_the_policy_minimum_as_a_proposal() -> None:
    proposal = _propose([_claim(900_000)])
    assert proposal.decision == "counter"
    assert proposal.reasons == ["no_offer"]
    assert proposal.monthly_ore == 50_000  # 9.000 kr. / 18 = 500 kr.


@pytest.mark.parametrize(
    ("yearly", "children", "pct"),
    [
        (133_589, False, 4), (133_590, False, 5), (133_590, True, 3), (171_309, True, 4),
        (190_189, False, 10), (190_190, False, 11), (194_909, False, 11), (194_910, False, 12),
        (2_000_000, False, 60),
    ],
)  # fmt: skip
def test_tabeltraek_brackets(yearly: int, children: bool, pct: int) -> None:
    table = POLICY.tabeltraek_for(2026)
    assert table.pct_for(Decimal(yearly), children) == pct


def test_tabeltraek_benchmark_rounds_down_to_whole_or_half_hundred() -> None:
    # 22.000 kr. a month = 264.000 a year → 10 % + 16 begun steps = 26 % → 5.720 → 5.700
    assert tabeltraek_monthly_ore(POLICY, DAY, 2_200_000, False) == 570_000
    # 10.000 a month = 120.000 a year → 4 % → 400 kr.
    assert tabeltraek_monthly_ore(POLICY, DAY, 1_000_000, False) == 40_000


def test_benchmark_below_what_policy_needs_goes_to_a_caseworker() -> None:
    proposal = _propose([_claim(1_800_000)], 300, income_monthly_ore=1_000_000)
    assert proposal.decision == "counter"
    assert "benchmark_below_required" in proposal.reasons
    assert proposal.needs_caseworker
    assert "bek-1110-11" in proposal.legal_refs


def test_deferral_within_max_days_is_granted_beyond_is_countered() -> None:
    claims = [_claim(100_000)]
    within = decide_deferral(claims, POLICY, DAY, CALENDAR, date(2026, 12, 24))
    assert within.decision == "accept"
    assert within.until == date(2026, 12, 28)  # 24/12 is no bank day; nor 25–27/12
    limit = decide_deferral(claims, POLICY, DAY, CALENDAR, date(2026, 12, 27))
    assert limit.decision == "accept"  # day 30
    beyond = decide_deferral(claims, POLICY, DAY, CALENDAR, date(2027, 1, 15))
    assert beyond.decision == "counter"
    assert beyond.reasons == ["beyond_max_days"]
    assert beyond.until == date(2026, 12, 28)
    assert "gil-2-3-klage" in beyond.legal_refs
    no_date = decide_deferral(claims, POLICY, DAY, CALENDAR, None)
    assert (no_date.decision, no_date.until) == ("accept", date(2026, 12, 28))
    nothing = decide_deferral([_claim(100_000, status="transferred")], POLICY, DAY, CALENDAR, None)
    assert nothing.decision == "refuse"


def test_a_wished_first_payment_date_is_honoured_within_policy() -> None:
    claims = [_claim(600_000)]
    wished = date(2026, 12, 21)  # a Monday, within deferral.max_days (30) of the decision
    proposal = _propose(claims, 1000, first_payment_on=wished)
    assert proposal.decision == "accept"
    assert proposal.first_due_on == wished
    assert proposal.first_payment_wish == "as_wished"
    too_soon = _propose(claims, 1000, first_payment_on=date(2026, 11, 30))
    assert too_soon.first_due_on is not None and too_soon.first_due_on > date(2026, 11, 30)
    assert too_soon.first_payment_wish == "outside_policy"
    too_late = _propose(claims, 1000, first_payment_on=date(2028, 1, 1))
    assert too_late.first_payment_wish == "outside_policy"
    assert too_late.first_due_on is not None and too_late.first_due_on < date(2027, 3, 1)
