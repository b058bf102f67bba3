"""Danish bank days: not Saturday or Sunday, not a public holiday, not the policy's
extra closing days: fixed ones as "MM-DD" (Grundlovsdag 5/6, 24/12, 31/12) and ones
that follow Easter as "easter+N" (the Friday after Kristi himmelfartsdag is
"easter+40"; Nationalbanken, banklukkedage). RULES.md §7."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DK", years=year))


def easter_sunday(year: int) -> date:
    """Easter Sunday (Gregorian; the anonymous algorithm of Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def easter_offset(value: str) -> int | None:
    """N of an "easter+N" closing day, None for a fixed "MM-DD" one."""
    if value.startswith("easter+"):
        return int(value.removeprefix("easter+"))
    return None


@lru_cache(maxsize=64)
def _easter_days(year: int, offsets: tuple[int, ...]) -> frozenset[date]:
    easter = easter_sunday(year)
    return frozenset(easter + timedelta(days=offset) for offset in offsets)


class BankCalendar:
    """Answers are kept per date: a run asks the same few thousand dates a million times."""

    def __init__(self, extra_closing_days: list[str]) -> None:
        self.extra = frozenset(day for day in extra_closing_days if easter_offset(day) is None)
        self.offsets = tuple(
            offset for day in extra_closing_days if (offset := easter_offset(day)) is not None
        )
        self._bank_day: dict[date, bool] = {}
        self._next: dict[date, date] = {}
        self._weekday: dict[date, date] = {}

    def is_bank_day(self, day: date) -> bool:
        known = self._bank_day.get(day)
        if known is None:
            known = self._bank_day[day] = (
                day.weekday() < 5
                and day not in _public_holidays(day.year)
                and f"{day.month:02d}-{day.day:02d}" not in self.extra
                and day not in _easter_days(day.year, self.offsets)
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

    def next_weekday(self, day: date) -> date:
        """``day``, or the next day that is not a weekend, a public holiday or a fixed
        extra closing day: forældelsesloven § 27, stk. 2 names weekends, holidays,
        Grundlovsdag, 24/12 and 31/12 — not the Friday after Kristi himmelfartsdag."""
        found = self._weekday.get(day)
        if found is None:
            found = day
            while (
                found.weekday() >= 5
                or found in _public_holidays(found.year)
                or f"{found.month:02d}-{found.day:02d}" in self.extra
            ):
                found += timedelta(days=1)
            self._weekday[day] = found
        return found

    def add_bank_days(self, day: date, count: int) -> date:
        while count > 0:
            day += timedelta(days=1)
            count -= self.is_bank_day(day)
        return day
