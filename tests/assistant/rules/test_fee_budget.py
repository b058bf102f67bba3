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
