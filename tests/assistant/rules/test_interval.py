"""interval: a new letter only after the previous deadline and at least 10 days later."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opkraevning.domain.facts import LetterFact
from tests.assistant.rules.cases import DAY, action, claim


@pytest.mark.parametrize(("days", "expected"), [(9, "wait"), (10, "remind")])
def test_interval_9_and_10_days(days: int, expected: str) -> None:
    released = DAY - timedelta(days=days)
    previous = LetterFact(
        1, released, released + timedelta(days=5), 10_000, True
    )  # deadline passed
    fact = claim("juniorklub", letters=[previous])  # renteloven: up to 3 fee letters
    assert action(fact) == expected


def test_interval_waits_for_the_previous_deadline() -> None:
    released = DAY - timedelta(days=12)
    previous = LetterFact(1, released, DAY, 10_000, True)  # deadline today: not passed
    assert action(claim("juniorklub", letters=[previous])) == "wait"
