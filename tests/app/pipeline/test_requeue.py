"""The way back from quarantine: the failure names the real stage; requeue resumes there."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlmodel import Session, col

from opkraevning.app.pipeline import RequeueError, requeue, run_pipeline
from opkraevning.assistant.policy.model import DEFAULT_POLICY
from opkraevning.cli import main
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.store.models import AuditEvent, InboundMessage, OutboundLetter
from tests.conftest import DEV_CORPUS, Database

OURS = ["opkraevning@norddjurs.dk"]
BROKEN_MEMO = b"<memo:Message xmlns:memo='https://DigitalPost.dk/MeMo-1'><unclosed>"


def _store(database: Database, raw: bytes, channel: str = "smtp") -> int:
    with session_scope(database.engine) as session:
        message, _ = store_raw_message(session, raw, channel=channel)
        assert message.id is not None
        return message.id


def _message(database: Database, message_id: int) -> InboundMessage:
    with Session(database.engine) as session:
        message = session.get(InboundMessage, message_id)
        assert message is not None
        return message


def _events(database: Database, action: str) -> list[AuditEvent]:
    with Session(database.engine) as session:
        return list(
            session.scalars(select(AuditEvent).where(col(AuditEvent.action) == action)).all()
        )


def _letters(database: Database, message_id: int) -> list[OutboundLetter]:
    with Session(database.engine) as session:
        query = select(OutboundLetter).where(col(OutboundLetter.inbound_message_id) == message_id)
        return list(session.scalars(query).all())


def _cli(database: Database, *args: str) -> Result:
    env = {"OPKRAEVNING_DATABASE_URL": database.url}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_a_draft_failure_keeps_the_reading_and_requeue_drafts_after_the_fix(
    dev_database: Database, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.toml"  # the operator has not put the policy file in place yet
    message_id = _store(dev_database, (DEV_CORPUS / "mail" / "036.eml").read_bytes())
    first = run_pipeline(dev_database.engine, OURS, policy_path=policy)
    assert (first.parsed, first.read, first.drafted, first.quarantined) == (1, 1, 0, 1)
    message = _message(dev_database, message_id)
    assert message.state == "quarantined" and message.failed_stage == "draft"
    assert message.error is not None and message.error.startswith("draft: PolicyError")
    assert message.parsed is not None  # what parse and read did is kept
    assert message.parsed["reading"]["intent"] == "installment_request"
    assert message.debtor_id == "D1100123"
    assert not _letters(dev_database, message_id)
    assert [e.details for e in _events(dev_database, "message.quarantined")] == [{"stage": "draft"}]

    shutil.copy(DEFAULT_POLICY, policy)
    with session_scope(dev_database.engine) as session:
        done = requeue(session, [message_id], "sb1")
    assert [(d.message_id, d.stage, d.state) for d in done] == [(message_id, "draft", "classified")]
    again = run_pipeline(dev_database.engine, OURS, policy_path=policy)
    assert (again.parsed, again.read, again.drafted, again.quarantined) == (0, 0, 1, 0)
    message = _message(dev_database, message_id)
    assert message.state == "drafted" and message.error is None and message.failed_stage is None
    assert sorted(letter.kind for letter in _letters(dev_database, message_id)) == [
        "reply",
        "reply_notice",
    ]
    (event,) = _events(dev_database, "message.requeued")
    assert event.actor == "sb1" and event.entity_id == str(message_id)
    assert event.details is not None and event.details["stage"] == "draft"
    assert event.details["error"].startswith("draft: PolicyError")


def test_requeue_refuses_unknown_and_unquarantined_messages(dev_database: Database) -> None:
    message_id = _store(dev_database, (DEV_CORPUS / "mail" / "036.eml").read_bytes())
    run_pipeline(dev_database.engine, OURS)
    for wrong, words in ((message_id, "ikke sat til side"), (999999, "findes ikke")):
        with session_scope(dev_database.engine) as session:
            try:
                requeue(session, [wrong], "sb1")
            except RequeueError as exc:
                assert words in str(exc)
            else:
                raise AssertionError(f"message {wrong} was requeued")
    assert _message(dev_database, message_id).state == "drafted"
    assert not _events(dev_database, "message.requeued")


def test_a_message_quarantined_before_stages_were_recorded_goes_back_to_parse(
    dev_database: Database,
) -> None:
    message_id = _store(dev_database, (DEV_CORPUS / "mail" / "036.eml").read_bytes())
    with session_scope(dev_database.engine) as session:  # a row as the old pipeline left it
        message = session.get(InboundMessage, message_id)
        assert message is not None
        message.state, message.error = "quarantined", "parse: KeyError: 'x'"
        session.add(message)
    with session_scope(dev_database.engine) as session:
        (done,) = requeue(session, None, "sb1")
    assert (done.stage, done.state) == ("parse", "received")
    result = run_pipeline(dev_database.engine, OURS)
    assert (result.parsed, result.drafted, result.quarantined) == (1, 1, 0)
    assert _message(dev_database, message_id).state == "drafted"


def test_the_requeue_command_sends_every_quarantined_message_back(
    dev_database: Database, tmp_path: Path
) -> None:
    broken = _store(dev_database, BROKEN_MEMO, channel="digital_post")
    good = _store(dev_database, (DEV_CORPUS / "mail" / "036.eml").read_bytes())
    run_pipeline(dev_database.engine, OURS, policy_path=tmp_path / "missing.toml")
    assert _message(dev_database, broken).failed_stage == "parse"
    assert _message(dev_database, good).failed_stage == "draft"

    neither = _cli(dev_database, "requeue")
    assert neither.exit_code == 2 and "--all" in neither.output
    result = _cli(dev_database, "requeue", "--all")
    assert result.exit_code == 0, result.output
    assert f"message {broken}: back to the parse stage (parse: not well-formed XML" in result.output
    assert f"message {good}: back to the draft stage (draft: PolicyError" in result.output
    assert "2 requeued" in result.output
    assert _message(dev_database, broken).state == "received"
    assert _message(dev_database, good).state == "classified"
    assert {e.entity_id for e in _events(dev_database, "message.requeued")} == {
        str(broken),
        str(good),
    }
    assert all(e.actor.startswith("cli:") for e in _events(dev_database, "message.requeued"))

    after = run_pipeline(dev_database.engine, OURS)  # the memo is still broken
    assert (after.parsed, after.drafted, after.quarantined) == (0, 1, 1)
    assert _message(dev_database, broken).attempts == 2  # one per try (a failed run rolls back)
    unknown = _cli(dev_database, "requeue", str(good), "999999")
    assert unknown.exit_code == 1
    assert "ikke sat til side" in unknown.output and "999999 findes ikke" in unknown.output
