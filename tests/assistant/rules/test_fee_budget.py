"""fee_budget: the regime's number of fee letters; then the procedure is done."""

from __future__ import annotations

from datetime import date

from tests.assistant.rules.cases import action, claim, letter, step


def test_fee_budget_third_yes_fourth_no() -> None:
    two = [letter(date(2026, 10, 1), fee=10_000), letter(date(2026, 10, 20), fee=10_000)]
    third = step(claim("kulturskole", letters=two))
    assert (third.action, third.number) == ("remind", 3)
    three = [*two, letter(date(2026, 11, 5), fee=10_000)]
    assert action(claim("kulturskole", letters=three)) == "transfer"  # no 4th fee letter


def test_fee_budget_gebyrloven_is_one_then_transfer() -> None:
    one = [letter(date(2026, 11, 1))]
    assert action(claim("husleje", letters=one)) == "transfer"


def test_fee_budget_a_dispute_decided_against_the_citizen_resumes_and_ends() -> None:
    """Issue 12 item 3: after a dispute the letters carry no fee, but they still count:
    the procedure ends after the third reminder and the claim is transferred."""
    fee_letter = letter(date(2026, 9, 1), fee=10_000, notice=False)
    second = letter(date(2026, 10, 1), fee=0, notice=False, number=2)
    third = letter(date(2026, 11, 2), fee=0, notice=True, number=3)
    resumed = claim("erstatningskrav", letters=[fee_letter, second], was_disputed=True)
    assert (step(resumed).action, step(resumed).number) == ("remind", 3)
    done = claim("erstatningskrav", letters=[fee_letter, second, third], was_disputed=True)
    assert action(done) == "transfer"  # before: a 4th, 5th … fee-less reminder for ever
