from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from opkraevning.app.pipeline import run_parse_stage
from opkraevning.app.register_import import import_register
from opkraevning.mailbox.formats.memo import OutgoingMemo, build_memo
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.store.models import AuditEvent, Debtor, InboundMessage, OutboundLetter
from tests.conftest import DEV_CORPUS, Database

OURS = ["opkraevning@norddjurs.dk"]


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


def test_corpus_mail_is_parsed_and_read(dev_database: Database) -> None:
    database = dev_database
    message_id = _store(database, (DEV_CORPUS / "mail" / "036.eml").read_bytes())
    result = run_parse_stage(database.engine, OURS)
    assert (result.parsed, result.quarantined) == (1, 0)
    message = _message(database, message_id)
    assert message.state == "drafted"
    assert message.debtor_id == "D1100123"
    assert message.claim_ids == ["C11001231"]
    assert message.parsed is not None
    assert message.parsed["reading"]["intent"] == "installment_request"
    assert message.parsed["reading"]["offer_monthly_ore"] == 75_000
    assert message.parsed is not None
    assert "750 kr. pr. måned" in message.parsed["body"]
    assert "2025-144048" not in message.parsed["body"]  # only in the quoted reminder
    assert "2025-144048" in message.parsed["quoted"] or "2025-144048" in (message.subject or "")
    assert message.parsed["machine"]["kind"] == "human"
    with Session(database.engine) as session:
        drafts = session.scalars(
            select(OutboundLetter).where(col(OutboundLetter.inbound_message_id) == message_id)
        ).all()
    by_kind = {draft.kind: draft for draft in drafts}
    assert set(by_kind) <= {"reply", "reply_notice"} and "reply" in by_kind
    reply = by_kind["reply"]
    assert reply.state == "needs_review" and reply.debtor_id == "D1100123"
    assert reply.template.startswith("svar_") and reply.template_version.startswith(reply.template)
    assert reply.legal_refs and reply.trace is not None and reply.trace["situation"]
    assert reply.policy_version


def test_bounce_marks_the_debtors_address_undeliverable(
    database: Database, dev_register: Path
) -> None:
    import_register(database.engine, debtors=dev_register / "debtors.csv")
    message_id = _store(database, (DEV_CORPUS / "mail" / "010.eml").read_bytes())
    run_parse_stage(database.engine, OURS)
    message = _message(database, message_id)
    assert message.parsed is not None
    assert message.parsed["machine"]["kind"] == "bounce"
    with Session(database.engine) as session:
        debtor = session.get(Debtor, "D1100185")
        assert debtor is not None
        assert debtor.email_undeliverable_at is not None
        other = session.get(Debtor, "D1100183")
        assert other is not None and other.email_undeliverable_at is None
        event = session.execute(
            select(AuditEvent).where(col(AuditEvent.action) == "debtor.email_undeliverable")
        ).scalar_one()
        assert event.entity_id == "D1100185"


def _letter(database: Database, recipient: str) -> tuple[int, str]:
    with session_scope(database.engine) as session:
        letter = OutboundLetter(
            debtor_id="D1100000",
            kind="reply",
            state="sent",
            channel="email",
            recipient=recipient,
            message_id="<opk-letter-1@norddjurs.dk>",
        )
        session.add(letter)
        session.flush()
        assert letter.id is not None
        return letter.id, "<opk-letter-1@norddjurs.dk>"


def _reply(sender: str, *, in_reply_to: str | None = None, subject: str = "Re: Svar") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = OURS[0]
    message["Subject"] = subject
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    message.set_content(f"Tak for svaret fra {sender}.")
    return message.as_bytes(policy=SMTP)


def test_reply_is_linked_and_trusted_only_when_the_sender_fits(
    database: Database, dev_register: Path
) -> None:
    import_register(database.engine, debtors=dev_register / "debtors.csv")
    letter_id, message_id = _letter(database, "karina67@hotmail.com")
    own = _store(database, _reply("karina67@hotmail.com", in_reply_to=message_id))
    stranger = _store(database, _reply("nabo@example.dk", in_reply_to=message_id))
    token = _store(database, _reply("karina67@hotmail.com", subject=f"Re: Svar [OPK-{letter_id}]"))
    run_parse_stage(database.engine, OURS)
    links: dict[int, dict[str, Any]] = {}
    for key in (own, stranger, token):
        parsed = _message(database, key).parsed
        assert parsed is not None
        links[key] = parsed
    assert links[own]["thread"] == {
        "letter_id": letter_id,
        "via": "in-reply-to",
        "trusted": True,
        "reason": "sender is the address the letter went to",
        "debtor_id": "D1100000",
    }
    assert links[stranger]["thread"]["trusted"] is False
    assert links[token]["thread"]["via"] == "subject-token"
    assert links[token]["thread"]["trusted"] is True


def test_digital_post_reply_links_by_reply_data_and_trusts_the_cpr(
    database: Database, dev_register: Path
) -> None:
    import_register(database.engine, debtors=dev_register / "debtors.csv")
    with session_scope(database.engine) as session:
        letter = OutboundLetter(
            debtor_id="D1100000",
            kind="reply",
            state="sent",
            channel="digital_post",
            message_id="2b8d3c1e-5d0c-4a4e-9a57-0c9e3f1f0a11",
        )
        session.add(letter)
        session.flush()
        letter_id = letter.id
    citizen = build_memo(
        OutgoingMemo(
            sender_cvr="2507563219",  # a citizen's reply carries the citizen as sender
            sender_label="Karina Winther",
            recipient_id="29189919",
            recipient_id_type="CVR",
            recipient_label="Norddjurs Kommune",
            label="Svar: afdrag",
            text="Jeg kan betale 400 kr. om måneden.",
            case_id="OPK-1",
            letter_ref="OPK-1",
            message_uuid="2b8d3c1e-5d0c-4a4e-9a57-0c9e3f1f0a11",
        )
    )
    message_id = _store(database, citizen, channel="digital_post")
    run_parse_stage(database.engine, OURS)
    message = _message(database, message_id)
    assert message.state == "drafted"
    assert message.debtor_id == "D1100000"  # the Digital Post sender's CPR
    assert message.parsed is not None
    assert message.parsed["body"] == "Jeg kan betale 400 kr. om måneden."
    assert message.parsed["reading"]["verified_sender"] is True
    assert message.parsed["memo"]["sender_id"] == "2507563219"
    assert message.parsed["thread"]["letter_id"] == letter_id
    assert message.parsed["thread"]["trusted"] is True


def test_broken_memo_is_quarantined_with_its_error_and_bytes_kept(database: Database) -> None:
    broken = b"<memo:Message xmlns:memo='https://DigitalPost.dk/MeMo-1'><unclosed>"
    message_id = _store(database, broken, channel="digital_post")
    good_id = _store(database, _reply("a@example.dk"))
    result = run_parse_stage(database.engine, OURS)
    assert (result.parsed, result.quarantined) == (1, 1)
    message = _message(database, message_id)
    assert message.state == "quarantined"
    assert message.error is not None and message.error.startswith("parse: not well-formed XML")
    assert message.raw == broken
    assert _message(database, good_id).state == "needs_review"  # nobody to match it to
