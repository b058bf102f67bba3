from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

import pytest
from sqlalchemy import select, update
from sqlmodel import Session

from opkraevning.mailbox.sources.imap import ImapPoller
from opkraevning.settings import ImapSettings
from opkraevning.store.models import InboundMessage, MailboxCursor
from tests.conftest import Database
from tests.mailbox.dovecot import Mailbox

KEYWORD = "$Opkraevning"


def imap_settings(mailbox: Mailbox, **changes: object) -> ImapSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": mailbox.port,
        "ssl": False,
        "username": mailbox.user,
        "password": mailbox.password,
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


def deliver(server: Mailbox, *numbers: int, folder: str = "INBOX") -> None:
    client = server.client()
    for number in numbers:
        client.append(folder, _mail(number))
    client.logout()


def stored_messages(database: Database) -> list[InboundMessage]:
    with Session(database.engine) as session:
        return list(session.execute(select(InboundMessage)).scalars())


def _flagged(server: Mailbox) -> tuple[list[int], list[int]]:
    client = server.client()
    client.select_folder("INBOX")
    flagged = client.search(["KEYWORD", KEYWORD])
    unflagged = client.search(["UNKEYWORD", KEYWORD])
    client.logout()
    return sorted(flagged), sorted(unflagged)


def test_poll_stores_every_message_then_flags_it(database: Database, imap: Mailbox) -> None:
    deliver(imap, 1, 2, 3)
    poller = ImapPoller(imap_settings(imap), database.engine)
    result = poller.poll_once()
    assert (result.fetched, result.stored) == (3, 3)
    stored = stored_messages(database)
    assert sorted(message.raw.replace(b"\r\n", b"\n") for message in stored) == sorted(
        _mail(n).replace(b"\r\n", b"\n") for n in (1, 2, 3)
    )
    assert {message.channel for message in stored} == {"imap"}
    assert _flagged(imap) == ([1, 2, 3], [])
    deliver(imap, 4)
    again = poller.poll_once()
    assert (again.fetched, again.stored) == (1, 1)
    with Session(database.engine) as session:
        cursor = session.execute(select(MailboxCursor)).scalar_one()
    assert cursor.last_uid == 4
    poller.close()


def test_a_crash_between_store_and_flag_loses_nothing_and_stores_nothing_twice(
    database: Database, imap: Mailbox
) -> None:
    deliver(imap, 1, 2)

    class DiesBeforeFlagging(ImapPoller):
        def _acknowledge(self, client: object, uids: list[int]) -> None:
            raise ConnectionError("process killed after storing")

    with pytest.raises(ConnectionError):
        DiesBeforeFlagging(imap_settings(imap), database.engine).poll_once()
    assert len(stored_messages(database)) == 2
    assert _flagged(imap) == ([], [1, 2])
    fresh = ImapPoller(imap_settings(imap), database.engine)
    result = fresh.poll_once()
    assert (result.fetched, result.stored, result.duplicates) == (2, 0, 2)
    assert len(stored_messages(database)) == 2
    assert _flagged(imap) == ([1, 2], [])
    fresh.close()


def test_new_uidvalidity_reads_the_folder_again_without_duplicates(
    database: Database, imap: Mailbox
) -> None:
    deliver(imap, 1, 2)
    poller = ImapPoller(imap_settings(imap, processed_folder="Behandlet"), database.engine)
    poller.poll_once()
    with Session(database.engine) as session:
        session.execute(update(MailboxCursor).values(uidvalidity=1, last_uid=999))
        session.commit()
    deliver(imap, 3)
    result = poller.poll_once()
    assert result.stored == 1
    assert len(stored_messages(database)) == 3
    with Session(database.engine) as session:
        cursor = session.execute(select(MailboxCursor)).scalar_one()
    assert cursor.uidvalidity != 1
    poller.close()


def test_move_to_processed_folder(database: Database, imap: Mailbox) -> None:
    deliver(imap, 1, 2)
    poller = ImapPoller(imap_settings(imap, processed_folder="Behandlet"), database.engine)
    assert poller.poll_once().stored == 2
    client = imap.client()
    assert client.select_folder("INBOX")[b"EXISTS"] == 0
    assert client.select_folder("Behandlet")[b"EXISTS"] == 2
    client.logout()
    poller.close()
