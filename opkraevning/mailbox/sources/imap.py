"""IMAP poller (imapclient) for offices whose mail lives in Exchange or similar.

- Incremental by UID; the cursor is only valid for one UIDVALIDITY, and a new
  UIDVALIDITY starts the folder over (deduplication keeps that harmless).
- Store, then flag: the raw message is committed first, and only then flagged
  with our keyword (or moved to the processed folder). A crash in between means
  the message is fetched again next time and recognised as already stored: nothing
  is lost and nothing is stored twice. Fetching uses BODY.PEEK so a person's
  "unread" is left alone.
- The loop around ``poll_once`` (IDLE or polling, reconnecting with backoff) is
  runners/imap.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from imapclient import IMAPClient
from sqlalchemy.engine import Engine

from opkraevning.mailbox.mail_login import imap_login
from opkraevning.mailbox.oauth2 import TokenSource
from opkraevning.settings import ImapSettings
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.store.models import Channel, MailboxCursor
from opkraevning.store.types import utcnow

log = logging.getLogger(__name__)
FETCH_BATCH = 25


@dataclass
class PollResult:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0


class ImapPoller:
    def __init__(
        self, settings: ImapSettings, engine: Engine, tokens: TokenSource | None = None
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.tokens = tokens  # OAuth 2.0 tokens for XOAUTH2 (auth = "oauth2")
        self.key = f"{settings.username}@{settings.host}:{settings.port}/{settings.folder}"
        self.client: IMAPClient | None = None

    # -- connection ---------------------------------------------------------------

    def connect(self) -> IMAPClient:
        client = IMAPClient(
            self.settings.host, port=self.settings.port, ssl=self.settings.ssl, timeout=60
        )
        try:
            imap_login(client, self.settings, self.tokens)
        except Exception:
            client.shutdown()
            raise
        if self.settings.processed_folder and not client.folder_exists(
            self.settings.processed_folder
        ):
            client.create_folder(self.settings.processed_folder)
        self.client = client
        return client

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.logout()
            except Exception:
                log.debug("IMAP logout failed", exc_info=True)
            self.client = None

    # -- one pass -------------------------------------------------------------------

    def _cursor(self, uidvalidity: int) -> int:
        with session_scope(self.engine) as session:
            cursor = session.get(MailboxCursor, self.key)
            if cursor is None or cursor.uidvalidity != uidvalidity:
                if cursor is not None:
                    log.warning(
                        "UIDVALIDITY of %s changed %s -> %s: reading the folder again",
                        self.key,
                        cursor.uidvalidity,
                        uidvalidity,
                    )
                    session.delete(cursor)
                    session.flush()
                session.add(MailboxCursor(key=self.key, uidvalidity=uidvalidity, last_uid=0))
                return 0
            return cursor.last_uid

    def _store(self, uid: int, raw: bytes, uidvalidity: int) -> bool:
        """Store one message and move the cursor, in one transaction."""
        with session_scope(self.engine) as session:
            _, created = store_raw_message(
                session, raw, channel=Channel.IMAP.value, envelope_to=[self.settings.folder]
            )
            cursor = session.get(MailboxCursor, self.key)
            if cursor is not None and cursor.uidvalidity == uidvalidity:
                cursor.last_uid = max(cursor.last_uid, uid)
                cursor.updated_at = utcnow()
                session.add(cursor)
            return created

    def _acknowledge(self, client: IMAPClient, uids: list[int]) -> None:
        if self.settings.processed_folder:
            if client.has_capability("MOVE"):
                client.move(uids, self.settings.processed_folder)
            else:
                client.copy(uids, self.settings.processed_folder)
                client.delete_messages(uids)
                client.expunge(uids) if client.has_capability("UIDPLUS") else client.expunge()
        else:
            client.add_flags(uids, [self.settings.keyword.encode()])

    def poll_once(self, client: IMAPClient | None = None) -> PollResult:
        client = client or self.client or self.connect()
        selected: dict[bytes, Any] = client.select_folder(self.settings.folder)
        uidvalidity = int(selected[b"UIDVALIDITY"])
        last_uid = self._cursor(uidvalidity)
        unacknowledged: list[Any] = (
            [] if self.settings.processed_folder else ["UNKEYWORD", self.settings.keyword]
        )
        # "n:*" always matches the highest UID, even one below n: filter again.
        new = {
            uid
            for uid in client.search(["UID", f"{last_uid + 1}:*", *unacknowledged])
            if uid > last_uid
        }
        if last_uid:
            # Stored before a crash but never flagged or moved: store (a no-op) and acknowledge.
            new |= set(client.search(["UID", f"1:{last_uid}", *unacknowledged]))
        result = PollResult()
        ordered = sorted(new)
        for start in range(0, len(ordered), FETCH_BATCH):
            batch = ordered[start : start + FETCH_BATCH]
            fetched = client.fetch(batch, ["BODY.PEEK[]"])
            done: list[int] = []
            for uid in batch:
                data = fetched.get(uid)
                if data is None or b"BODY[]" not in data:
                    continue  # expunged meanwhile
                result.fetched += 1
                if self._store(uid, bytes(data[b"BODY[]"]), uidvalidity):
                    result.stored += 1
                else:
                    result.duplicates += 1
                done.append(uid)
            if done:
                self._acknowledge(client, done)
        if result.fetched:
            log.info(
                "IMAP %s: %d fetched, %d stored, %d already stored",
                self.key,
                result.fetched,
                result.stored,
                result.duplicates,
            )
        return result
