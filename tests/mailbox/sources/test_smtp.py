from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session

from opkraevning.mailbox.sources.smtp import start_smtp_server
from opkraevning.settings import load_settings
from opkraevning.store.models import InboundMessage
from tests.conftest import Database
from tests.helpers import free_port, running_loop, self_signed_certificate

OURS = "opkraevning@norddjurs.dk"


def _mail(number: int = 1, body: str = "Hej, jeg har betalt.") -> bytes:
    message = EmailMessage()
    message["From"] = "Søren Ærø <soeren@example.dk>"
    message["To"] = OURS
    message["Subject"] = f"Betaling {number} – faktura 2026-453257"
    message["Message-ID"] = f"<test-{number}@example.dk>"
    message.set_content(body)
    return message.as_bytes(policy=SMTP_POLICY)


def _stored(database: Database) -> list[InboundMessage]:
    with Session(database.engine) as session:
        return list(session.execute(select(InboundMessage)).scalars())


@pytest.fixture
def smtp_server(
    database: Database, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[int]:
    port = free_port()
    extra: dict[str, Any] = getattr(request, "param", {})
    settings = load_settings(
        accepted_recipients=[OURS],
        smtp={"host": "127.0.0.1", "port": port, "max_message_bytes": 200_000, **extra},
    )
    with running_loop() as call:
        server = call(start_smtp_server(settings, database.engine))
        yield port

        async def close() -> None:
            server.close()
            await server.wait_closed()

        call(close())


def test_accepts_our_address_and_stores_the_exact_bytes(
    database: Database, smtp_server: int
) -> None:
    raw = _mail()
    with smtplib.SMTP("127.0.0.1", smtp_server, timeout=10) as client:
        refused = client.sendmail("soeren@example.dk", [OURS], raw)
    assert refused == {}
    [stored] = _stored(database)  # committed before the client heard 250
    assert stored.raw.replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")
    assert stored.channel == "smtp"
    assert stored.envelope_from == "soeren@example.dk"
    assert stored.envelope_to == [OURS]
    assert stored.state == "received"


def test_refuses_other_recipients_with_550_and_never_relays(
    database: Database, smtp_server: int
) -> None:
    with smtplib.SMTP("127.0.0.1", smtp_server, timeout=10) as client:
        client.ehlo()
        client.mail("spammer@example.com")
        code, reply = client.rcpt("victim@example.org")
        assert code == 550
        assert b"does not relay" in reply
        client.rset()
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("a@example.com", ["someone@gmail.com"], _mail())
    assert _stored(database) == []


def test_refuses_oversize_mail_with_552(database: Database, smtp_server: int) -> None:
    huge = _mail(body="x" * 300_000)
    with (
        smtplib.SMTP("127.0.0.1", smtp_server, timeout=10) as client,
        pytest.raises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as error,
    ):
        client.sendmail("soeren@example.dk", [OURS], huge)
    assert error.value.smtp_code == 552
    assert _stored(database) == []


def _break_inserts(database: Database) -> None:
    with database.engine.begin() as connection:
        if database.kind == "sqlite":
            connection.execute(
                text(
                    "CREATE TRIGGER fail_insert BEFORE INSERT ON inbound_message "
                    "BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE FUNCTION fail_insert() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'simulated disk failure'; END $$ LANGUAGE plpgsql"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER fail_insert BEFORE INSERT ON inbound_message "
                    "FOR EACH ROW EXECUTE FUNCTION fail_insert()"
                )
            )


def _mend_inserts(database: Database) -> None:
    with database.engine.begin() as connection:
        if database.kind == "sqlite":
            connection.execute(text("DROP TRIGGER fail_insert"))
        else:
            connection.execute(text("DROP TRIGGER fail_insert ON inbound_message"))
            connection.execute(text("DROP FUNCTION fail_insert()"))


def test_store_failure_answers_451_and_stores_nothing(database: Database, smtp_server: int) -> None:
    _break_inserts(database)
    try:
        with (
            smtplib.SMTP("127.0.0.1", smtp_server, timeout=10) as client,
            pytest.raises(smtplib.SMTPDataError) as error,
        ):
            client.sendmail("soeren@example.dk", [OURS], _mail())
        assert error.value.smtp_code == 451
    finally:
        _mend_inserts(database)
    assert _stored(database) == []
    with smtplib.SMTP("127.0.0.1", smtp_server, timeout=10) as client:  # the client's retry
        assert client.sendmail("soeren@example.dk", [OURS], _mail()) == {}
    assert len(_stored(database)) == 1


def test_many_concurrent_clients(database: Database, smtp_server: int) -> None:
    def send(worker: int) -> int:
        with smtplib.SMTP("127.0.0.1", smtp_server, timeout=30) as client:
            for number in range(5):
                client.sendmail("soeren@example.dk", [OURS], _mail(worker * 100 + number))
        return worker

    with ThreadPoolExecutor(max_workers=12) as pool:
        assert sorted(pool.map(send, range(12))) == list(range(12))
    with Session(database.engine) as session:
        count = session.execute(select(func.count()).select_from(InboundMessage)).scalar_one()
    assert count == 60


def test_the_same_message_twice_is_stored_once(database: Database, smtp_server: int) -> None:
    with smtplib.SMTP("127.0.0.1", smtp_server, timeout=10) as client:
        client.sendmail("soeren@example.dk", [OURS], _mail(7))
        client.sendmail("soeren@example.dk", [OURS], _mail(7))
    assert len(_stored(database)) == 1


def test_starttls_is_offered_when_a_certificate_is_configured(
    database: Database, tmp_path: Path
) -> None:
    cert, key = self_signed_certificate(tmp_path)
    port = free_port()
    settings = load_settings(
        accepted_recipients=[OURS],
        smtp={"host": "127.0.0.1", "port": port, "tls_cert_file": cert, "tls_key_file": key},
    )
    with running_loop() as call:
        server = call(start_smtp_server(settings, database.engine))
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                client.ehlo()
                assert client.has_extn("starttls")
                context = ssl.create_default_context(cafile=str(cert))
                context.check_hostname = False
                client.starttls(context=context)
                client.ehlo()
                assert client.sendmail("soeren@example.dk", [OURS], _mail()) == {}
        finally:

            async def close() -> None:
                server.close()
                await server.wait_closed()

            call(close())
    assert len(_stored(database)) == 1


def test_no_starttls_without_certificate(smtp_server: int) -> None:
    with smtplib.SMTP("127.0.0.1", smtp_server, timeout=10) as client:
        client.ehlo()
        assert not client.has_extn("starttls")
        assert client.has_extn("size")
