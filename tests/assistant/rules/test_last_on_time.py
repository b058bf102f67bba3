"""last_on_time: the last on-time payment date, moved to the next bank day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from opkraevning.assistant.rules.engine import last_on_time
from tests.assistant.rules.cases import CALENDAR, POLICY, action, claim


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
    fact = claim(due_on=due)
    assert action(fact, moved_to) == "nothing"  # paying on that day is on time
    assert action(fact, moved_to + timedelta(days=1)) == "remind"


def test_last_on_time_the_friday_after_kristi_himmelfartsdag_is_no_bank_day() -> None:
    """Issue 12 item 11: 15 May 2026 is a bank-closing day (Nationalbanken): a last
    payment date then moves to Monday 18 May, and paying on the 18th is on time."""
    due = date(2026, 5, 15)
    assert last_on_time(due, POLICY, CALENDAR) == date(2026, 5, 18)
    assert action(claim(due_on=due), date(2026, 5, 18)) == "nothing"
    assert action(claim(due_on=due), date(2026, 5, 19)) == "remind"
    assert last_on_time(date(2027, 5, 7), POLICY, CALENDAR) == date(2027, 5, 10)
