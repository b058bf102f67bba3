"""The trace read back from a recorded run: each stored reminder letter says, per claim,
which rules were checked and fired and with which values — and that agrees with what
the run did (letter number, fee, notice, interest line, forældelse)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from opkraevning.app.reminder.run import remind
from opkraevning.assistant.rules.engine import read_trace
from opkraevning.store.db import session_scope
from opkraevning.store.models import Claim, ReminderLetter, ReminderLetterClaim
from tests.conftest import Database

DAY = date(2026, 11, 27)


def _open_claim(session: Session, claim_type: str) -> Claim:
    claim = session.scalars(
        select(Claim)
        .where(col(Claim.claim_type) == claim_type, col(Claim.status) == "open")
        .where(col(Claim.line) == "principal", col(Claim.amount_ore) > 10_000)
        .order_by(col(Claim.id))
    ).first()
    assert claim is not None
    return claim


def _stored_traces(database: Database) -> dict[str, tuple[ReminderLetter, dict[str, Any]]]:
    with Session(database.engine) as session:
        rows = session.execute(
            select(ReminderLetter, col(ReminderLetterClaim.claim_id)).join(
                ReminderLetterClaim, col(ReminderLetterClaim.letter_id) == col(ReminderLetter.id)
            )
        ).all()
        return {claim_id: (letter, read_trace(letter.trace[claim_id])) for letter, claim_id in rows}


def test_the_stored_trace_says_what_the_run_did(dev_database: Database) -> None:
    with session_scope(dev_database.engine) as session:
        rent = _open_claim(session, "husleje")
        rent.due_on = date(2026, 10, 3)  # a Saturday: last on-time payment date 5/10
        salary = _open_claim(session, "loenkrav")
        salary.due_on = date(2026, 6, 1)
        salary.issued_on = date(2026, 5, 2)  # no fixed due date: interest from 1/6
        old = _open_claim(session, "daginstitution")
        old.due_on = date(2023, 11, 27)  # forældet on the run date
        lien = _open_claim(session, "rottebekaempelse")
        lien.due_on = date(2026, 9, 1)
        ids = rent.id, salary.id, old.id, lien.id
    _, run_id = remind(dev_database.engine, DAY)
    assert run_id is not None
    traces = _stored_traces(dev_database)
    assert {ids[0], ids[1], ids[3]} <= set(traces)
    assert ids[2] not in traces  # forældet: proposed for write-off only, no reminder

    letter, trace = traces[ids[0]]
    assert trace["checked"][:6] == [
        "active", "foraeldelse", "write_off", "in_agreement_elsewhere", "last_on_time", "hold",
    ]  # fmt: skip
    assert trace["values"]["last_on_time"] == {"last_on_time": "2026-10-05"}
    assert "reminder" in trace["fired"] and trace["values"]["reminder"] == {"number": 1}
    assert "fee" in trace["fired"] and letter.fee_ore == 25_000
    assert "transfer_notice" in trace["fired"] and letter.transfer_notice

    _, trace = traces[ids[1]]
    assert "interest" in trace["fired"]
    interest = trace["values"]["interest"]
    assert (interest["from"], interest["to"]) == ("2026-06-01", "2026-11-27")
    with Session(dev_database.engine) as session:
        line = session.scalars(
            select(Claim).where(col(Claim.parent_claim_id) == ids[1], col(Claim.line) == "interest")
        ).one()
        assert line.amount_ore == interest["amount_ore"] > 0

    outcome, _ = remind(dev_database.engine, DAY, dry_run=True)
    [written_off] = [item for item in outcome.write_offs if item.claim_id == ids[2]]
    assert {"foraeldelse", "write_off"} <= set(written_off.rules["fired"])
    assert written_off.rules["values"]["foraeldelse"] == {
        "expires_on": "2026-11-27",
        "basis": "forfaldsdato",
    }

    letter, trace = traces[ids[3]]
    assert "transfer_notice" in trace["checked"] and "transfer_notice" not in trace["fired"]


def test_a_stored_trace_is_compact_and_reads_back_named(dev_database: Database) -> None:
    """Per claim, one ``[name, fired, *values]`` entry per rule checked; named again
    by read_trace with the keys each rule declares."""
    remind(dev_database.engine, DAY)
    with Session(dev_database.engine) as session:
        letter = session.scalars(select(ReminderLetter).order_by(col(ReminderLetter.id))).first()
        assert letter is not None and letter.trace is not None
        stored = next(iter(letter.trace.values()))
    assert stored[0] == ["active", 1]
    named = read_trace(stored)
    assert named["checked"] == [entry[0] for entry in stored]
    assert named["fired"] == [entry[0] for entry in stored if entry[1]]
    [last_on_time] = [entry for entry in stored if entry[0] == "last_on_time"]
    assert named["values"]["last_on_time"] == {"last_on_time": last_on_time[2]}
    assert read_trace(named) == named  # a trace stored named (older runs) reads as it is
