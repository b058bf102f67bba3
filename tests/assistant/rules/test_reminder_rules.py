"""One test per rule, named after it, at its boundaries (RULES.md; policy_default.toml)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import policy_for
from opkraevning.assistant.rules.engine import (
    expiry_date,
    interest_due,
    last_on_time,
    plan_letters,
    step_for_claim,
)
from opkraevning.domain.facts import AgreementFact, ClaimFact, HoldFact, LetterFact

POLICY = policy_for(date(2026, 11, 27))
CALENDAR = BankCalendar(POLICY.calendar.extra_closing_days)
DAY = date(2026, 11, 27)  # a Friday


def _claim(claim_type: str = "husleje", **fields: object) -> ClaimFact:
    values: dict[str, object] = {
        "id": "C1",
        "debtor_id": "D1",
        "claim_type": claim_type,
        "amount_ore": 300_000,
        "paid_ore": 0,
        "due_on": date(2026, 10, 1),
        "status": "open",
    }
    values.update(fields)
    return ClaimFact(**values)  # type: ignore[arg-type]


def _letter(
    released: date, *, fee: int = 25_000, number: int = 1, notice: bool = True
) -> LetterFact:
    return LetterFact(number, released, released + timedelta(days=10), fee, notice)


def _step(claim: ClaimFact, day: date = DAY) -> str:
    return step_for_claim(claim, day, POLICY, CALENDAR).action


@pytest.mark.parametrize(
    ("due", "moved_to"),
    [
        (date(2026, 11, 28), date(2026, 11, 30)),  # Saturday → Monday
        (date(2026, 6, 5), date(2026, 6, 8)),  # Grundlovsdag (Friday) → Monday
        (date(2026, 12, 24), date(2026, 12, 28)),  # 24/12, 25/12, 26/12, Sunday
        (date(2026, 11, 27), date(2026, 11, 27)),  # a bank day stays
    ],
)
def test_last_on_time_moves_to_the_next_bank_day(due: date, moved_to: date) -> None:
    assert last_on_time(due, POLICY, CALENDAR) == moved_to
    claim = _claim(due_on=due)
    assert _step(claim, moved_to) == "nothing"  # paying on that day is on time
    assert _step(claim, moved_to + timedelta(days=1)) == "remind"


@pytest.mark.parametrize(("remaining", "action"), [(2_499, "nothing"), (2_500, "remind")])
def test_min_reminder_amount_24_99_and_25_00(remaining: int, action: str) -> None:
    assert _step(_claim(amount_ore=remaining)) == action


@pytest.mark.parametrize(("days", "action"), [(9, "wait"), (10, "remind")])
def test_min_interval_9_and_10_days(days: int, action: str) -> None:
    released = DAY - timedelta(days=days)
    previous = LetterFact(
        1, released, released + timedelta(days=5), 10_000, True
    )  # deadline passed
    claim = _claim("juniorklub", letters=[previous])  # renteloven: up to 3 fee letters
    assert _step(claim) == action


def test_max_fee_letters_third_yes_fourth_no() -> None:
    two = [_letter(date(2026, 10, 1), fee=10_000), _letter(date(2026, 10, 20), fee=10_000)]
    third = step_for_claim(_claim("kulturskole", letters=two), DAY, POLICY, CALENDAR)
    assert (third.action, third.number) == ("remind", 3)
    three = [*two, _letter(date(2026, 11, 5), fee=10_000)]
    assert _step(_claim("kulturskole", letters=three)) == "transfer"  # no 4th fee letter


def test_max_fee_letters_gebyrloven_is_one_then_transfer() -> None:
    one = [_letter(date(2026, 11, 1))]
    assert _step(_claim("husleje", letters=one)) == "transfer"


@pytest.mark.parametrize(("total", "action"), [(9_999, "nothing"), (10_000, "transfer")])
def test_transfer_threshold_99_99_and_100_00(total: int, action: str) -> None:
    claim = _claim(
        amount_ore=total - 2_500, unpaid_fees_ore=2_500, letters=[_letter(date(2026, 11, 1))]
    )
    assert _step(claim) == action


def test_transfer_needs_the_notice_and_the_deadline_passed() -> None:
    without_notice = _claim(letters=[_letter(date(2026, 11, 1), notice=False)])
    assert _step(without_notice) == "nothing"
    recent = _claim(letters=[_letter(date(2026, 11, 20))])  # deadline 30/11 not passed
    assert _step(recent) == "wait"


def test_transfer_never_for_fortrinsberettigede_krav() -> None:
    claim = _claim("ejendomsskat", letters=[_letter(date(2026, 11, 1))], amount_ore=5_000_000)
    assert _step(claim) == "own_collection"


@pytest.mark.parametrize(
    "hold",
    [
        HoldFact("dispute"),
        HoldFact("deferral", until=DAY),
        HoldFact("estate"),
        HoldFact("manual"),
    ],
)
def test_holds_stop_reminders_with_their_reason(hold: HoldFact) -> None:
    step = step_for_claim(_claim(holds=[hold]), DAY, POLICY, CALENDAR)
    assert step.action == "hold"
    assert hold.reason in step.reason


def test_holds_deferral_ends_after_its_date() -> None:
    assert _step(_claim(holds=[HoldFact("deferral", until=DAY - timedelta(days=1))])) == "remind"


def test_holds_agreement_in_good_standing_and_broken() -> None:
    good = AgreementFact("active", date(2026, 10, 5), DAY + timedelta(days=3), None)
    assert _step(_claim(status="in_agreement", agreement=good)) == "hold"
    missed = AgreementFact("active", date(2026, 10, 5), date(2026, 11, 2), None)
    assert _step(_claim(status="in_agreement", agreement=missed)) == "remind"


def test_fee_one_fee_per_letter_for_several_claims() -> None:
    claims = [_claim(id="C1"), _claim(id="C2", amount_ore=50_000)]
    steps = [(claim, step_for_claim(claim, DAY, POLICY, CALENDAR)) for claim in claims]
    [letter] = plan_letters("D1", steps, DAY, POLICY, CALENDAR)
    assert letter.claim_ids == ["C1", "C2"]
    assert letter.fee_ore == 25_000
    assert letter.transfer_notice
    assert "gil-2-4" in letter.legal_refs
    assert letter.deadline == date(2026, 12, 7)  # 10 days, moved off Sunday


def test_fee_none_for_a_disputed_claim() -> None:
    earlier = [_letter(date(2026, 10, 1), fee=10_000)]
    claim = _claim("erstatningskrav", letters=earlier, was_disputed=True)
    steps = [(claim, step_for_claim(claim, DAY, POLICY, CALENDAR))]
    [letter] = plan_letters("D1", steps, DAY, POLICY, CALENDAR)
    assert letter.fee_ore == 0


def test_foraeldelse_exactly_three_years_and_moved_by_acknowledgement() -> None:
    claim = _claim(due_on=date(2023, 11, 27))
    expiry, basis = expiry_date(claim, POLICY, CALENDAR)
    assert (expiry, basis) == (date(2026, 11, 27), "forfaldsdato")
    saturday = _claim(due_on=date(2023, 11, 28))  # 28/11/2026 is a Saturday
    assert expiry_date(saturday, POLICY, CALENDAR)[0] == date(2026, 11, 30)
    signed = replace(claim, agreement=AgreementFact("active", date(2024, 3, 1), None, None))
    assert expiry_date(signed, POLICY, CALENDAR) == (date(2034, 3, 1), "skriftlig erkendelse")


def test_interest_continues_under_an_agreement() -> None:
    agreement = AgreementFact("active", date(2026, 10, 5), DAY + timedelta(days=3), None)
    claim = _claim("loenkrav", status="in_agreement", agreement=agreement,
                   due_on=date(2026, 1, 1), amount_ore=1_000_000)  # fmt: skip
    posting = interest_due(claim, date(2026, 12, 31), POLICY)
    assert posting is not None
    start, end, rate, amount = posting
    assert (start, end, rate) == (date(2026, 1, 1), date(2026, 12, 31), Decimal("9.60"))
    assert amount == round(1_000_000 * Decimal("0.096") * 364 / 365)
    assert interest_due(_claim("husleje"), DAY, POLICY) is None  # not interest-bearing


def test_agreement_breach_one_reminder_then_transfer_without_further_notice() -> None:
    missed = AgreementFact("active", date(2026, 9, 1), date(2026, 11, 2), None)
    claim = _claim("juniorklub", status="in_agreement", agreement=missed)
    assert _step(claim) == "remind"  # the breach reminder
    breach = LetterFact(1, date(2026, 11, 10), date(2026, 11, 20), 10_000, True, "breach_reminder")
    claim.letters = [breach]
    assert _step(claim, date(2026, 11, 20)) == "wait"  # its deadline has not passed
    assert _step(claim) == "transfer"  # renteloven has fee budget left, but no 2nd series


def test_interest_is_split_by_half_year_and_nothing_before_the_first_rate() -> None:
    claim = _claim("loenkrav", due_on=date(2023, 12, 1), amount_ore=1_000_000)
    posting = interest_due(claim, date(2024, 7, 31), POLICY)
    assert posting is not None
    start, end, rate, amount = posting
    assert (start, end) == (date(2024, 1, 1), date(2024, 7, 31))  # no confirmed rate before 2024
    expected = 1_000_000 * (Decimal("0.1175") * 182 + Decimal("0.1160") * 30) / 365
    assert amount == int(expected.to_integral_value())
    assert rate == Decimal("11.60")
