"""The IMAP runner's loop against a real Dovecot: IDLE, and reconnecting after a restart."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import func, select
from sqlmodel import Session

from opkraevning.mailbox.sources.imap import ImapPoller
from opkraevning.runners.imap import poll_until
from opkraevning.store.models import InboundMessage
from tests.conftest import Database
from tests.helpers import Worker
from tests.mailbox.dovecot import Mailbox
from tests.mailbox.sources.test_imap import deliver, imap_settings, stored_messages


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_idle_picks_up_new_mail_and_reconnects_after_server_restart(
    database: Database, imap: Mailbox
) -> None:
    poller = ImapPoller(imap_settings(imap), database.engine)
    stop = threading.Event()
    thread = Worker(poll_until, poller, stop)
    thread.start()
    try:
        deliver(imap, 1)
        assert _wait_for(lambda: len(stored_messages(database)) == 1, 10)
        imap.stop()
        imap.start()
        deliver(imap, 2)
        assert _wait_for(lambda: len(stored_messages(database)) == 2, 20)
    finally:
        stop.set()
        thread.finish(timeout=15)
    with Session(database.engine) as session:
        total = session.execute(select(func.count()).select_from(InboundMessage)).scalar_one()
    assert total == 2
