"""The daily scheduler: the reminder run once per day, catching up missed days in order.

A slot is a date. It is due once the configured local time has passed that day. After
downtime every missed slot runs, oldest first (at most ``catch_up_days`` back). Several
instances may call this at once: the run's unique (kind, slot) key lets one run a slot
and the others find it done. Every tick also finishes what an earlier attempt left: a run
cut off while it was recorded is recorded again (it was never committed), and a run's
letters cut off while they were drafted are drafted (``draft_unfinished``).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from opkraevning.app.overview.figures import has_snapshot, keep_figures
from opkraevning.app.reminder.letters import draft_run_letters, draft_unfinished
from opkraevning.app.reminder.run import RUN_KIND, RUN_TABLE, remind
from opkraevning.domain.clock import Clock, SystemClock
from opkraevning.runners.loop import periodic
from opkraevning.settings import Settings

log = logging.getLogger(__name__)


def due_slots(
    last_done: date | None, now: datetime, run_at: time, catch_up_days: int
) -> list[date]:
    """The dates whose run is due at ``now`` (local time), oldest first."""
    latest = now.date() if now.time() >= run_at else now.date() - timedelta(days=1)
    earliest = latest - timedelta(days=catch_up_days - 1)
    start = max(last_done + timedelta(days=1), earliest) if last_done else latest
    return [start + timedelta(days=n) for n in range((latest - start).days + 1)]


def last_done_slot(engine: Engine) -> date | None:
    with engine.connect() as connection:
        slot = connection.execute(
            select(func.max(RUN_TABLE.c.slot)).where(
                RUN_TABLE.c.kind == RUN_KIND, RUN_TABLE.c.state == "done"
            )
        ).scalar()
    return date.fromisoformat(slot) if slot else None


def run_due(engine: Engine, settings: Settings, clock: Clock) -> list[date]:
    """Run every due slot by ``clock``; return the slots this instance recorded."""
    now = clock.now()
    recorded = []
    for slot in due_slots(
        last_done_slot(engine),
        now.astimezone(settings.zone),
        settings.scheduler.remind_at,
        settings.scheduler.catch_up_days,
    ):
        _, run_id = remind(
            engine, slot, settings.policy_file, collect=False, workers=settings.remind_workers
        )
        if run_id is not None:
            drafted = draft_run_letters(engine, run_id, settings.policy_file)
            log.info("reminder run %s recorded for %s; %s letters drafted", run_id, slot, drafted)
            recorded.append(slot)
    for run_id, drafted in draft_unfinished(engine, settings.policy_file).items():
        log.info(
            "reminder run %s: %s letters drafted that an earlier attempt left", run_id, drafted
        )
    if recorded or not has_snapshot(engine, clock.today()):
        keep_figures(engine, clock, settings.policy_file)
    return recorded


async def run(settings: Settings, engine: Engine, stop: asyncio.Event) -> None:
    if not settings.scheduler.enabled:
        return

    clock = SystemClock(settings.zone)

    def work() -> int:
        run_due(engine, settings, clock)
        return 0  # nothing to hurry for: check again after the interval

    await periodic("scheduler", work, settings.scheduler.check_interval_seconds, stop)
