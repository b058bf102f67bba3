"""Issue 15 item 3: a NUL byte in a header or MAIL FROM is stored, readable, NUL-free."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session

from opkraevning.app.pipeline import run_parse_stage
from opkraevning.mailbox.sources.smtp import start_smtp_server
from opkraevning.settings import load_settings
from opkraevning.store.models import InboundMessage
from tests.conftest import Database
from tests.helpers import free_port, running_loop

OURS = "opkraevning@norddjurs.dk"


@pytest.fixture
def smtp_port(database: Database, tmp_path: Path) -> Iterator[int]:
    port = free_port()
    settings = load_settings(accepted_recipients=[OURS], smtp={"host": "127.0.0.1", "port": port})
    with running_loop() as call:
        server = call(start_smtp_server(settings, database.engine))
        yield port

        async def close() -> None:
            server.close()
            await server.wait_closed()

        call(close())


def _raw(subject: bytes, from_: bytes = b"Bo <bo@example.dk>") -> bytes:
    return (
        b"From: " + from_ + b"\r\nTo: " + OURS.encode() + b"\r\nSubject: " + subject
        + b"\r\nMessage-ID: <nul@example.dk>\r\n\r\nHej med\x00 dig\r\n"
    )  # fmt: skip


CASES = {
    "raw NUL in Subject": (_raw(b"Betaling\x00 nu"), "bo@example.dk"),
    "raw NUL in From": (_raw(b"Betaling nu", b"Bo\x00 <bo@example.dk>"), "bo@example.dk"),
    "=00 in Subject": (_raw(b"=?utf-8?q?Betaling=00_nu?="), "bo@example.dk"),
    "=00 in From name": (_raw(b"Betaling", b"=?utf-8?q?Bo=00?= <bo@example.dk>"), "bo@example.dk"),
    "NUL in MAIL FROM": (_raw(b"Betaling nu"), "bo\x00@example.dk"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_nul_bytes_are_kept_and_readable(database: Database, smtp_port: int, case: str) -> None:
    raw, mail_from = CASES[case]
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as client:
        client.ehlo()
        code, reply = client.mail(mail_from)
        if code == 250:
            client.rcpt(OURS)
            code, reply = client.data(raw)
        # MAIL FROM with a NUL may be refused as a syntax error (5xx, no retry); never 451
        assert code == 250 or (case == "NUL in MAIL FROM" and 500 <= code < 600), reply
    if code != 250:
        return
    with Session(database.engine) as session:
        [stored] = session.scalars(select(InboundMessage)).all()
    assert stored.raw.replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")  # bytes as bytes
    assert run_parse_stage(database.engine, [OURS]).quarantined == 0
    with Session(database.engine) as session:
        [stored] = session.scalars(select(InboundMessage)).all()
    assert stored.state != "quarantined"
    for text in (stored.subject, stored.from_address, stored.envelope_from, stored.message_id):
        assert text is None or "\x00" not in text
    assert stored.parsed is not None
    assert "\x00" not in repr(stored.parsed)
    assert stored.subject and stored.subject.startswith("Betaling")
