from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, select

from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.store.models import Claim, Debtor, InboundMessage, ScheduledRun
from opkraevning.store.types import utcnow
from tests.conftest import Database


def _debtor(**fields: object) -> Debtor:
    values: dict[str, object] = {"id": "D1", "kind": "person", "cpr": "0101701234", "name": "Ane"}
    values.update(fields)
    return Debtor.model_validate(values)


def test_timestamps_come_back_utc_aware(database: Database) -> None:
    copenhagen_winter = timezone(timedelta(hours=1))
    local = datetime(2026, 11, 27, 9, 30, tzinfo=copenhagen_winter)
    with session_scope(database.engine) as session:
        session.add(_debtor(email_undeliverable_at=local))
    with Session(database.engine) as session:
        debtor = session.exec(select(Debtor)).one()
    assert debtor.email_undeliverable_at == local
    assert debtor.email_undeliverable_at is not None
    assert debtor.email_undeliverable_at.tzinfo is not None
    assert debtor.email_undeliverable_at.utcoffset() == timedelta(0)
    assert debtor.email_undeliverable_at.hour == 8
    assert debtor.created_at.tzinfo is not None


def test_naive_timestamps_are_refused(database: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"), session_scope(database.engine) as s:
        s.add(_debtor(email_undeliverable_at=datetime(2026, 1, 1)))


def test_money_is_integer_ore_and_large_amounts_fit(database: Database) -> None:
    big = 9_000_000_000_000  # 90 milliarder kr. in øre: beyond 32-bit integers
    with session_scope(database.engine) as session:
        session.add(_debtor())
        session.flush()
        session.add(
            Claim(
                id="C1",
                debtor_id="D1",
                claim_type="husleje",
                reference="2026-1",
                amount_ore=big,
                issued_on=date(2026, 1, 1),
                due_on=date(2026, 1, 31),
                status="open",
            )
        )
    with Session(database.engine) as session:
        claim = session.exec(select(Claim)).one()
    assert claim.amount_ore == big
    assert isinstance(claim.amount_ore, int)


def test_raw_message_bytes_are_kept_exactly_and_deduplicated(database: Database) -> None:
    raw = (
        b"From: =?iso-8859-1?q?S=F8ren?= <s@example.dk>\r\nMessage-ID: <a1@example.dk>\r\n"
        b"Subject: Betaling\r\n\r\nJeg har betalt \xe6\xf8\xe5 \xff\x00 bytes\r\n"
    )
    with session_scope(database.engine) as session:
        first, created = store_raw_message(session, raw, channel="smtp")
        assert created
    with session_scope(database.engine) as session:
        again, created_again = store_raw_message(session, raw, channel="imap")
        other, created_other = store_raw_message(session, raw + b"x", channel="smtp")
    assert not created_again
    assert again.id == first.id
    assert created_other and other.id != first.id
    with Session(database.engine) as session:
        stored = session.get(InboundMessage, first.id)
        assert stored is not None
        assert stored.raw == raw
        assert stored.raw_size == len(raw)
        assert stored.message_id == "<a1@example.dk>"
        assert stored.state == "received"
        assert stored.received_at.tzinfo is not None
        assert len(session.exec(select(InboundMessage)).all()) == 2


def test_a_scheduled_slot_can_only_be_taken_once(database: Database) -> None:
    with session_scope(database.engine) as session:
        session.add(ScheduledRun(kind="remind", slot="2026-11-27", state="running"))
    with (
        pytest.raises(IntegrityError, match=r"(?i)unique|duplicate"),
        session_scope(database.engine) as session,
    ):
        session.add(ScheduledRun(kind="remind", slot="2026-11-27", state="running"))
    assert utcnow().tzinfo is UTC
