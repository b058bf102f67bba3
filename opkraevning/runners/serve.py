"""``opkraevning serve``: starts the configured runners in one process and owns the signals.

Each runner (one per file in this package: web, smtp, worker, imap, digital_post,
outbox, scheduler) is an asyncio task. SIGINT/SIGTERM set one stop event; every runner
finishes the item in hand and returns, and the process exits 0. A runner that fails
stops the others and the service reports which one.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from sqlalchemy.engine import Engine

from opkraevning.runners import digital_post, imap, outbox, scheduler, smtp, web, worker
from opkraevning.runners.loop import Runner, ServiceError
from opkraevning.settings import Settings

__all__ = ["ALL_PARTS", "ServiceError", "run", "serve"]

log = logging.getLogger(__name__)

RUNNERS: dict[str, Runner] = {
    "web": web.run,
    "smtp": smtp.run,
    "worker": worker.run,
    "imap": imap.run,
    "digital_post": digital_post.run,
    "outbox": outbox.run,
    "scheduler": scheduler.run,
}
ALL_PARTS = tuple(RUNNERS)


async def serve(settings: Settings, engine: Engine, only: tuple[str, ...] = ALL_PARTS) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    names = [name for name in ALL_PARTS if name in only]
    log.info("starting: %s", ", ".join(names))
    tasks: list[asyncio.Task[None]] = [
        asyncio.create_task(RUNNERS[name](settings, engine, stop), name=name) for name in names
    ]
    done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    failed = [task for task in done if task.exception() is not None]
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    if failed:
        first = failed[0]
        raise ServiceError(f"{first.get_name()}: {first.exception()}")
    log.info("stopped")


def run(settings: Settings, engine: Engine, only: tuple[str, ...] = ALL_PARTS) -> None:
    asyncio.run(serve(settings, engine, only))
