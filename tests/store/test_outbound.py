"""A letter's trace stored before the typed contract (version 1) still drives approval;
one that does not validate is refused by casework and shown empty by the case page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from opkraevning.app.casework import CaseworkError, approve_letter
from opkraevning.app.pipeline import run_pipeline
from opkraevning.domain.clock import FixedClock
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.store.models import Installment, InstallmentAgreement, OutboundLetter
from opkraevning.store.outbound import stored_trace, trace_or_empty
from tests.conftest import DEV_CORPUS, Database

OURS = ["opkraevning@norddjurs.dk"]
CLOCK = FixedClock.on(date(2026, 11, 27))


def _reply_to(database: Database, mail: str) -> int:
    with session_scope(database.engine) as session:
        message, _ = store_raw_message(
            session, (DEV_CORPUS / "mail" / mail).read_bytes(), channel="smtp"
        )
    run_pipeline(database.engine, OURS)
    with Session(database.engine) as session:
        reply = session.scalars(
            select(OutboundLetter).where(
                col(OutboundLetter.inbound_message_id) == message.id,
                col(OutboundLetter.kind) == "reply",
            )
        ).one()
        assert reply.id is not None
        return reply.id


def _as_version_1(trace: dict[str, Any]) -> dict[str, Any]:
    """The dict the draft stage wrote before the model: no version, every key present."""
    old = {key: value for key, value in trace.items() if key != "schema_version"}
    for action in old["actions"]:
        if action["action"] == "agreement":
            action.setdefault("needs_caseworker", False)
    old["proposal"] = {"benchmark_ore": None, **old["proposal"]}
    return old


def test_an_old_trace_still_creates_the_agreement(dev_database: Database) -> None:
    reply_id = _reply_to(dev_database, "001.eml")  # an accepted offer of 500 kr. a month
    with session_scope(dev_database.engine) as session:
        reply = session.get(OutboundLetter, reply_id)
        assert reply is not None and reply.trace is not None
        assert reply.trace["schema_version"] == 2
        reply.trace = _as_version_1(reply.trace)
        session.add(reply)
    with session_scope(dev_database.engine) as session:
        reply = session.get(OutboundLetter, reply_id)
        assert reply is not None and reply.trace is not None and "schema_version" not in reply.trace
        assert stored_trace(reply).situation == "installment_accept"
        approve_letter(session, reply_id, "karin", clock=CLOCK)
    with Session(dev_database.engine) as session:
        agreement = session.scalars(select(InstallmentAgreement)).one()
        installments = session.scalars(select(Installment)).all()
    assert agreement.status == "active" and agreement.monthly_amount_ore == 50_000
    assert installments and installments[0].due_on == agreement.first_due_on


def test_a_trace_that_does_not_fit_is_refused_not_guessed(dev_database: Database) -> None:
    reply_id = _reply_to(dev_database, "001.eml")
    with session_scope(dev_database.engine) as session:
        reply = session.get(OutboundLetter, reply_id)
        assert reply is not None and reply.trace is not None
        reply.trace = {**reply.trace, "actions": [{"action": "agreement", "first_due_on": "x"}]}
        session.add(reply)
    with Session(dev_database.engine) as session:
        reply = session.get(OutboundLetter, reply_id)
        assert reply is not None
        assert trace_or_empty(reply).actions == []  # the case page shows no actions
        with pytest.raises(CaseworkError, match="kan ikke læses"):
            approve_letter(session, reply_id, "karin", clock=CLOCK)
        assert session.scalars(select(InstallmentAgreement)).all() == []
