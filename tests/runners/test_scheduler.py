from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from opkraevning.domain.clock import FixedClock
from opkraevning.runners.scheduler import due_slots, run_due
from opkraevning.settings import load_settings
from opkraevning.store.models import DailyFigures, ScheduledRun
from tests.conftest import Database

CPH = ZoneInfo("Europe/Copenhagen")
SIX = time(6, 0)


def test_a_slot_is_due_once_its_time_has_passed() -> None:
    assert due_slots(None, datetime(2026, 11, 27, 5, 59, tzinfo=CPH), SIX, 31) == [
        date(2026, 11, 26)
    ]
    assert due_slots(None, datetime(2026, 11, 27, 6, 0, tzinfo=CPH), SIX, 31) == [
        date(2026, 11, 27)
    ]
    done = date(2026, 11, 27)
    assert due_slots(done, datetime(2026, 11, 27, 23, 0, tzinfo=CPH), SIX, 31) == []


def test_missed_days_are_caught_up_in_order_within_the_limit() -> None:
    now = datetime(2026, 11, 27, 7, 0, tzinfo=CPH)
    assert due_slots(date(2026, 11, 24), now, SIX, 31) == [
        date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27),
    ]  # fmt: skip
    assert due_slots(date(2026, 1, 1), now, SIX, 3)[0] == date(2026, 11, 25)


def at(day: int, hour: int) -> FixedClock:
    return FixedClock(datetime(2026, 11, day, hour, 0, tzinfo=CPH))


def test_run_due_records_each_slot_once(dev_database: Database) -> None:
    settings = load_settings(database_url=dev_database.url)
    first = run_due(dev_database.engine, settings, at(25, 7))
    assert first == [date(2026, 11, 25)]
    later = run_due(dev_database.engine, settings, at(27, 7))
    assert later == [date(2026, 11, 26), date(2026, 11, 27)]
    assert run_due(dev_database.engine, settings, at(27, 9)) == []
    with Session(dev_database.engine) as session:
        slots = sorted(session.execute(select(col(ScheduledRun.slot))).scalars())
    assert slots == ["2026-11-25", "2026-11-26", "2026-11-27"]
    with Session(dev_database.engine) as session:  # the daily job kept the day's figures
        kept = {row.day: row.source for row in session.execute(select(DailyFigures)).scalars()}
    assert kept[date(2026, 11, 25)] == kept[date(2026, 11, 27)] == "daily"
    assert kept[date(2026, 10, 31)] == "backfill"  # the month-ends before the first day
