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
from collections.abc import Callable

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

# The optional parts: when each one runs, and what to set when it does not.
OPTIONAL: dict[str, tuple[Callable[[Settings], bool], str]] = {
    "imap": (lambda s: s.imap.enabled, "not configured (OPKRAEVNING_IMAP__HOST)"),
    "digital_post": (
        lambda s: s.digital_post.enabled,
        "not configured (OPKRAEVNING_DIGITAL_POST__DROP_DIR or __API_URL)",
    ),
    "outbox": (
        lambda s: s.relay.enabled or s.digital_post.can_send,
        "not configured (OPKRAEVNING_RELAY__HOST, or DIGITAL_POST__OUTBOX_DIR or __SEND_URL)",
    ),
    "scheduler": (lambda s: s.scheduler.enabled, "disabled (OPKRAEVNING_SCHEDULER__ENABLED)"),
}


def parts_to_start(settings: Settings, only: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The parts that will run, and a line for each chosen part that will not (and why)."""
    running, skipped = [], []
    for name in ALL_PARTS:
        if name not in only:
            continue
        enabled, why = OPTIONAL.get(name, (lambda s: True, ""))
        if enabled(settings):
            running.append(name)
        else:
            skipped.append(f"{name}: {why}")
    return running, skipped


def startup_checks(settings: Settings, engine: Engine, only: tuple[str, ...]) -> None:
    """The same checks as ``opkraevning doctor``, logged; a failed one does not stop the
    start (the relay may come back, the outbox retries), but it is logged as an error."""
    from opkraevning.app.doctor import Status, run_checks

    levels = {Status.OK: logging.INFO, Status.WARNING: logging.WARNING, Status.ERROR: logging.ERROR}
    for check in run_checks(settings, engine, parts=only):
        log.log(levels[check.status], "check %s", check.line())


async def serve(settings: Settings, engine: Engine, only: tuple[str, ...] = ALL_PARTS) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    names, skipped = parts_to_start(settings, only)
    log.info("starting: %s", ", ".join(names))
    for line in skipped:
        log.info("not started: %s", line)
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
    startup_checks(settings, engine, only)
    asyncio.run(serve(settings, engine, only))
