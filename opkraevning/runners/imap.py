"""The IMAP runner: keeps an ImapPoller (mailbox.sources.imap) polling until the stop event.

IDLE where the server offers it, polling otherwise; on any error the connection is
dropped and made again with exponential backoff. The loop runs in a thread because
imapclient blocks.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from imapclient import IMAPClient
from sqlalchemy.engine import Engine

from opkraevning.mailbox.oauth2 import TokenSource
from opkraevning.mailbox.sources.imap import ImapPoller
from opkraevning.settings import Settings

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 300.0


def _wait_for_news(poller: ImapPoller, client: IMAPClient, stop: threading.Event) -> None:
    if client.has_capability("IDLE"):
        client.idle()
        try:
            deadline = time.monotonic() + poller.settings.idle_seconds
            while not stop.is_set() and time.monotonic() < deadline:
                if client.idle_check(timeout=1):
                    break
        finally:
            client.idle_done()
    else:
        stop.wait(poller.settings.poll_interval_seconds)


def poll_until(poller: ImapPoller, stop: threading.Event) -> None:
    """Poll until ``stop`` is set; reconnect with exponential backoff on errors."""
    backoff = 1.0
    while not stop.is_set():
        try:
            client = poller.client or poller.connect()
            poller.poll_once(client)
            backoff = 1.0
            _wait_for_news(poller, client, stop)
        except Exception as exc:
            log.warning("IMAP %s: %s; reconnecting in %.0f s", poller.key, exc, backoff)
            poller.close()
            stop.wait(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
    poller.close()


async def run(settings: Settings, engine: Engine, stop: asyncio.Event) -> None:
    if not settings.imap.enabled:
        return
    halt = threading.Event()
    tokens = TokenSource(settings.oauth2) if settings.imap.auth == "oauth2" else None
    poller = ImapPoller(settings.imap, engine, tokens)
    thread = asyncio.create_task(asyncio.to_thread(poll_until, poller, halt))
    log.info("IMAP poller for %s", poller.key)
    await stop.wait()
    halt.set()
    await thread
    if tokens is not None:
        tokens.close()
