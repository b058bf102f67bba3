"""The pipeline's contracts: validated, versioned, and old rows still read back."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from opkraevning.domain.inbound import READING_SCHEMA_VERSION, ParsedMessage, Reading

OLD_READING: dict[str, Any] = {  # as the read stage stored it before the contracts
    "debtor_id": "D1100123",
    "claim_ids": ["C11001231"],
    "intent": "installment_request",
    "intents": ["installment_request"],
    "verified_sender": True,
    "offer_monthly_kr": 750,
    "auto_reply": False,
    "bounce": False,
    "confidence": 0.98,
    "evidence": [
        {
            "kind": "reference",
            "debtor_id": "D1100123",
            "field": "faktura",
            "value": "2025-1",
            "score": 100.0,
        }
    ],
    "text": "Jeg kan betale 750 kr. pr. måned.",
    "candidates": [],
    "match_reason": "reference",
    "claim_reason": "named",
    "intent_cues": {"installment_request": ["betale"]},
    "offer_phrase": "750 kr. pr. måned",
    "dates": [{"date": "2026-12-01", "phrase": "1. december"}],
    "income_monthly_kr": 22000,
    "children": False,
}
OLD_PARSED: dict[str, Any] = {
    "kind": "mail",
    "mail": {
        "from_address": "a@example.dk",
        "from_name": "A",
        "subject": "Afdrag",
        "references": ["<x@y>"],
        "date": "2026-11-20T10:00:00+00:00",
    },
    "new_text": "Jeg kan betale 750 kr. pr. måned.",
    "body": "Jeg kan betale 750 kr. pr. måned.",
    "signoff": "",
    "quoted": "",
    "machine": {"kind": "human", "reasons": [], "failed_recipients": [], "statuses": []},
    "thread": None,
    "reading": OLD_READING,
}


def test_an_old_row_reads_back_with_money_in_ore() -> None:
    parsed = ParsedMessage.model_validate(OLD_PARSED)
    assert parsed.schema_version == 2 and parsed.reading is not None
    reading = parsed.reading
    assert reading.schema_version == READING_SCHEMA_VERSION
    assert (reading.offer_monthly_ore, reading.income_monthly_ore) == (75_000, 2_200_000)
    assert reading.offer_monthly_kr == 750
    assert reading.dates[0].date == date(2026, 12, 1)
    assert reading.evidence[0].field == "faktura"
    assert parsed.subject == "Afdrag" and parsed.sender_address == "a@example.dk"
    stored = parsed.to_json()
    assert "offer_monthly_kr" not in stored["reading"]
    assert stored["reading"]["offer_monthly_ore"] == 75_000
    assert ParsedMessage.model_validate(stored) == parsed  # a new row reads back unchanged


def test_a_new_row_is_not_converted_twice() -> None:
    new = Reading.model_validate(OLD_READING).to_json()
    assert Reading.model_validate(new).offer_monthly_ore == 75_000


@pytest.mark.parametrize(
    "change",
    [
        {"schema_version": 99},  # written by a newer program
        {"kind": "memo"},  # says memo, carries mail
        {"machine": {"kind": "robot"}},
        {"reading": {**OLD_READING, "confidence": "sure"}},
    ],
)
def test_a_row_that_does_not_fit_the_contract_is_refused(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ParsedMessage.model_validate({**OLD_PARSED, **change})
