from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from opkraevning.app.pipeline import parse_message
from opkraevning.domain.cpr import contains_cpr
from opkraevning.mailbox.formats.memo import parse_memo, validation_errors
from opkraevning.mailbox.outbox import ImapSentLookup, Outbox
from opkraevning.settings import Settings, load_settings
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.store.models import AuditEvent, Debtor, OutboundLetter
from tests.conftest import Database
from tests.helpers import self_signed_certificate
from tests.mailbox.dovecot import Mailbox
from tests.mailbox.ngdp_standin import TOKEN, ngdp_standin
from tests.mailbox.smtp_sink import Sink, smtp_sink

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def sink() -> Iterator[Sink]:
    with smtp_sink() as server:
        yield server


def _settings(port: int, **extra: Any) -> Settings:
    relay = {"host": "127.0.0.1", "port": port, "starttls": False, "from_address": "opk@kommune.dk"}
    relay.update(extra.pop("relay", {}))
    return load_settings(accepted_recipients=["opk@kommune.dk"], relay=relay, **extra)


def _debtor(database: Database) -> None:
    with session_scope(database.engine) as session:
        session.add(Debtor(id="D1", kind="person", cpr="0101701234", name="Ane Sørensen",
                           email="ane@example.dk"))  # fmt: skip


def _letter(database: Database, **fields: Any) -> int:
    values: dict[str, Any] = {
        "debtor_id": "D1",
        "kind": "reply",
        "state": "approved",
        "channel": "email",
        "recipient": "ane@example.dk",
        "subject": "Svar på din henvendelse",
        "body": "Kære Ane\n\nVi har modtaget din betaling på 1.234,50 kr.\n",
        "approved_by": "pia",
    }
    values.update(fields)
    with session_scope(database.engine) as session:
        letter = OutboundLetter(**values)
        session.add(letter)
        session.flush()
        assert letter.id is not None
        return letter.id


def _get(database: Database, letter_id: int) -> OutboundLetter:
    with Session(database.engine) as session:
        letter = session.get(OutboundLetter, letter_id)
        assert letter is not None
        return letter


def test_approved_letter_is_sent_once_with_our_headers(database: Database, sink: Sink) -> None:
    _debtor(database)
    letter_id = _letter(database)
    draft_id = _letter(database, state="needs_review")
    outbox = Outbox(database.engine, _settings(sink.port), clock=lambda: NOW)
    assert outbox.send_due().sent == 1
    assert outbox.send_due().sent == 0
    assert len(sink.received) == 1
    [message] = sink.messages()
    letter = _get(database, letter_id)
    assert letter.state == "sent" and letter.sent_at == NOW and letter.attempts == 1
    assert message["Message-ID"] == letter.message_id
    assert message["Subject"] == f"Svar på din henvendelse [OPK-{letter_id}]"
    assert message["To"] == "ane@example.dk"
    assert message["Auto-Submitted"] is None  # a person approved what it says
    assert "1.234,50 kr." in message.get_content()
    assert _get(database, draft_id).state == "needs_review"


def test_reply_carries_in_reply_to_and_references(database: Database, sink: Sink) -> None:
    _debtor(database)
    raw = (
        b"From: ane@example.dk\r\nMessage-ID: <ask-1@example.dk>\r\n"
        b"References: <opk-0@kommune.dk>\r\nSubject: Afdrag\r\n\r\nKan jeg betale?\r\n"
    )
    with session_scope(database.engine) as session:
        inbound, _ = store_raw_message(session, raw, channel="smtp")
        parse_message(session, inbound, set())  # the parse stage keeps the References
        inbound_id = inbound.id
    _letter(database, inbound_message_id=inbound_id)
    Outbox(database.engine, _settings(sink.port), clock=lambda: NOW).send_due()
    [message] = sink.messages()
    assert message["In-Reply-To"] == "<ask-1@example.dk>"
    assert message["References"] == "<opk-0@kommune.dk> <ask-1@example.dk>"


def test_reminders_say_auto_generated(database: Database, sink: Sink) -> None:
    _debtor(database)
    _letter(database, kind="reminder", approved_by="policy")
    Outbox(database.engine, _settings(sink.port), clock=lambda: NOW).send_due()
    assert sink.messages()[0]["Auto-Submitted"] == "auto-generated"


def test_an_email_with_a_cpr_number_is_refused(database: Database, sink: Sink) -> None:
    _debtor(database)
    letter_id = _letter(database, body="Dit CPR-nummer 010170-1234 er registreret.")
    result = Outbox(database.engine, _settings(sink.port), clock=lambda: NOW).send_due()
    assert result.failed == 1
    assert sink.received == []
    letter = _get(database, letter_id)
    assert letter.state == "failed"
    assert letter.last_error is not None and "CPR" in letter.last_error
    assert contains_cpr("ring 86 32 11 00 eller 2026-453257") is False


def test_relay_failure_is_retried_with_backoff_then_failed(database: Database, sink: Sink) -> None:
    _debtor(database)
    letter_id = _letter(database)
    sink.refuse_next = 100
    clock = [NOW]
    settings = _settings(sink.port, outbox={"max_attempts": 3})
    outbox = Outbox(database.engine, settings, clock=lambda: clock[0])
    assert outbox.send_due().retried == 1
    letter = _get(database, letter_id)
    assert (letter.state, letter.attempts) == ("approved", 1)
    assert letter.next_attempt_at == NOW + timedelta(minutes=1)
    assert outbox.send_due().retried == 0  # not due yet
    clock[0] = NOW + timedelta(minutes=1)
    assert outbox.send_due().retried == 1
    assert _get(database, letter_id).next_attempt_at == clock[0] + timedelta(minutes=2)
    clock[0] += timedelta(minutes=2)
    assert outbox.send_due().failed == 1
    letter = _get(database, letter_id)
    assert (letter.state, letter.attempts) == ("failed", 3)
    assert letter.last_error is not None and "451" in letter.last_error
    assert sink.received == []


def test_daily_cap_per_address_stops_loops(database: Database, sink: Sink) -> None:
    _debtor(database)
    ids = [_letter(database) for _ in range(4)]
    settings = _settings(sink.port, outbox={"daily_cap_per_address": 3})
    result = Outbox(database.engine, settings, clock=lambda: NOW).send_due()
    assert (result.sent, result.postponed) == (3, 1)
    held = _get(database, ids[-1])
    assert held.state == "approved"
    assert held.next_attempt_at is not None and held.next_attempt_at > NOW + timedelta(hours=12)


def test_starttls_and_auth_to_the_relay(database: Database, tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    _debtor(database)
    letter_id = _letter(database)
    with smtp_sink(tls=(cert, key)) as secure:
        relay = {"starttls": True, "username": "relay", "password": "secret", "ca_file": str(cert)}
        outbox = Outbox(database.engine, _settings(secure.port, relay=relay), clock=lambda: NOW)
        # the certificate is for CN=localhost; the relay is reached as 127.0.0.1
        relay_settings = outbox.settings.relay.model_copy(update={"host": "localhost"})
        outbox.settings = outbox.settings.model_copy(update={"relay": relay_settings})
        assert outbox.send_due().sent == 1
        assert len(secure.received) == 1
    assert _get(database, letter_id).state == "sent"


def test_crash_mid_send_is_reconciled_by_message_id(
    database: Database, sink: Sink, imap: Mailbox
) -> None:
    _debtor(database)
    took = _letter(database, state="sending", message_id="<opk-took@kommune.dk>", attempts=1)
    lost = _letter(database, state="sending", message_id="<opk-lost@kommune.dk>", attempts=1)
    client = imap.client()
    client.create_folder("Sendt post")
    client.append("Sendt post", b"Message-ID: <opk-took@kommune.dk>\r\nSubject: x\r\n\r\nx\r\n")
    client.logout()
    imap_settings = {"host": "127.0.0.1", "port": imap.port, "ssl": False,
                     "username": imap.user, "password": imap.password}  # fmt: skip
    settings = _settings(sink.port, imap=imap_settings, relay={"sent_folder": "Sendt post"})
    outbox = Outbox(
        database.engine,
        settings,
        lookup=ImapSentLookup(settings, "Sendt post"),
        clock=lambda: NOW,
    )
    assert outbox.reconcile() == 2
    assert _get(database, took).state == "sent"
    assert _get(database, lost).state == "approved"
    assert outbox.send_due().sent == 1
    [message] = sink.messages()
    assert message["Message-ID"] == "<opk-lost@kommune.dk>"  # the same id as before the crash


def test_without_a_way_to_tell_a_stuck_letter_goes_to_a_person(
    database: Database, sink: Sink
) -> None:
    _debtor(database)
    stuck = _letter(database, state="sending", message_id="<opk-x@kommune.dk>", attempts=1)
    outbox = Outbox(database.engine, _settings(sink.port), clock=lambda: NOW)
    assert outbox.reconcile() == 1
    letter = _get(database, stuck)
    assert letter.state == "failed"
    assert letter.last_error is not None and "cannot be told" in letter.last_error
    assert outbox.send_due().sent == 0
    assert sink.received == []
    with Session(database.engine) as session:
        actions = set(session.execute(select(col(AuditEvent.action))).scalars())
    assert "letter.reconciled" in actions


def test_digital_post_letter_is_valid_memo_with_case_reference(
    database: Database, tmp_path: Path
) -> None:
    _debtor(database)
    letter_id = _letter(database, channel="digital_post", recipient=None,
                        body="Kære Ane\n\nDit CPR-nummer 010170-1234 står i brevet.")  # fmt: skip
    with ngdp_standin() as (url, state):
        settings = load_settings(
            digital_post={
                "outbox_dir": tmp_path / "ud",
                "send_url": f"{url}/kombipostafsend",
                "api_token": TOKEN,
            },
        )
        outbox = Outbox(database.engine, settings, clock=lambda: NOW)
        assert outbox.send_due().sent == 1
        letter = _get(database, letter_id)
        assert letter.message_id is not None
        [file_] = (tmp_path / "ud").glob("*.xml")
        xml = file_.read_bytes()
        outbox._send_memo(xml, letter.message_id)  # a retry of the same letter
        assert len(state.sent) == 1  # SF1601 deduplicates by transaction id
        assert len(list((tmp_path / "ud").glob("*.xml"))) == 1
        outbox.close()
    assert validation_errors(xml) == []
    memo = parse_memo(xml)
    assert (memo.recipient_id, memo.recipient_id_type) == ("0101701234", "CPR")
    assert memo.replies_to[0].case_id == "OPK-D1"
    assert memo.message_uuid == letter.message_id
    assert "CPR-nummer" in memo.text  # allowed by Digital Post, never by email


# -- issue 15 items 8, 9 and 14: one recipient, every CPR spelling, headers read back -----


def test_the_from_header_is_one_mailbox_with_the_comma_in_the_name(
    database: Database, sink: Sink
) -> None:
    _debtor(database)
    _letter(database, subject="Svar på din henvendelse – æøå")
    Outbox(database.engine, _settings(sink.port), clock=lambda: NOW).send_due()
    [message] = sink.messages()
    [sender] = message["From"].addresses
    assert sender.display_name == "Norddjurs Kommune, Opkrævningen"
    assert sender.addr_spec == "opk@kommune.dk"
    assert [a.addr_spec for a in message["To"].addresses] == ["ane@example.dk"]
    assert message["Subject"].startswith("Svar på din henvendelse – æøå [OPK-")


@pytest.mark.parametrize(
    "recipient",
    ["ane@example.dk, bo@example.dk", "ane@example.dk\r\nBcc: bo@example.dk", "ane", "a@b@c"],
)
def test_a_reply_has_exactly_one_recipient(database: Database, sink: Sink, recipient: str) -> None:
    _debtor(database)
    letter_id = _letter(database, recipient=recipient)
    result = Outbox(database.engine, _settings(sink.port), clock=lambda: NOW).send_due()
    assert result.failed == 1
    assert sink.received == []
    assert _get(database, letter_id).state == "failed"


@pytest.mark.parametrize(
    "spelling",
    ["250756\u20133219", "250756 - 3219", "2507 563219", "25.07.56-3219", "cpr2507563219x"],
)
def test_every_cpr_spelling_is_refused_by_email(
    database: Database, sink: Sink, spelling: str
) -> None:
    _debtor(database)
    letter_id = _letter(database, body=f"Vi har noteret {spelling}.")
    result = Outbox(database.engine, _settings(sink.port), clock=lambda: NOW).send_due()
    assert result.failed == 1 and sink.received == []
    assert "CPR" in (_get(database, letter_id).last_error or "")
