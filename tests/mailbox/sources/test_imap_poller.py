from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.policy import SMTP

import pytest
from sqlalchemy import func, select, update
from sqlmodel import Session

from opkraevning.mailbox.sources.imap import ImapPoller
from opkraevning.settings import ImapSettings
from opkraevning.store.models import InboundMessage, MailboxCursor
from tests.conftest import Database
from tests.mailbox.dovecot import PASSWORD, USER, Dovecot, dovecot

KEYWORD = "$Opkraevning"


@pytest.fixture
def imap() -> Iterator[Dovecot]:
    with dovecot() as server:
        yield server


def _settings(server: Dovecot, **changes: object) -> ImapSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": server.port,
        "ssl": False,
        "username": USER,
        "password": PASSWORD,
        "poll_interval_seconds": 0.2,
        "idle_seconds": 5,
    }
    values.update(changes)
    return ImapSettings.model_validate(values)


def _mail(number: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"borger{number}@example.dk"
    message["To"] = "opkraevning@norddjurs.dk"
    message["Subject"] = f"Henvendelse {number} – æøå"
    message["Message-ID"] = f"<imap-{number}@example.dk>"
    message.set_content(f"Hej, det drejer sig om faktura 2026-{number:06d}.")
    return message.as_bytes(policy=SMTP)


def _deliver(server: Dovecot, *numbers: int, folder: str = "INBOX") -> None:
    client = server.client()
    for number in numbers:
        client.append(folder, _mail(number))
    client.logout()


def _stored(database: Database) -> list[InboundMessage]:
    with Session(database.engine) as session:
        return list(session.execute(select(InboundMessage)).scalars())


def _flagged(server: Dovecot) -> tuple[list[int], list[int]]:
    client = server.client()
    client.select_folder("INBOX")
    flagged = client.search(["KEYWORD", KEYWORD])
    unflagged = client.search(["UNKEYWORD", KEYWORD])
    client.logout()
    return sorted(flagged), sorted(unflagged)


def test_poll_stores_every_message_then_flags_it(database: Database, imap: Dovecot) -> None:
    _deliver(imap, 1, 2, 3)
    poller = ImapPoller(_settings(imap), database.engine)
    result = poller.poll_once()
    assert (result.fetched, result.stored) == (3, 3)
    stored = _stored(database)
    assert sorted(message.raw.replace(b"\r\n", b"\n") for message in stored) == sorted(
        _mail(n).replace(b"\r\n", b"\n") for n in (1, 2, 3)
    )
    assert {message.channel for message in stored} == {"imap"}
    assert _flagged(imap) == ([1, 2, 3], [])
    _deliver(imap, 4)
    again = poller.poll_once()
    assert (again.fetched, again.stored) == (1, 1)
    with Session(database.engine) as session:
        cursor = session.execute(select(MailboxCursor)).scalar_one()
    assert cursor.last_uid == 4
    poller.close()


def test_a_crash_between_store_and_flag_loses_nothing_and_stores_nothing_twice(
    database: Database, imap: Dovecot
) -> None:
    _deliver(imap, 1, 2)

    class DiesBeforeFlagging(ImapPoller):
        def _acknowledge(self, client: object, uids: list[int]) -> None:
            raise ConnectionError("process killed after storing")

    with pytest.raises(ConnectionError):
        DiesBeforeFlagging(_settings(imap), database.engine).poll_once()
    assert len(_stored(database)) == 2
    assert _flagged(imap) == ([], [1, 2])
    fresh = ImapPoller(_settings(imap), database.engine)
    result = fresh.poll_once()
    assert (result.fetched, result.stored, result.duplicates) == (2, 0, 2)
    assert len(_stored(database)) == 2
    assert _flagged(imap) == ([1, 2], [])
    fresh.close()


def test_new_uidvalidity_reads_the_folder_again_without_duplicates(
    database: Database, imap: Dovecot
) -> None:
    _deliver(imap, 1, 2)
    poller = ImapPoller(_settings(imap, processed_folder="Behandlet"), database.engine)
    poller.poll_once()
    with Session(database.engine) as session:
        session.execute(update(MailboxCursor).values(uidvalidity=1, last_uid=999))
        session.commit()
    _deliver(imap, 3)
    result = poller.poll_once()
    assert result.stored == 1
    assert len(_stored(database)) == 3
    with Session(database.engine) as session:
        cursor = session.execute(select(MailboxCursor)).scalar_one()
    assert cursor.uidvalidity != 1
    poller.close()


def test_move_to_processed_folder(database: Database, imap: Dovecot) -> None:
    _deliver(imap, 1, 2)
    poller = ImapPoller(_settings(imap, processed_folder="Behandlet"), database.engine)
    assert poller.poll_once().stored == 2
    client = imap.client()
    assert client.select_folder("INBOX")[b"EXISTS"] == 0
    assert client.select_folder("Behandlet")[b"EXISTS"] == 2
    client.logout()
    poller.close()


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_idle_picks_up_new_mail_and_reconnects_after_server_restart(
    database: Database, imap: Dovecot
) -> None:
    poller = ImapPoller(_settings(imap), database.engine)
    stop = threading.Event()
    thread = threading.Thread(target=poller.run, args=(stop,), daemon=True)
    thread.start()
    try:
        _deliver(imap, 1)
        assert _wait_for(lambda: len(_stored(database)) == 1, 10)
        imap.stop()
        imap.start()
        _deliver(imap, 2)
        assert _wait_for(lambda: len(_stored(database)) == 2, 20)
    finally:
        stop.set()
        thread.join(timeout=15)
    assert not thread.is_alive()
    with Session(database.engine) as session:
        total = session.execute(select(func.count()).select_from(InboundMessage)).scalar_one()
    assert total == 2
