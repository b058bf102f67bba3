"""Rows stored before the typed contracts still go through the stages and the screens."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session, col

from opkraevning.app.pipeline import run_pipeline
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.store.models import InboundMessage, OutboundLetter
from tests.conftest import DEV_CORPUS, Database

OURS = ["opkraevning@norddjurs.dk"]


def _as_before_the_contracts(parsed: dict[str, Any]) -> dict[str, Any]:
    """The version 1 shape: no schema versions, the offer and income in whole kroner."""
    old = {key: value for key, value in parsed.items() if key != "schema_version"}
    reading = {key: value for key, value in old["reading"].items() if key != "schema_version"}
    for name in ("offer_monthly", "income_monthly"):
        ore = reading.pop(f"{name}_ore")
        reading[f"{name}_kr"] = None if ore is None else ore // 100
    old["reading"] = reading
    return old


def _reply_body(database: Database, message_id: int) -> str:
    with Session(database.engine) as session:
        query = select(OutboundLetter).where(
            col(OutboundLetter.inbound_message_id) == message_id,
            col(OutboundLetter.kind) == "reply",
        )
        return session.scalars(query).one().body


def test_an_old_reading_drafts_the_same_reply(dev_database: Database) -> None:
    with session_scope(dev_database.engine) as session:
        message, _ = store_raw_message(
            session, (DEV_CORPUS / "mail" / "036.eml").read_bytes(), channel="smtp"
        )
        message_id = message.id
    assert message_id is not None
    run_pipeline(dev_database.engine, OURS)
    first = _reply_body(dev_database, message_id)
    assert "750,00 kr." in first
    with session_scope(dev_database.engine) as session:
        stored = session.get(InboundMessage, message_id)
        assert stored is not None and stored.parsed is not None
        assert stored.parsed["reading"]["offer_monthly_ore"] == 75_000
        stored.parsed = _as_before_the_contracts(stored.parsed)
        stored.state = "classified"  # waiting for the draft stage, as if it had failed there
        session.add(stored)
        session.execute(
            delete(OutboundLetter).where(col(OutboundLetter.inbound_message_id) == message_id)
        )
    result = run_pipeline(dev_database.engine, OURS)
    assert (result.drafted, result.quarantined) == (1, 0)
    assert _reply_body(dev_database, message_id) == first
