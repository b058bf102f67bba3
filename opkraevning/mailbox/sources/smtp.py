"""Inbound SMTP (aiosmtpd): accept mail for our addresses only, store it, then say 250.

The raw bytes are committed to the store *before* the client hears ``250``; if
storing fails the client hears ``451`` and retries later, and nothing is half
stored (one transaction). Mail for any other address is refused with ``550``: we
never relay. Oversize mail gets ``552`` from aiosmtpd's SIZE handling.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from dataclasses import dataclass
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.engine import Engine

from opkraevning.settings import Settings
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.store.models import Channel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stored:
    id: int
    new: bool


class InboundHandler:
    """aiosmtpd handler: the RCPT and DATA hooks."""

    def __init__(self, engine: Engine, accepted: list[str]) -> None:
        self.engine = engine
        self.accepted = {address.lower() for address in accepted}

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.lower() not in self.accepted:
            log.info("refused recipient %s from %s", address, session.peer)
            return f"550 5.1.1 <{address}>: no such mailbox here; this server does not relay"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(envelope.content, bytes) and not raw:
            raw = envelope.content
        try:
            stored = await asyncio.to_thread(self._store, raw, envelope)
        except Exception:
            log.exception("could not store a message from %s; answered 451", envelope.mail_from)
            return "451 4.3.0 The message could not be stored; please try again later"
        log.info("stored message %s (%d bytes, new=%s)", stored.id, len(raw), stored.new)
        return f"250 2.0.0 OK: stored as {stored.id}"

    def _store(self, raw: bytes, envelope: Envelope) -> Stored:
        with session_scope(self.engine) as session:
            message, created = store_raw_message(
                session,
                raw,
                channel=Channel.SMTP.value,
                envelope_from=envelope.mail_from,
                envelope_to=list(envelope.rcpt_tos),
            )
            assert message.id is not None
            return Stored(message.id, created)


def tls_context(settings: Settings) -> ssl.SSLContext | None:
    """STARTTLS is offered when a certificate and key are configured."""
    if settings.smtp.tls_cert_file is None or settings.smtp.tls_key_file is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(settings.smtp.tls_cert_file, settings.smtp.tls_key_file)
    return context


async def start_smtp_server(settings: Settings, engine: Engine) -> asyncio.Server:
    handler = InboundHandler(engine, settings.accepted_recipients)
    context = tls_context(settings)

    def protocol() -> Any:
        return SMTP(
            handler,
            data_size_limit=settings.smtp.max_message_bytes,
            enable_SMTPUTF8=True,
            hostname=settings.smtp.hostname,
            tls_context=context,
            require_starttls=False,
            timeout=120,
        )

    loop = asyncio.get_running_loop()
    server = await loop.create_server(protocol, host=settings.smtp.host, port=settings.smtp.port)
    log.info(
        "SMTP on %s:%d for %s%s",
        settings.smtp.host,
        settings.smtp.port,
        ", ".join(settings.accepted_recipients),
        " (STARTTLS offered)" if context else "",
    )
    return server
