"""Digital Post in: a drop directory, and a pull client for the NgDP REST contract.

Both store the raw MeMo bytes before they acknowledge anything:
- drop directory: ``*.xml`` files are stored, then moved to ``processed/`` (or to
  ``invalid/`` when they are not MeMo: stored all the same, the parse stage
  quarantines them with the reason);
- NgDP: ``GET memos/`` lists waiting messages, ``GET memos/{id}`` fetches one,
  and only after the bytes are committed ``POST memos/{id}/receipt`` answers
  ``COMPLETED`` — or ``INVALID`` with the reason when the XML is not MeMo.
A crash between storing and acknowledging means the message comes again and is
recognised as stored (deduplicated by MeMo UUID and content hash).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine

from opkraevning.mailbox.formats.memo import MemoError, parse_memo
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.store.models import Channel

log = logging.getLogger(__name__)


@dataclass
class SourceResult:
    stored: int = 0
    duplicates: int = 0
    invalid: int = 0


def _identity(raw: bytes) -> tuple[str | None, str | None]:
    """(MeMo UUID, reason it is invalid)."""
    try:
        return parse_memo(raw).message_uuid, None
    except MemoError as exc:
        return None, str(exc)


def store_memo(
    engine: Engine, raw: bytes, fallback_id: str | None = None
) -> tuple[bool, str | None]:
    """Store raw MeMo bytes; return (new, reason it is invalid or None)."""
    memo_uuid, invalid = _identity(raw)
    with session_scope(engine) as session:
        _, created = store_raw_message(
            session,
            raw,
            channel=Channel.DIGITAL_POST.value,
            message_id=memo_uuid or fallback_id,
        )
    return created, invalid


def _move(path: Path, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    os.replace(path, folder / path.name)


def poll_drop_dir(engine: Engine, directory: Path) -> SourceResult:
    """Store every ``*.xml`` in ``directory``, then move it out of the way."""
    result = SourceResult()
    for path in sorted(directory.glob("*.xml")):
        raw = path.read_bytes()
        created, invalid = store_memo(engine, raw, fallback_id=f"file:{path.name}")
        result.stored += created
        result.duplicates += not created
        if invalid:
            result.invalid += 1
            log.warning(
                "Digital Post file %s is not MeMo (%s); stored and set aside", path.name, invalid
            )
            _move(path, directory / "invalid")
        else:
            _move(path, directory / "processed")
    return result


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
