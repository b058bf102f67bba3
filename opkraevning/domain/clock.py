"""The one clock: what day (and time) it is in the office's time zone.

Use cases take a ``Clock`` instead of asking the system, so every business date (a
reminder run's day, the day a reminder counts as sent, the day a policy version is
read for) comes from one place and tests can fix it. The entry points build the
system clock from the settings' time zone (``SystemClock(settings.zone)``); tests
pass a ``FixedClock``. Record timestamps (``created_at`` and the like) are UTC
moments, not business dates: they come from ``store.types.utcnow``.

A test (tests/domain/test_clock.py) fails when code elsewhere asks the system for
today's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

# The default of the ``timezone`` setting; used only where no settings reach (defaults
# of library functions that callers with settings override).
DEFAULT_ZONE = ZoneInfo("Europe/Copenhagen")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware, in the office's zone."""
        ...

    def today(self) -> date:
        """Today's date in the office's zone."""
        ...


@dataclass(frozen=True)
class SystemClock:
    """The machine's clock, read in ``zone``."""

    zone: ZoneInfo = DEFAULT_ZONE

    def now(self) -> datetime:
        return datetime.now(self.zone)

    def today(self) -> date:
        return self.now().date()


@dataclass
class FixedClock:
    """A clock that says what it is told (tests, replays, a run for a given day)."""

    moment: datetime

    @classmethod
    def on(cls, day: date, at: time = time(12, 0), zone: ZoneInfo = DEFAULT_ZONE) -> FixedClock:
        return cls(datetime.combine(day, at, tzinfo=zone))

    def now(self) -> datetime:
        return self.moment

    def today(self) -> date:
        return self.moment.date()


SYSTEM_CLOCK: Clock = SystemClock()
