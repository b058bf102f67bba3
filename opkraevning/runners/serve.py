"""``opkraevning serve``: runs every configured part of the service in one process.

Parts: the web app, the SMTP listener, the pipeline worker, and (when configured)
the IMAP poller, the Digital Post sources and the outbox. Each is an asyncio task
or a thread; SIGINT/SIGTERM set one stop event, every part finishes the message in
hand and returns, and the process exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import uvicorn
from sqlalchemy.engine import Engine

from opkraevning.settings import Settings
from opkraevning.web.app import create_app

log = logging.getLogger(__name__)

ALL_PARTS = ("web", "smtp", "worker", "imap", "digital_post", "outbox", "scheduler")


class ServiceError(RuntimeError):
    """A part of the service could not run (e.g. its port is taken)."""


class _WebServer(uvicorn.Server):
    """uvicorn without its own signal handling: the service owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _run_web(settings: Settings, engine: Engine, stop: asyncio.Event) -> None:
    config = uvicorn.Config(
        create_app(settings, engine),
        host=settings.web.host,
        port=settings.web.port,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    server = _WebServer(config)
    task = asyncio.create_task(server.serve())
    log.info("web app on http://%s:%d/", settings.web.host, settings.web.port)
    await asyncio.wait([task, asyncio.create_task(stop.wait())], return_when="FIRST_COMPLETED")
    server.should_exit = True
    await task
    if server.started is False and not stop.is_set():
        raise ServiceError(f"web app could not listen on {settings.web.host}:{settings.web.port}")


async def _run_smtp(settings: Settings, engine: Engine, stop: asyncio.Event) -> None:
    from opkraevning.mailbox.sources.smtp import start_smtp_server

    server = await start_smtp_server(settings, engine)
    await stop.wait()
    server.close()
    await server.wait_closed()


async def _periodic(
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


async def _run_worker(settings: Settings, engine: Engine, stop: asyncio.Event) -> None:
    from opkraevning.app.pipeline import run_parse_stage

    def work() -> int:
        result = run_parse_stage(
            engine, settings.accepted_recipients, policy_path=settings.policy_file
        )
        return result.parsed + result.quarantined

    await _periodic("pipeline worker", work, settings.worker_interval_seconds, stop)


async def _run_imap(settings: Settings, engine: Engine, stop: asyncio.Event) -> None:
    from opkraevning.mailbox.sources.imap import ImapPoller

    if not settings.imap.enabled:
        return
    halt = threading.Event()
    poller = ImapPoller(settings.imap, engine)
    thread = asyncio.create_task(asyncio.to_thread(poller.run, halt))
    log.info("IMAP poller for %s", poller.key)
    await stop.wait()
    halt.set()
    await thread


async def _run_digital_post(settings: Settings, engine: Engine, stop: asyncio.Event) -> None:
    from opkraevning.mailbox.sources.digital_post import NgdpClient, poll_drop_dir

    config = settings.digital_post
    if not config.enabled:
        return
    client = NgdpClient(config.api_url, config.api_token) if config.api_url else None

    def work() -> int:
        found = 0
        if config.drop_dir is not None:
            config.drop_dir.mkdir(parents=True, exist_ok=True)
            found += poll_drop_dir(engine, config.drop_dir).stored
        if client is not None:
            found += client.pull_once(engine).stored
        return found

    try:
        await _periodic("Digital Post", work, config.poll_interval_seconds, stop)
    finally:
        if client is not None:
            client.close()


async def _run_outbox(settings: Settings, engine: Engine, stop: asyncio.Event) -> None:
    from opkraevning.mailbox.outbox import outbox_for

    if not (settings.relay.enabled or settings.digital_post.can_send):
        return
    outbox = outbox_for(engine, settings)
    await asyncio.to_thread(outbox.reconcile)

    def work() -> int:
        result = outbox.send_due()
        return result.sent + result.failed

    try:
        await _periodic("outbox", work, settings.outbox.interval_seconds, stop)
    finally:
        outbox.close()


async def _run_scheduler(settings: Settings, engine: Engine, stop: asyncio.Event) -> None:
    from opkraevning.runners.scheduler import run_due

    if not settings.scheduler.enabled:
        return

    def work() -> int:
        run_due(engine, settings)
        return 0  # nothing to hurry for: check again after the interval

    await _periodic("scheduler", work, settings.scheduler.check_interval_seconds, stop)


Part = Callable[[Settings, Engine, asyncio.Event], Coroutine[Any, Any, None]]


def _parts() -> dict[str, Part]:
    return {
        "web": _run_web,
        "smtp": _run_smtp,
        "worker": _run_worker,
        "imap": _run_imap,
        "digital_post": _run_digital_post,
        "outbox": _run_outbox,
        "scheduler": _run_scheduler,
    }


async def serve(settings: Settings, engine: Engine, only: tuple[str, ...] = ALL_PARTS) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    runners = {name: run for name, run in _parts().items() if name in only}
    log.info("starting: %s", ", ".join(runners))
    tasks: list[asyncio.Task[None]] = [
        asyncio.create_task(run(settings, engine, stop), name=name) for name, run in runners.items()
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
