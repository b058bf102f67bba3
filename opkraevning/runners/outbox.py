"""The outbox runner: reconciles once at start, then sends due letters (mailbox.outbox)."""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Engine

from opkraevning.mailbox.outbox import outbox_for
from opkraevning.runners.loop import periodic
from opkraevning.settings import Settings


async def run(settings: Settings, engine: Engine, stop: asyncio.Event) -> None:
    if not (settings.relay.enabled or settings.digital_post.can_send):
        return
    outbox = outbox_for(engine, settings)
    await asyncio.to_thread(outbox.reconcile)

    def work() -> int:
        result = outbox.send_due()
        return result.sent + result.failed

    try:
        await periodic("outbox", work, settings.outbox.interval_seconds, stop)
    finally:
        outbox.close()
