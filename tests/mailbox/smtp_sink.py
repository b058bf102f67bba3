"""An aiosmtpd sink that plays the municipality's relay in tests: it records what it got."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.helpers import free_port


@dataclass
class Sink:
    port: int
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    refuse_next: int = 0

    def messages(self) -> list[EmailMessage]:
        """The received mails, parsed with the modern policy (so ``get_content`` works)."""
        return [message_from_bytes(raw, policy=default) for _, _, raw in self.received]


class _Handler:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.sink.refuse_next:
            self.sink.refuse_next -= 1
            return "451 4.3.0 try again later"
        self.sink.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 queued"


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"relay", b"secret")
    return AuthResult(success=ok, handled=False)


@contextmanager
def smtp_sink(tls: tuple[Path, Path] | None = None) -> Iterator[Sink]:
    sink = Sink(free_port())
    kwargs: dict[str, Any] = {}
    if tls is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(tls[0]), str(tls[1]))
        kwargs = {
            "tls_context": context,
            "require_starttls": True,
            "authenticator": _authenticator,
            "auth_required": True,
        }
    controller = Controller(_Handler(sink), hostname="127.0.0.1", port=sink.port, **kwargs)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
