"""Response models of the JSON API, so that OpenAPI shows what each path returns.

The keys are the ones the API has always had (other tools read them): the reading is
shown as before, with the offer and the stated income in whole kroner
(``offer_monthly_kr``) although the reading itself keeps øre.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from opkraevning.domain.inbound import Reading
from opkraevning.store.models import OutboundLetter


class LetterOut(BaseModel):
    id: int | None
    kind: str
    state: str
    channel: str
    recipient: str | None
    debtor_id: str | None
    subject: str
    body: str
    original_body: str
    edited: bool
    template: str | None
    template_version: str | None
    legal_refs: list[str]
    approved_by: str | None
    rejected_reason: str | None
    last_error: str | None
    run_id: int | None
    inbound_message_id: int | None

    @classmethod
    def of(cls, letter: OutboundLetter) -> LetterOut:
        return cls(
            id=letter.id,
            kind=letter.kind,
            state=letter.state,
            channel=letter.channel,
            recipient=letter.recipient,
            debtor_id=letter.debtor_id,
            subject=letter.subject,
            body=letter.edited_body if letter.edited_body is not None else letter.body,
            original_body=letter.body,
            edited=letter.edited_body is not None,
            template=letter.template,
            template_version=letter.template_version,
            legal_refs=letter.legal_refs or [],
            approved_by=letter.approved_by,
            rejected_reason=letter.rejected_reason,
            last_error=letter.last_error,
            run_id=letter.run_id,
            inbound_message_id=letter.inbound_message_id,
        )


class EvidenceOut(BaseModel):
    kind: str
    debtor_id: str | None
    field: str
    value: str
    score: float


class NamedDateOut(BaseModel):
    date: str  # ISO date
    phrase: str


class ReadingOut(BaseModel):
    debtor_id: str | None
    claim_ids: list[str]
    intent: str
    intents: list[str]
    verified_sender: bool
    offer_monthly_kr: int | None
    auto_reply: bool
    bounce: bool
    confidence: float
    evidence: list[EvidenceOut]
    text: str
    candidates: list[str]
    match_reason: str
    claim_reason: str
    intent_cues: dict[str, list[str]]
    offer_phrase: str | None
    dates: list[NamedDateOut]
    income_monthly_kr: int | None
    children: bool

    @classmethod
    def of(cls, reading: Reading) -> ReadingOut:
        data: dict[str, Any] = reading.model_dump(mode="json")
        for name in ("offer_monthly", "income_monthly"):
            ore = data.pop(f"{name}_ore")
            data[f"{name}_kr"] = None if ore is None else ore // 100
        return cls.model_validate(data)


class CaseOut(BaseModel):
    id: int | None
    state: str
    channel: str
    model_config = ConfigDict(populate_by_name=True)

    from_: str | None = Field(alias="from")
    subject: str | None
    text: str | None
    quoted: str | None
    reading: ReadingOut | None
    error: str | None
    letters: list[LetterOut]


class LettersOut(BaseModel):
    letters: list[LetterOut]


class InboxMessageOut(BaseModel):
    id: int | None
    received_at: str
    state: str
    intent: str
    model_config = ConfigDict(populate_by_name=True)

    from_: str | None = Field(alias="from")
    subject: str | None
    debtor_id: str | None
    claim_types: list[str]
    draft_id: int | None


class InboxCounts(BaseModel):
    state: dict[str, int]
    intent: dict[str, int]


class InboxOut(BaseModel):
    counts: InboxCounts
    messages: list[InboxMessageOut]


class CountedLettersOut(BaseModel):
    counts: dict[str, int]
    letters: list[LetterOut]


class RunLetterOut(LetterOut):
    debtor_name: str | None


class RunLettersOut(BaseModel):
    counts: dict[str, int]
    letters: list[RunLetterOut]
