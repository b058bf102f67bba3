"""``opkraevning ingest`` and ``opkraevning eval``: the whole pipeline on files, as JSON."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from opkraevning.app.pipeline import draft_stage, parse_message, read_stage
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.store.models import Channel, InboundMessage, MessageState


def ingest_file(
    engine: Engine, path: Path, own: list[str], today: date, policy_path: Path | None = None
) -> dict[str, Any]:
    """Store (deduplicated), parse, read and draft one mail or MeMo file; the stable JSON
    shape. One transaction for the three stages: a file is handled whole or not at all."""
    raw = path.read_bytes()
    channel = Channel.DIGITAL_POST if path.suffix.lower() == ".xml" else Channel.FILE
    with session_scope(engine) as session:
        message, _ = store_raw_message(session, raw, channel=channel.value)
        message_id = message.id
    with session_scope(engine) as session:
        stored = session.get(InboundMessage, message_id)
        assert stored is not None
        stage = "parse"
        try:
            parse_message(session, stored, {a.lower() for a in own})
            stage = "read"
            reading = read_stage(session, stored, today)
            stage = "draft"
            draft = draft_stage(session, stored, reading, today, policy_path)
        except Exception as exc:
            stored.state = MessageState.QUARANTINED.value
            stored.error = f"{type(exc).__name__}: {exc}"
            stored.failed_stage = stage
            session.add(stored)
            return {"file": path.name, "error": stored.error, "debtor_id": None}
    return {
        "file": path.name,
        "debtor_id": reading.debtor_id,
        "claim_ids": reading.claim_ids,
        "intent": reading.intent,
        "intents": reading.intents,
        "verified_sender": reading.verified_sender,
        "offer_monthly_kr": reading.offer_monthly_kr,
        "auto_reply": reading.auto_reply,
        "bounce": reading.bounce,
        "confidence": reading.confidence,
        "evidence": [item.model_dump(mode="json") for item in reading.evidence],
        "on_behalf_of": reading.on_behalf_of,
        "hardship": reading.hardship,
        "first_payment_on": (
            reading.first_payment_on.isoformat() if reading.first_payment_on else None
        ),
        "text": reading.text,
        "draft": draft.to_json() if draft else None,
    }
