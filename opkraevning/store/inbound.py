"""Storing a received message: raw bytes first, deduplicated, nothing half-stored."""

from __future__ import annotations

import hashlib
from email.parser import BytesHeaderParser
from email.policy import default as default_policy

from sqlmodel import Session, select

from opkraevning.store.models import InboundMessage, MessageState
from opkraevning.store.types import utcnow


def _header(raw: bytes, name: str) -> str | None:
    try:
        value = BytesHeaderParser(policy=default_policy).parsebytes(raw).get(name)
    except Exception:
        return None
    return str(value).strip() if value else None


def dedup_key(message_id: str | None, content_sha256: str) -> str:
    """Same Message-ID (or MeMo UUID) and same bytes → the same message."""
    return hashlib.sha256(f"{message_id or ''}\n{content_sha256}".encode()).hexdigest()


def store_raw_message(
    session: Session,
    raw: bytes,
    *,
    channel: str,
    message_id: str | None = None,
    envelope_from: str | None = None,
    envelope_to: list[str] | None = None,
) -> tuple[InboundMessage, bool]:
    """Add the message unless it is already stored; return it and whether it is new.

    The caller commits. ``message_id`` defaults to the mail's Message-ID header.
    """
    content_sha256 = hashlib.sha256(raw).hexdigest()
    if message_id is None:
        message_id = _header(raw, "Message-ID")
    key = dedup_key(message_id, content_sha256)
    existing = session.exec(select(InboundMessage).where(InboundMessage.dedup_key == key)).first()
    if existing is not None:
        return existing, False
    message = InboundMessage(
        channel=channel,
        state=MessageState.RECEIVED.value,
        received_at=utcnow(),
        dedup_key=key,
        message_id=message_id,
        content_sha256=content_sha256,
        raw=raw,
        raw_size=len(raw),
        envelope_from=envelope_from,
        envelope_to=envelope_to,
        from_address=_header(raw, "From"),
        subject=_header(raw, "Subject"),
    )
    session.add(message)
    session.flush()
    return message, True
