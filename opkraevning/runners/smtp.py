"""The SMTP runner: our aiosmtpd listener (mailbox.sources.smtp) until the stop event."""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Engine

from opkraevning.mailbox.sources.smtp import start_smtp_server
from opkraevning.settings import Settings


async def run(settings: Settings, engine: Engine, stop: asyncio.Event) -> None:
    server = await start_smtp_server(settings, engine)
    await stop.wait()
    server.close()
    await server.wait_closed()
