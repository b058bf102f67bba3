"""The pipeline worker: takes stored messages through the inbound pipeline, round after round."""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Engine

from opkraevning.app.pipeline import run_parse_stage
from opkraevning.domain.clock import SystemClock
from opkraevning.runners.loop import periodic
from opkraevning.settings import Settings


def work_once(settings: Settings, engine: Engine) -> int:
    """One round; the number of messages it moved on (0: nothing waiting)."""
    result = run_parse_stage(
        engine,
        settings.accepted_recipients,
        policy_path=settings.policy_file,
        clock=SystemClock(settings.zone),
    )
    return result.parsed + result.quarantined


async def run(settings: Settings, engine: Engine, stop: asyncio.Event) -> None:
    await periodic(
        "pipeline worker",
        lambda: work_once(settings, engine),
        settings.worker_interval_seconds,
        stop,
    )
