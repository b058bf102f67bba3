"""Several service instances on one PostgreSQL: workers share the messages, outboxes share
the letters, and nothing is done twice."""

from __future__ import annotations

from collections import Counter
from email.message import EmailMessage

import pytest
from sqlalchemy import select
from sqlmodel import Session

from opkraevning.app.pipeline import run_parse_stage
from opkraevning.mailbox.outbox import Outbox
from opkraevning.settings import load_settings
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.store.models import InboundMessage, OutboundLetter
from tests.conftest import Database
from tests.helpers import together
from tests.mailbox.smtp_sink import smtp_sink

OURS = "opkraevning@norddjurs.dk"


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)  # SQLite: one worker
def test_two_workers_and_two_outboxes_do_everything_once(dev_database: Database) -> None:
    for number in range(30):
        mail = EmailMessage()
        mail["From"] = f"Borger {number} <borger{number}@example.com>"
        mail["To"] = OURS
        mail["Subject"] = f"Spørgsmål {number}"
        mail["Message-ID"] = f"<instances-{number}@example.com>"
        mail.set_content("Hej, hvor meget skylder jeg? Faktura 2025-999999.")
        with session_scope(dev_database.engine) as session:
            store_raw_message(session, mail.as_bytes(), channel="smtp")

    def worker() -> None:
        while run_parse_stage(dev_database.engine, [OURS], limit=5).parsed:
            pass

    together(worker)
    with Session(dev_database.engine) as session:
        messages = session.scalars(select(InboundMessage)).all()
        replies = session.scalars(select(OutboundLetter)).all()
    assert len(messages) == 30
    assert {m.attempts for m in messages} == {3}  # each of the 3 stages took it once
    per_message = Counter(letter.inbound_message_id for letter in replies)
    assert len(per_message) == 30 and set(per_message.values()) == {1}
    with session_scope(dev_database.engine) as session:
        for letter in session.scalars(select(OutboundLetter)).all():
            letter.state, letter.approved_by = "approved", "test"
    with smtp_sink() as sink:
        relay = {"host": "127.0.0.1", "port": sink.port, "starttls": False, "from_address": OURS}
        settings = load_settings(accepted_recipients=[OURS], relay=relay)

        def sender() -> None:
            outbox = Outbox(dev_database.engine, settings)
            while outbox.send_due(limit=3).sent:
                pass

        together(sender)
        recipients = Counter(rcpt for _, rcpts, _ in sink.received for rcpt in rcpts)
    assert len(recipients) == 30 and set(recipients.values()) == {1}
