"""Issue 15 item 8 end to end: an encoded-word From never makes a verified sender."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select
from sqlmodel import Session

from opkraevning.app.pipeline import run_parse_stage
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.store.models import InboundMessage, OutboundLetter
from tests.conftest import Database

OURS = ["opkraevning@norddjurs.dk"]
DEBTOR_EMAIL = "karina67@hotmail.com"  # D1100000 in the dev register


def _b64(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


@pytest.mark.parametrize(
    "from_",
    [
        _b64(DEBTOR_EMAIL),
        _b64(f"{DEBTOR_EMAIL}, other@evil.example"),
        f"{_b64('Karina <' + DEBTOR_EMAIL + '>')} <attacker@evil.example>",
    ],
)
def test_encoded_from_is_not_the_debtor(dev_database: Database, from_: str) -> None:
    raw = (
        f"From: {from_}\r\nTo: {OURS[0]}\r\nSubject: Min gæld\r\nMessage-ID: <t1@evil.example>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hej. Hvor meget skylder jeg? Jeg vil gerne betale.\r\n"
    ).encode()
    with session_scope(dev_database.engine) as session:
        message, _ = store_raw_message(session, raw, channel="smtp")
        message_id = message.id
    assert run_parse_stage(dev_database.engine, OURS).parsed == 1
    with Session(dev_database.engine) as session:
        stored = session.get(InboundMessage, message_id)
        assert stored is not None and stored.parsed is not None
        assert stored.parsed["reading"]["verified_sender"] is False
        assert stored.from_address in (None, "attacker@evil.example")
        letters = session.scalars(select(OutboundLetter)).all()
    for letter in letters:
        assert letter.recipient is None or "," not in letter.recipient
        assert letter.recipient != DEBTOR_EMAIL
        assert "kr." not in letter.body  # nothing about a debt to an unverified sender
