"""Digital Post in: a drop directory, and a pull client for the NgDP REST contract.

Both store the raw MeMo bytes before they acknowledge anything:
- drop directory: complete ``*.xml`` files (see :class:`DropDirectory`) are stored,
  then moved to ``processed/`` (or to ``invalid/`` when they are not MeMo: stored all
  the same, the parse stage quarantines them with the reason);
- NgDP: ``GET memos/`` lists waiting messages, ``GET memos/{id}`` fetches one,
  and only after the bytes are committed ``POST memos/{id}/receipt`` answers
  ``COMPLETED`` — or ``INVALID`` with the reason when the XML is not MeMo.
A crash between storing and acknowledging means the message comes again and is
recognised as stored (deduplicated by MeMo UUID and content hash).
"""

from __future__ import annotations

import logging
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine

from opkraevning.mailbox.formats.memo import MAX_MEMO_BYTES, MemoError, parse_memo
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.store.models import Channel

log = logging.getLogger(__name__)


@dataclass
class SourceResult:
    stored: int = 0
    duplicates: int = 0
    invalid: int = 0


def _identity(raw: bytes, max_bytes: int) -> tuple[str | None, str | None]:
    """(MeMo UUID, reason it is invalid)."""
    try:
        return parse_memo(raw, max_bytes).message_uuid, None
    except MemoError as exc:
        return None, str(exc)


def store_memo(
    engine: Engine, raw: bytes, fallback_id: str | None = None, max_bytes: int = MAX_MEMO_BYTES
) -> tuple[bool, str | None]:
    """Store raw MeMo bytes; return (new, reason it is invalid or None)."""
    memo_uuid, invalid = _identity(raw, max_bytes)
    return _store(engine, raw, memo_uuid or fallback_id), invalid


def _store(engine: Engine, raw: bytes, message_id: str | None) -> bool:
    with session_scope(engine) as session:
        _, created = store_raw_message(
            session,
            raw,
            channel=Channel.DIGITAL_POST.value,
            message_id=message_id,
        )
    return created


def _move(path: Path, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    os.replace(path, folder / path.name)


Observation = tuple[int, int]  # (size, mtime in ns)


def _observe(path: Path) -> Observation | None:
    """Size and mtime of a regular file; None for directories, symlinks, vanished files."""
    try:
        status = path.lstat()
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    return status.st_size, status.st_mtime_ns


class DropDirectory:
    """A directory another system drops MeMo files into; only complete files are taken.

    A file is complete when its size and modification time are the same at two polls
    in a row (a sender writing in parts changes both). Senders that can should write
    ``name.xml.tmp`` (or ``.name.xml``) and rename it to ``name.xml`` when done:
    only names ending in ``.xml`` that do not start with a dot are looked at.
    Directories and symlinks are skipped, so a folder named ``x.xml`` blocks nothing.
    A file is moved away (``processed/``, or ``invalid/`` when it is not MeMo) only after
    its bytes are committed, and only when it did not change while it was read. A file
    that is not MeMo (a half-written one is not well-formed) is stored and set aside only
    once it has not changed for ``settle_seconds``. A file over ``max_bytes`` is left
    where it is with a warning (nothing is lost).
    """

    def __init__(
        self, directory: Path, max_bytes: int = MAX_MEMO_BYTES, settle_seconds: float = 300.0
    ) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.settle_seconds = settle_seconds
        self._seen: dict[str, Observation] = {}

    def _candidates(self) -> dict[str, Observation]:
        found: dict[str, Observation] = {}
        for path in sorted(self.directory.glob("*.xml")):
            if path.name.startswith("."):
                continue
            observed = _observe(path)
            if observed is not None:
                found[path.name] = observed
        return found

    def poll(self, engine: Engine) -> SourceResult:
        result = SourceResult()
        now = self._candidates()
        ready = [name for name, seen in now.items() if self._seen.get(name) == seen]
        self._seen = now
        for name in ready:
            self._take(engine, self.directory / name, now[name], result)
        return result

    def _take(self, engine: Engine, path: Path, seen: Observation, result: SourceResult) -> None:
        if seen[0] > self.max_bytes:
            log.warning(
                "Digital Post file %s has %d bytes, over the limit of %d; left in place",
                path.name, seen[0], self.max_bytes,
            )  # fmt: skip
            return
        try:
            raw = path.read_bytes()
        except OSError as exc:
            log.warning("Digital Post file %s could not be read (%s); tried again", path.name, exc)
            return
        memo_uuid, invalid = _identity(raw, self.max_bytes)
        if invalid and time.time() - seen[1] / 1e9 < self.settle_seconds:
            return  # most likely still being written: looked at again next poll
        try:
            created = _store(engine, raw, memo_uuid or f"file:{path.name}")
        except Exception:  # the database is away: the file stays for the next poll
            log.exception("Digital Post file %s could not be stored; left in place", path.name)
            self._seen.pop(path.name, None)
            return
        result.stored += created
        result.duplicates += not created
        if _observe(path) != seen or len(raw) != seen[0]:
            log.warning("Digital Post file %s changed while it was read; read again", path.name)
            self._seen.pop(path.name, None)
            return
        self._seen.pop(path.name, None)
        if invalid:
            result.invalid += 1
            log.warning(
                "Digital Post file %s is not MeMo (%s); stored and set aside", path.name, invalid
            )
            _move(path, self.directory / "invalid")
        else:
            _move(path, self.directory / "processed")


def poll_drop_dir(engine: Engine, directory: Path) -> SourceResult:
    """One look at ``directory`` that takes every file now (for the command line and tests
    of a directory nobody writes to any more); the service uses :class:`DropDirectory`."""
    drop = DropDirectory(directory, settle_seconds=0)
    drop._seen = drop._candidates()
    return drop.poll(engine)


class NgdpClient:
    """Pull client for the NgDP memo contract (bearer token over HTTPS)."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 30.0) -> None:
        self.http = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {token}"} if token else {},
            timeout=timeout,
        )

    def close(self) -> None:
        self.http.close()

    def list_waiting(self) -> list[str]:
        response = self.http.get("memos/")
        response.raise_for_status()
        return [str(item["id"]) for item in response.json()]

    def fetch(self, memo_id: str) -> bytes:
        response = self.http.get(f"memos/{memo_id}")
        response.raise_for_status()
        return response.content

    def receipt(self, memo_id: str, status: str, reason: str | None = None) -> None:
        body: dict[str, str] = {"status": status}
        if reason:
            body["errorDescription"] = reason[:1000]
        response = self.http.post(f"memos/{memo_id}/receipt", json=body)
        response.raise_for_status()

    def pull_once(self, engine: Engine) -> SourceResult:
        result = SourceResult()
        for memo_id in self.list_waiting():
            raw = self.fetch(memo_id)
            created, invalid = store_memo(engine, raw, fallback_id=f"ngdp:{memo_id}")
            result.stored += created
            result.duplicates += not created
            if invalid:
                result.invalid += 1
                self.receipt(memo_id, "INVALID", invalid)
            else:
                self.receipt(memo_id, "COMPLETED")
        return result
