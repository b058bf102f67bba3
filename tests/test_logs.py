"""Structured logs: JSON lines with the message in hand and no CPR number."""

from __future__ import annotations

import io
import json
import logging

from opkraevning.app.pipeline import run_parse_stage
from opkraevning.logs import handler, message_context
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from tests.conftest import DEV_CORPUS, Database


def _capture() -> tuple[io.StringIO, logging.Handler]:
    stream = io.StringIO()
    out = handler(stream, "json")
    logging.getLogger().addHandler(out)
    logging.getLogger().setLevel(logging.INFO)
    return stream, out


def test_every_line_names_the_message_and_masks_cpr() -> None:
    stream, out = _capture()
    try:
        log = logging.getLogger("opkraevning.test")
        with message_context("in-7"):
            log.warning("citizen wrote 010465-0804 and 2507563219")
            try:
                raise ValueError("cpr 0104650804 in a traceback")
            except ValueError:
                log.exception("failed")
        log.info("between messages")
    finally:
        logging.getLogger().removeHandler(out)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["message_id"] for line in lines] == ["in-7", "in-7", "-"]
    assert lines[0]["msg"] == "citizen wrote 010465-**** and 250756-****"
    assert "0104650804" not in lines[1]["exc"] and "010465-****" in lines[1]["exc"]
    assert {"ts", "level", "logger"} <= set(lines[0])


def test_the_pipeline_logs_each_message_with_its_id(dev_database: Database) -> None:
    with session_scope(dev_database.engine) as session:
        good, _ = store_raw_message(
            session, (DEV_CORPUS / "mail" / "002.eml").read_bytes(), channel="smtp"
        )
        bad, _ = store_raw_message(session, b"<memo:Message>broken", channel="digital_post")
        ids = (good.id, bad.id)
    stream, out = _capture()
    try:
        run_parse_stage(dev_database.engine, ["opkraevning@norddjurs.dk"])
    finally:
        logging.getLogger().removeHandler(out)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    ours = [line for line in lines if line["logger"] == "opkraevning.app.pipeline"]
    assert {line["message_id"] for line in ours} == {f"in-{ids[0]}", f"in-{ids[1]}"}
    assert any("quarantined" in line["msg"] for line in ours)
    assert "010465-0804" not in stream.getvalue()  # 002.eml carries a CPR number
