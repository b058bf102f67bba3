from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import Session

from opkraevning.mailbox.formats.memo import (
    MemoError,
    OutgoingMemo,
    build_memo,
    parse_memo,
    validation_errors,
)
from opkraevning.mailbox.sources.digital_post import NgdpClient, poll_drop_dir
from opkraevning.store.models import InboundMessage
from tests.conftest import SHARED, Database
from tests.mailbox.ngdp_standin import TOKEN, ngdp_standin

EXAMPLES = SHARED / "memo" / "examples-1.2"
BROKEN = b"<?xml version='1.0'?><memo:Message xmlns:memo='https://DigitalPost.dk/MeMo-1'>"


def _citizen_memo(text: str = "Jeg vil gerne betale 300 kr. om måneden.") -> bytes:
    return build_memo(
        OutgoingMemo(
            sender_cvr="29189919",
            sender_label="Norddjurs Kommune",
            recipient_id="0101701234",
            recipient_id_type="CPR",
            recipient_label="Ane Sørensen",
            label="Afdragsordning",
            text=text,
            case_id="OPK-9",
            letter_ref="OPK-9-L1",
        )
    )


def _stored(database: Database) -> list[InboundMessage]:
    with Session(database.engine) as session:
        return list(session.execute(select(InboundMessage)).scalars())


def test_reads_memo_1_2_examples_with_reply_data_and_files() -> None:
    full = parse_memo((EXAMPLES / "MeMo_Full_Example.xml").read_bytes())
    assert full.version == "1.2"
    assert full.message_uuid == "8C2EA15D-61FB-4BA9-9366-42F8B194C114"
    assert full.label == "Besked fra Børneforvaltningen"
    assert (full.sender_id, full.sender_id_type) == ("12345678", "CVR")
    assert (full.recipient_id, full.recipient_id_type) == ("2211771212", "CPR")
    assert [ref.case_id for ref in full.replies_to] == ["SAG-456", "SAG-4567"]
    assert full.replies_to[0].additional == {"Intern note": "tekst", "Intern reference": "tekst"}
    assert full.text == "This is a test"
    assert {f.filename for f in full.files} >= {"Pladsanvisning.pdf", "vejledning.pdf"}
    assert full.created is not None and full.created.year == 2018
    minimum = parse_memo((EXAMPLES / "MeMo_Minimum_Example.xml").read_bytes())
    assert minimum.text == ""
    assert [(f.filename, f.size) for f in minimum.files] == [("Pladsanvisning.pdf", 14)]


def test_writes_memo_1_1_that_validates_and_reads_back() -> None:
    xml = _citizen_memo("Kære Ane\n\nVi har modtaget din betaling på 1.234,50 kr.")
    assert validation_errors(xml) == []
    memo = parse_memo(xml)
    assert memo.version == "1.1"
    assert memo.text == "Kære Ane\n\nVi har modtaget din betaling på 1.234,50 kr."
    assert memo.replies_to[0].case_id == "OPK-9"
    assert memo.replies_to[0].additional == {"opkraevning": "OPK-9-L1"}


def test_schema_catches_a_broken_message() -> None:
    xml = _citizen_memo().replace(b"<memo:label>Afdragsordning</memo:label>", b"", 1)
    assert validation_errors(xml)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (BROKEN, "not well-formed XML"),
        (b"<html><body>hej</body></html>", "not a MeMo message"),
        (b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "not a MeMo"),
    ],
)
def test_unreadable_memo_says_why(raw: bytes, reason: str) -> None:
    with pytest.raises(MemoError, match=reason):
        parse_memo(raw)


def test_drop_directory_stores_then_moves_and_keeps_invalid_bytes(
    database: Database, tmp_path: Path
) -> None:
    (tmp_path / "a.xml").write_bytes(_citizen_memo())
    (tmp_path / "b.xml").write_bytes(BROKEN)
    (tmp_path / "c.xml").write_bytes((EXAMPLES / "MeMo_Full_Example.xml").read_bytes())
    result = poll_drop_dir(database.engine, tmp_path)
    assert (result.stored, result.invalid) == (3, 1)
    assert sorted(p.name for p in (tmp_path / "processed").iterdir()) == ["a.xml", "c.xml"]
    assert [p.name for p in (tmp_path / "invalid").iterdir()] == ["b.xml"]
    assert list(tmp_path.glob("*.xml")) == []
    stored = _stored(database)
    assert {m.channel for m in stored} == {"digital_post"}
    assert BROKEN in {m.raw for m in stored}
    assert "8C2EA15D-61FB-4BA9-9366-42F8B194C114" in {m.message_id for m in stored}
    # the same file dropped again (a crash before the move) is not stored twice
    processed = (tmp_path / "processed" / "a.xml").read_bytes()
    (tmp_path / "a.xml").write_bytes(processed)
    again = poll_drop_dir(database.engine, tmp_path)
    assert (again.stored, again.duplicates) == (0, 1)
    assert len(_stored(database)) == 3


def test_ngdp_pull_receipts_only_after_storing(database: Database) -> None:
    with ngdp_standin() as (url, state):
        state.waiting = {"m1": _citizen_memo(), "m2": BROKEN}
        client = NgdpClient(url, TOKEN)
        result = client.pull_once(database.engine)
        client.close()
        assert (result.stored, result.invalid) == (2, 1)
        assert state.waiting == {}
        statuses = {memo_id: (status, reason) for memo_id, status, reason in state.receipts}
        assert statuses["m1"] == ("COMPLETED", None)
        assert statuses["m2"][0] == "INVALID"
        assert statuses["m2"][1] is not None and "not well-formed XML" in statuses["m2"][1]
    assert {m.raw for m in _stored(database)} == {_citizen_memo_raw(database), BROKEN}


def _citizen_memo_raw(database: Database) -> bytes:
    return next(m.raw for m in _stored(database) if m.raw != BROKEN)


def test_ngdp_failed_receipt_means_the_memo_comes_again_and_is_stored_once(
    database: Database,
) -> None:
    with ngdp_standin() as (url, state):
        state.waiting = {"m1": _citizen_memo()}
        state.fail_next_receipt = True
        client = NgdpClient(url, TOKEN)
        with pytest.raises(httpx.HTTPStatusError):
            client.pull_once(database.engine)
        assert len(_stored(database)) == 1  # stored before the receipt was tried
        assert "m1" in state.waiting
        second = client.pull_once(database.engine)
        client.close()
        assert (second.stored, second.duplicates) == (0, 1)
        assert state.receipts == [("m1", "COMPLETED", None)]
    assert len(_stored(database)) == 1


def test_ngdp_wrong_token_is_refused(database: Database) -> None:
    with ngdp_standin() as (url, state):
        state.waiting = {"m1": _citizen_memo()}
        client = NgdpClient(url, "wrong")
        with pytest.raises(httpx.HTTPStatusError):
            client.pull_once(database.engine)
        client.close()
    assert _stored(database) == []
