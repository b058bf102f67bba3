from __future__ import annotations

import os
import time
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
from opkraevning.mailbox.sources.digital_post import DropDirectory, NgdpClient, poll_drop_dir
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
        (b"<?xml version='1.0'?><!-- <a --><!doctype x [<!ENTITY e 'x'>]><x>&e;</x>", "DTD"),
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


# -- issue 15 items 4 and 5: complete files only, nothing moved unstored, large MeMo --------


def test_a_file_written_in_two_parts_is_taken_only_when_complete(
    database: Database, tmp_path: Path
) -> None:
    complete = _citizen_memo()
    path = tmp_path / "a.xml"
    drop = DropDirectory(tmp_path)
    path.write_bytes(complete[: len(complete) // 2])
    assert drop.poll(database.engine).stored == 0  # first sight: never taken
    with path.open("ab") as out:
        out.write(complete[len(complete) // 2 :])
    assert drop.poll(database.engine).stored == 0  # it changed since the last poll
    assert drop.poll(database.engine).stored == 1  # stable across two polls
    [message] = _stored(database)
    assert message.raw == complete
    assert [p.name for p in (tmp_path / "processed").iterdir()] == ["a.xml"]
    assert not (tmp_path / "invalid").exists()


def test_a_half_file_that_stops_for_a_while_is_not_set_aside_unstored(
    database: Database, tmp_path: Path
) -> None:
    """The sender pauses longer than a poll: the half is not MeMo, so it waits to settle."""
    complete = _citizen_memo()
    path = tmp_path / "a.xml"
    drop = DropDirectory(tmp_path, settle_seconds=60)
    path.write_bytes(complete[: len(complete) // 2])
    for _ in range(3):
        assert drop.poll(database.engine).stored == 0
    assert _stored(database) == [] and path.exists()
    with path.open("ab") as out:
        out.write(complete[len(complete) // 2 :])
    drop.poll(database.engine)
    assert drop.poll(database.engine).stored == 1
    assert [m.raw for m in _stored(database)] == [complete]
    assert not (tmp_path / "invalid").exists()


def test_a_broken_file_that_settled_is_stored_then_set_aside(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "b.xml"
    path.write_bytes(BROKEN)
    old = time.time() - 120
    os.utime(path, (old, old))
    drop = DropDirectory(tmp_path, settle_seconds=60)
    drop.poll(database.engine)
    assert drop.poll(database.engine).invalid == 1
    assert [m.raw for m in _stored(database)] == [BROKEN]
    assert (tmp_path / "invalid" / "b.xml").read_bytes() == BROKEN


def test_a_half_file_stable_over_one_poll_is_still_not_taken_before_it_settles(
    database: Database, tmp_path: Path
) -> None:
    complete = _citizen_memo()
    path = tmp_path / "b.xml"
    drop = DropDirectory(tmp_path)
    path.write_bytes(complete[:100])
    drop.poll(database.engine)
    path.write_bytes(complete)  # rewritten before the next poll
    assert drop.poll(database.engine).stored == 0
    assert drop.poll(database.engine).stored == 1
    assert [m.raw for m in _stored(database)] == [complete]


def test_a_directory_named_xml_blocks_nothing_and_temporary_names_wait(
    database: Database, tmp_path: Path
) -> None:
    (tmp_path / "a.xml").mkdir()
    (tmp_path / "b.xml").write_bytes(_citizen_memo())
    (tmp_path / "c.xml.tmp").write_bytes(_citizen_memo("skrives stadig"))
    (tmp_path / ".d.xml").write_bytes(_citizen_memo("skjult"))
    drop = DropDirectory(tmp_path)
    drop.poll(database.engine)
    assert drop.poll(database.engine).stored == 1
    assert (tmp_path / "a.xml").is_dir()
    assert (tmp_path / "c.xml.tmp").exists() and (tmp_path / ".d.xml").exists()
    assert poll_drop_dir(database.engine, tmp_path).stored == 0  # and the one-shot too


def _break_inserts(database: Database) -> None:
    with database.engine.begin() as connection:
        if database.kind == "sqlite":
            connection.exec_driver_sql(
                "CREATE TRIGGER fail_insert BEFORE INSERT ON inbound_message "
                "BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION fail_insert() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'simulated disk failure'; END $$ LANGUAGE plpgsql"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER fail_insert BEFORE INSERT ON inbound_message "
                "FOR EACH ROW EXECUTE FUNCTION fail_insert()"
            )


def _mend_inserts(database: Database) -> None:
    with database.engine.begin() as connection:
        connection.exec_driver_sql(
            "DROP TRIGGER fail_insert"
            + ("" if database.kind == "sqlite" else " ON inbound_message")
        )
        if database.kind != "sqlite":
            connection.exec_driver_sql("DROP FUNCTION fail_insert()")


def test_a_file_that_could_not_be_stored_is_never_moved(database: Database, tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_bytes(_citizen_memo())
    (tmp_path / "b.xml").write_bytes(BROKEN)
    drop = DropDirectory(tmp_path, settle_seconds=0)
    _break_inserts(database)
    drop.poll(database.engine)
    assert drop.poll(database.engine).stored == 0  # no exception: the service goes on
    assert sorted(p.name for p in tmp_path.glob("*.xml")) == ["a.xml", "b.xml"]
    assert not (tmp_path / "processed").exists() and not (tmp_path / "invalid").exists()
    _mend_inserts(database)
    drop.poll(database.engine)
    assert drop.poll(database.engine).stored == 2
    assert list(tmp_path.glob("*.xml")) == []
    assert len(_stored(database)) == 2


def test_a_large_memo_is_read_and_entities_stay_off() -> None:
    text = "Vedlagt kontoudtog.\n" + "æ" * (4 * 1024 * 1024)  # 8 MiB UTF-8, ~11 MB base64
    raw = _citizen_memo(text)
    assert len(raw) > 10_000_000
    memo = parse_memo(raw)
    assert memo.text == text[:200_000]  # read like a mail's text; the raw keeps it all
    assert memo.files[0].size == len(text.encode())
    with pytest.raises(MemoError, match="over the limit"):
        parse_memo(raw, max_bytes=len(raw) - 1)
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            b'<!ENTITY a%d "%s">' % (i, b"&a%s;" % (str(i - 1).encode() if i > 1 else b"") * 10)
            for i in range(1, 10)
        )
        + b']><memo:Message xmlns:memo="https://DigitalPost.dk/MeMo-1" x="&a9;">&a9;</memo:Message>'
    )
    with pytest.raises(MemoError, match="DTD"):
        parse_memo(laughs)


def test_a_memo_over_the_limit_is_left_in_the_drop_directory(
    database: Database, tmp_path: Path
) -> None:
    raw = _citizen_memo("x" * 5000)
    (tmp_path / "big.xml").write_bytes(raw)
    drop = DropDirectory(tmp_path, max_bytes=len(raw) - 1)
    drop.poll(database.engine)
    assert drop.poll(database.engine).stored == 0
    assert (tmp_path / "big.xml").read_bytes() == raw
    assert _stored(database) == []
