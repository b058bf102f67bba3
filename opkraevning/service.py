"""``opkraevning serve``: runs every configured part of the service in one process.

Today that is the web app; the SMTP listener, IMAP poller, Digital Post source,
pipeline workers, outbox and scheduler join here as they are built. Each part is
an asyncio task; SIGINT/SIGTERM stop them all gracefully.
"""

from __future__ import annotations

import asyncio
import logging

import uvicorn
from sqlalchemy.engine import Engine

from opkraevning.settings import Settings
from opkraevning.web.app import create_app

log = logging.getLogger(__name__)


def web_server(settings: Settings, engine: Engine) -> uvicorn.Server:
    config = uvicorn.Config(
        create_app(settings, engine),
        host=settings.web.host,
        port=settings.web.port,
        log_level="info",
        access_log=False,
        lifespan="on",
    )
    return uvicorn.Server(config)


async def serve(settings: Settings, engine: Engine) -> None:
    server = web_server(settings, engine)
    log.info("web app on http://%s:%d/", settings.web.host, settings.web.port)
    await server.serve()
    log.info("stopped")


def run(settings: Settings, engine: Engine) -> None:
    """Run until SIGINT/SIGTERM; a requested stop is a clean exit, not an error."""
    try:
        asyncio.run(serve(settings, engine))
    except KeyboardInterrupt:  # uvicorn re-raises the signal once it has shut down
        log.info("stopped by signal")
