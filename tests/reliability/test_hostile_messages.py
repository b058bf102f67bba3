"""Keep it proven: hostile mail and MeMo files each end in a state, with its reason, and
the pipeline goes on (bounded sizes; each case must finish within seconds)."""

from __future__ import annotations

import base64
import time

import pytest
from sqlmodel import Session

from opkraevning.app.pipeline import run_parse_stage
from opkraevning.mailbox.formats.memo import OutgoingMemo, build_memo
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.store.models import InboundMessage
from tests.conftest import Database

OURS = "opkraevning@norddjurs.dk"
HEAD = f"From: Bo <bo@example.dk>\r\nTo: {OURS}\r\nMessage-ID: <h@example.dk>\r\n"


def _nested(depth: int) -> bytes:
    body = b"Content-Type: text/plain\r\n\r\nInderst\r\n"
    for level in range(depth):
        boundary = f"b{level}".encode()
        body = (
            b"Content-Type: multipart/mixed; boundary=" + boundary + b"\r\n\r\n--" + boundary
            + b"\r\n" + body + b"\r\n--" + boundary + b"--\r\n"
        )  # fmt: skip
    return (HEAD + "Subject: dyb\r\nMIME-Version: 1.0\r\n").encode() + body


def _many_parts(count: int) -> bytes:
    parts = b"".join(
        b"--x\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename=f%d.bin\r\n\r\nAAAA\r\n" % n
        for n in range(count)
    )
    return (
        (HEAD + "Subject: mange dele\r\nMIME-Version: 1.0\r\n").encode()
        + b"Content-Type: multipart/mixed; boundary=x\r\n\r\n"
        + b"--x\r\nContent-Type: text/plain\r\n\r\nSe vedlagte\r\n"
        + parts
        + b"--x--\r\n"
    )


def _memo(text: str = "Jeg vil gerne betale.") -> bytes:
    return build_memo(
        OutgoingMemo(
            sender_cvr="29189919",
            sender_label="Borger",
            recipient_id="0101701234",
            recipient_id_type="CPR",
            recipient_label="Kommunen",
            label="Svar",
            text=text,
            case_id="OPK-1",
            letter_ref="OPK-1-L1",
        )
    )


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(b'<!ENTITY a%d "%s">' % (i, b"&a%s;" % (b"%d" % (i - 1) if i > 1 else b"") * 10)
               for i in range(1, 10))
    + b']><memo:Message xmlns:memo="https://DigitalPost.dk/MeMo-1">&a9;</memo:Message>'
)  # fmt: skip

MAIL = {
    "deep nesting": (_nested(300), None),
    "10,000 parts": (_many_parts(10_000), "more than 50 attachments"),
    "huge subject": ((HEAD + "Subject: " + "x" * 2_000_000 + "\r\n\r\nHej\r\n").encode(), "cut"),
    "100,000 header lines": (
        (
            HEAD + "".join(f"X-H{n}: v\r\n" for n in range(100_000)) + "Subject: s\r\n\r\nHej\r\n"
        ).encode(),
        None,
    ),
    "huge From": (
        (f"From: {'a' * 500_000}@example.dk\r\nSubject: s\r\n\r\nHej\r\n").encode(),
        "From",
    ),
    "bad charset": (
        (HEAD + "Subject: s\r\nContent-Type: text/plain; charset=rot13\r\n\r\nHej\r\n").encode(),
        "unknown charset",
    ),
    "undecodable bytes": (
        (HEAD + "Subject: s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n").encode()
        + b"\xff\xfe\xfd",
        "did not fit",
    ),
    "NUL everywhere": ((HEAD + "Subject: a\x00b\r\n\r\nHej\x00\r\n").encode(), None),
    "encoded From address": (
        (
            f"From: =?utf-8?b?{base64.b64encode(b'karina67@hotmail.com').decode()}?=\r\n"
            "Subject: s\r\n\r\nHej\r\n"
        ).encode(),
        "not exactly one",
    ),
    "broken base64": (
        (HEAD + "Subject: s\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!====\r\n").encode(),
        None,
    ),
    "no header end": (b"Subject: " + b"y" * 100_000, None),
    "empty": (b"", "no readable text body"),
    "one 200,000-letter word": ((HEAD + "Subject: s\r\n\r\n" + "æ" * 200_000).encode(), None),
}
MEMO = {
    "billion laughs": (LAUGHS, "DTD"),
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY e SYSTEM "file:///etc/passwd">]><m>&e;</m>',
        "DTD",
    ),
    "deep XML nesting": (b"<a>" * 100_000 + b"</a>" * 100_000, "not well-formed"),
    "not MeMo": (b"<html><body>hej</body></html>", "not a MeMo"),
    "truncated": (_memo()[:-40], "not well-formed"),
    "large attachment text": (_memo("æ" * (4 * 1024 * 1024)), None),
}


def _run(database: Database, raw: bytes, channel: str) -> InboundMessage:
    with session_scope(database.engine) as session:
        message, _ = store_raw_message(session, raw, channel=channel)
        message_id = message.id
    started = time.perf_counter()
    run_parse_stage(database.engine, [OURS])
    assert time.perf_counter() - started < 60
    with Session(database.engine) as session:
        stored = session.get(InboundMessage, message_id)
        assert stored is not None
        return stored


@pytest.mark.parametrize("case", list(MAIL))
def test_hostile_mail_ends_in_a_state_with_its_reason(database: Database, case: str) -> None:
    raw, reason = MAIL[case]
    stored = _run(database, raw, "smtp")
    assert stored.raw == raw  # the evidence is kept as it came
    assert stored.state in ("needs_review", "drafted", "done", "classified", "quarantined")
    if stored.state == "quarantined":
        assert stored.error
    else:
        assert stored.parsed is not None
    if reason is not None:
        said = " ".join(stored.parsed["mail"]["defects"]) if stored.parsed else stored.error or ""
        assert reason in said, said[:500]


@pytest.mark.parametrize("case", list(MEMO))
def test_hostile_memo_ends_in_a_state_with_its_reason(database: Database, case: str) -> None:
    raw, reason = MEMO[case]
    stored = _run(database, raw, "digital_post")
    assert stored.raw == raw
    if case == "large attachment text":  # read, but only the first 200,000 characters
        assert stored.parsed is not None
        assert len(stored.parsed["memo"]["text"]) == 200_000
    if reason is None:
        assert stored.state != "quarantined", stored.error
    else:
        assert stored.state == "quarantined"
        assert stored.error is not None and reason in stored.error
