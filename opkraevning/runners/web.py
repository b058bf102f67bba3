"""The web runner: the FastAPI app under uvicorn until the stop event."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

import uvicorn
from sqlalchemy.engine import Engine

from opkraevning.runners.loop import ServiceError
from opkraevning.settings import Settings
from opkraevning.web.app import create_app

log = logging.getLogger(__name__)


class _WebServer(uvicorn.Server):
    """uvicorn without its own signal handling: serve owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def uvicorn_config(settings: Settings, engine: Engine) -> uvicorn.Config:
    """``log_config=None``: uvicorn installs no handlers of its own, so its lines (and the
    traceback of an unhandled error) go through our JSON logger, CPR masked."""
    return uvicorn.Config(
        create_app(settings, engine),
        host=settings.web.host,
        port=settings.web.port,
        log_level="warning",
        log_config=None,
        access_log=False,
        lifespan="on",
    )


async def run(settings: Settings, engine: Engine, stop: asyncio.Event) -> None:
    server = _WebServer(uvicorn_config(settings, engine))
    task = asyncio.create_task(server.serve())
    log.info("web app on http://%s:%d/", settings.web.host, settings.web.port)
    await asyncio.wait([task, asyncio.create_task(stop.wait())], return_when="FIRST_COMPLETED")
    server.should_exit = True
    await task
    if server.started is False and not stop.is_set():
        raise ServiceError(f"web app could not listen on {settings.web.host}:{settings.web.port}")
