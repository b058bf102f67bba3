"""``opkraevning ingest`` and ``opkraevning eval``: the whole pipeline on files, as JSON."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
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
        "text": reading.text,
        "draft": draft.to_json() if draft else None,
    }


@dataclass
class EvalReport:
    total: int = 0
    answered: int = 0
    answered_right: int = 0
    labelled: int = 0
    found: int = 0
    null_labels: int = 0
    abstained: int = 0
    claims_right: int = 0
    intents_right: int = 0
    offers_right: int = 0
    verified_right: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)

    @staticmethod
    def _share(part: int, whole: int) -> str:
        return f"{part}/{whole} = {part / whole:.1%}" if whole else "n/a"

    def lines(self) -> list[str]:
        share = self._share
        out = [
            f"messages                 {self.total}",
            f"debtor precision         {share(self.answered_right, self.answered)}",
            f"debtor recall            {share(self.found, self.labelled)}",
            f"abstention on null       {share(self.abstained, self.null_labels)}",
            f"claim ids exact          {share(self.claims_right, self.total)}",
            f"intent accuracy          {share(self.intents_right, self.total)}",
            f"offer_monthly_kr         {share(self.offers_right, self.total)}",
            f"verified_sender          {share(self.verified_right, self.total)}",
            "intent confusion (label -> answer, only where they differ):",
        ]
        differ = [(pair, n) for pair, n in sorted(self.confusion.items()) if pair[0] != pair[1]]
        out += [f"  {label} -> {answer}: {n}" for (label, answer), n in differ] or ["  none"]
        if self.wrong:
            out.append("wrong answers:")
            out += [f"  {line}" for line in self.wrong]
        return out


def evaluate(results: list[dict[str, Any]], labels: list[dict[str, Any]]) -> EvalReport:
    report = EvalReport()
    by_file = {result["file"]: result for result in results}
    for label in labels:
        got = by_file.get(label["file"], {"debtor_id": None})
        report.total += 1
        expected, answer = label["debtor_id"], got.get("debtor_id")
        if answer is not None:
            report.answered += 1
            report.answered_right += answer == expected
        if expected is not None:
            report.labelled += 1
            report.found += answer == expected
        else:
            report.null_labels += 1
            report.abstained += answer is None
        checks = {
            "debtor": answer == expected,
            "claims": sorted(got.get("claim_ids") or []) == sorted(label["claim_ids"]),
            "intent": got.get("intent") == label["intent"],
            "offer": got.get("offer_monthly_kr") == label["offer_monthly_kr"],
            "verified": got.get("verified_sender") == label["verified_sender"],
        }
        report.claims_right += checks["claims"]
        report.intents_right += checks["intent"]
        report.offers_right += checks["offer"]
        report.verified_right += checks["verified"]
        report.confusion[(label["intent"], str(got.get("intent")))] += 1
        failed = [name for name, ok in checks.items() if not ok]
        if failed:
            report.wrong.append(f"{label['file']}: {', '.join(failed)}")
    return report


def load_labels(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
