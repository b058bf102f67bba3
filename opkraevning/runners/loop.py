"""What every runner shares: the stop event's contract and the periodic loop.

A runner is ``async def run(settings, engine, stop)``: it runs until ``stop`` is set,
finishes the item in hand and returns. Blocking work goes to a thread so one slow part
never holds up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.engine import Engine

from opkraevning.settings import Settings

log = logging.getLogger(__name__)

Runner = Callable[[Settings, Engine, asyncio.Event], Coroutine[Any, Any, None]]


class ServiceError(RuntimeError):
    """A part of the service could not run (e.g. its port is taken)."""


async def periodic(
    name: str, work: Callable[[], int], interval: float, stop: asyncio.Event
) -> None:
    """Run ``work`` in a thread until it finds nothing, then sleep; stop between rounds."""
    while not stop.is_set():
        try:
            done = await asyncio.to_thread(work)
        except Exception:
            log.exception("%s failed; retrying in %.0f s", name, interval)
            done = 0
        if done:
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
