"""Storing a received message: raw bytes first, deduplicated, nothing half-stored."""

from __future__ import annotations

import hashlib
import logging
from email.parser import BytesHeaderParser
from email.policy import default as default_policy

from sqlmodel import Session, select

from opkraevning.domain.inbound import ParsedMessage
from opkraevning.domain.text import nul_free
from opkraevning.store.models import Channel, InboundMessage, MessageState
from opkraevning.store.types import utcnow

log = logging.getLogger(__name__)

MAX_HEADER_COLUMN = 998  # the header columns' length (RFC 5322's line limit); raw keeps all


def _short(value: str | None) -> str | None:
    return nul_free(value)[:MAX_HEADER_COLUMN] if value else value


def _headers(raw: bytes, *names: str) -> dict[str, str | None]:
    """The named headers (one parse of the header block); None where absent or broken."""
    try:
        headers = BytesHeaderParser(policy=default_policy).parsebytes(raw)
    except Exception:  # a broken header block must not stop storing the bytes
        return dict.fromkeys(names)
    found: dict[str, str | None] = {}
    for name in names:
        try:
            value = headers.get(name)
        except Exception:
            value = None
        found[name] = nul_free(" ".join(str(value).split()))[:MAX_HEADER_COLUMN] if value else None
    return found


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
    names = ("Message-ID", "From", "Subject")
    # a MeMo is XML, not a mail: no header block to read (and parsing megabytes of XML
    # as one would only take time)
    mail = channel != Channel.DIGITAL_POST.value
    headers = _headers(raw, *names) if mail else dict.fromkeys(names)
    if message_id is None:
        message_id = headers["Message-ID"]
    message_id = _short(message_id)
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
        envelope_from=_short(envelope_from),
        envelope_to=[_short(address) or "" for address in envelope_to] if envelope_to else None,
        from_address=headers["From"],
        subject=headers["Subject"],
    )
    session.add(message)
    session.flush()
    return message, True


def stored_parsed(message: InboundMessage) -> ParsedMessage:
    """What the parse stage stored, validated (old rows upgraded on the way)."""
    if message.parsed is None:
        raise ValueError(f"message {message.id} has not been parsed")
    return ParsedMessage.model_validate(message.parsed)


def parsed_or_none(message: InboundMessage) -> ParsedMessage | None:
    """For the screens: a row that does not validate is shown without its parse, not a 500."""
    try:
        return stored_parsed(message)
    except ValueError:  # pydantic's ValidationError is a ValueError
        log.warning("message %s: stored parse does not validate", message.id, exc_info=True)
        return None
