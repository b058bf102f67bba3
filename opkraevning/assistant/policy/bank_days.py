"""Danish bank days: not Saturday or Sunday, not a public holiday, not the policy's
extra closing days (Grundlovsdag 5/6, 24/12, 31/12). RULES.md §7."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DK", years=year))


class BankCalendar:
    """Answers are kept per date: a run asks the same few thousand dates a million times."""

    def __init__(self, extra_closing_days: list[str]) -> None:
        self.extra = frozenset(extra_closing_days)
        self._bank_day: dict[date, bool] = {}
        self._next: dict[date, date] = {}

    def is_bank_day(self, day: date) -> bool:
        known = self._bank_day.get(day)
        if known is None:
            known = self._bank_day[day] = (
                day.weekday() < 5
                and day not in _public_holidays(day.year)
                and f"{day.month:02d}-{day.day:02d}" not in self.extra
            )
        return known

    def on_or_after(self, day: date) -> date:
        """``day`` if it is a bank day, else the next one (a deadline on a Saturday moves)."""
        found = self._next.get(day)
        if found is None:
            found = day
            while not self.is_bank_day(found):
                found += timedelta(days=1)
            self._next[day] = found
        return found

    def add_bank_days(self, day: date, count: int) -> date:
        while count > 0:
            day += timedelta(days=1)
            count -= self.is_bank_day(day)
        return day
