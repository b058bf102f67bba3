"""The Digital Post runner: polls the drop folder and the NgDP API (mailbox.sources)."""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Engine

from opkraevning.mailbox.sources.digital_post import DropDirectory, NgdpClient
from opkraevning.runners.loop import periodic
from opkraevning.settings import Settings


async def run(settings: Settings, engine: Engine, stop: asyncio.Event) -> None:
    config = settings.digital_post
    if not config.enabled:
        return
    client = NgdpClient(config.api_url, config.api_token) if config.api_url else None
    drop = DropDirectory(config.drop_dir, config.max_memo_bytes) if config.drop_dir else None

    def work() -> int:
        found = 0
        if drop is not None:
            drop.directory.mkdir(parents=True, exist_ok=True)
            found += drop.poll(engine).stored
        if client is not None:
            found += client.pull_once(engine).stored
        return found

    try:
        await periodic("Digital Post", work, config.poll_interval_seconds, stop)
    finally:
        if client is not None:
            client.close()
