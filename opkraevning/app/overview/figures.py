"""The strategy's pejlemærker as figures: computed from the register, kept as daily snapshots.

``figures_on`` computes every level (arrears, their age and type, transferred and kept,
agreements, written off, mail waiting) on one day; ``period_flows`` the flows of a
period (mail received and answered with the answer times in working days, letters
sent by kind and channel, fees charged). ``snapshot`` stores a day's levels once: a
re-run of the same day replaces that day's row (never a second count), and the row
is in the database, so it outlives a restart. ``backfill`` computes the month-ends
before the first snapshot from the register's own dates (due dates and payment
dates); the claims' statuses have no dates, so a back-filled month treats today's
status (paid by a recorded payment excepted) as that month's: the row says
``source = "backfill"`` and the page marks it.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import policy_for
from opkraevning.domain.clock import Clock
from opkraevning.store import overview_queries as oq
from opkraevning.store.db import session_scope
from opkraevning.store.models import ClaimStatus

ANSWER_TARGET_WORKING_DAYS = 5  # BEKRÆFT: the office's own service target for answers


@dataclass(frozen=True)
class Levels:
    """What stands on a day (a snapshot)."""

    day: date
    arrears_ore: int
    arrears_lines: int
    arrears_by_type: dict[str, int]
    arrears_by_age: dict[str, int]
    transferred_count: int
    transferred_ore: int
    kept_preferential_count: int
    kept_preferential_ore: int
    agreements_active: int
    agreements_good_standing: int
    agreements_broken: int
    agreements_paid_ore: int
    written_off_count: int
    written_off_ore: int
    mail_waiting: int

    def as_json(self) -> dict[str, Any]:
        values = asdict(self)
        values["day"] = self.day.isoformat()
        return values

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> Levels:
        return cls(**{**values, "day": date.fromisoformat(values["day"])})


@dataclass(frozen=True)
class Flows:
    """What happened in a period [start, end)."""

    start: date
    end: date
    mail_received: int
    mail_answered: int
    answer_median_days: float | None
    answer_p90_days: float | None
    answer_target_days: int
    letters: dict[str, int] = field(default_factory=dict)  # "kind|channel" -> count
    fees_count: int = 0
    fees_ore: int = 0


def _preferential(day: date, policy_path: Path | None) -> tuple[str, ...]:
    policy = policy_for(day, policy_path)
    return tuple(sorted(k for k, v in policy.claim_types.items() if v.fortrinsberettiget))


def figures_on(session: Session, day: date, policy_path: Path | None = None) -> Levels:
    arrears = oq.arrears(session, day)
    transferred = oq.status_totals(session, ClaimStatus.TRANSFERRED.value)
    kept = oq.kept_preferential(session, day, _preferential(day, policy_path))
    agreements = oq.agreements(session, day)
    written_off = oq.status_totals(session, ClaimStatus.WRITTEN_OFF.value)
    return Levels(
        day,
        arrears.total_ore,
        arrears.lines,
        arrears.by_type,
        arrears.by_age,
        *transferred,
        *kept,
        agreements.active,
        agreements.in_good_standing,
        agreements.broken,
        agreements.paid_ore,
        *written_off,
        oq.mail(session, day, day).waiting_now,
    )


def working_days_between(calendar: BankCalendar, start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (same day: 0)."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        days += calendar.is_bank_day(day)
    return days


def _percentile(values: list[int], share: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1])


def period_flows(
    session: Session, start: date, end: date, zone: Any, policy_path: Path | None = None
) -> Flows:
    mail = oq.mail(session, start, end)
    policy = policy_for(start, policy_path)
    calendar = BankCalendar(policy.calendar.extra_closing_days)
    times = sorted(
        working_days_between(
            calendar, received.astimezone(zone).date(), sent.astimezone(zone).date()
        )
        for received, sent in mail.answer_pairs
    )
    fees = oq.fees_charged(session, start, end)
    letters = {
        f"{kind}|{channel}": n for (kind, channel), n in oq.letters(session, start, end).items()
    }
    return Flows(
        start,
        end,
        mail.received,
        mail.answered,
        float(statistics.median(times)) if times else None,
        _percentile(times, 0.9),
        ANSWER_TARGET_WORKING_DAYS,
        letters,
        *fees,
    )


def snapshot(engine: Engine, clock: Clock, policy_path: Path | None = None) -> Levels:
    """Store today's levels (replacing an earlier snapshot of the same day)."""
    day = clock.today()
    with session_scope(engine) as session:
        levels = figures_on(session, day, policy_path)
        oq.save_snapshot(session, day, levels.as_json(), "daily")
    return levels


def month_ends(first: date, last: date) -> list[date]:
    """The last day of every month from ``first``'s month up to before ``last``."""
    ends: list[date] = []
    cursor = date(first.year, first.month, 1)
    while True:
        following = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        end = following - timedelta(days=1)
        if end >= last:
            return ends
        ends.append(end)
        cursor = following


def backfill(
    engine: Engine, clock: Clock, months: int = 24, policy_path: Path | None = None
) -> int:
    """Compute the month-ends of the last ``months`` months that have no snapshot yet."""
    today = clock.today()
    year, month = today.year, today.month - months
    while month <= 0:
        year, month = year - 1, month + 12
    start = date(year, month, 1)
    written = 0
    with session_scope(engine) as session:
        have = oq.snapshot_days(session)
        earliest = oq.earliest_due(session)
        for end in month_ends(max(start, earliest or today), today):
            if end in have:
                continue
            levels = figures_on(session, end, policy_path)
            oq.save_snapshot(session, end, levels.as_json(), "backfill")
            written += 1
    return written


def history(session: Session) -> list[tuple[Levels, str]]:
    return [(Levels.from_json(values), source) for values, source in oq.snapshots(session)]


def monthly(history_rows: list[tuple[Levels, str]]) -> list[tuple[Levels, str]]:
    """The last snapshot of each month, oldest first."""
    last: dict[tuple[int, int], tuple[Levels, str]] = {}
    for levels, source in sorted(history_rows, key=lambda row: row[0].day):
        last[(levels.day.year, levels.day.month)] = (levels, source)
    return [last[key] for key in sorted(last)]


def now_of(clock: Clock) -> datetime:
    return clock.now()


def has_snapshot(engine: Engine, day: date) -> bool:
    with Session(engine) as session:
        return day in oq.snapshot_days(session)


def keep_figures(engine: Engine, clock: Clock, policy_path: Path | None = None) -> Levels:
    """The daily job's step: today's snapshot, and the month-ends before the first one."""
    with Session(engine) as session:
        first = not oq.snapshot_days(session)
    levels = snapshot(engine, clock, policy_path)
    if first:
        backfill(engine, clock, policy_path=policy_path)
    return levels
