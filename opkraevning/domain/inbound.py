"""The inbound pipeline's contracts: the parsed message and the reading.

They are what one stage stores with the message and the next stage (and the screens)
read back, so they are validated both ways. Each carries ``schema_version``; a stored
row without it is version 1 (the dicts before these models), which reads back as it
is except for money: version 1 kept the offer and the stated income as whole kroner
(``offer_monthly_kr``), every version since keeps integer øre. Kroner appear only
where a person reads them (letters, pages, CSV) and in the outputs other tools read
by their old names (``ingest --json``'s ``offer_monthly_kr``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PARSED_SCHEMA_VERSION = 2
READING_SCHEMA_VERSION = 2


class _Contract(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Attachment(_Contract):
    filename: str | None = None
    content_type: str = "application/octet-stream"
    size: int = 0
    disposition: str | None = None


class MailFacts(_Contract):
    """What the parse stage kept of an email (times as ISO strings, as stored)."""

    message_id: str | None = None
    from_address: str | None = None
    from_name: str | None = None
    to: list[str] = Field(default_factory=list)
    reply_to: str | None = None
    return_path: str | None = None
    subject: str = ""
    date: str | None = None
    in_reply_to: str | None = None
    references: list[str] = Field(default_factory=list)
    content_type: str = "text/plain"
    text: str = ""
    text_source: str = "none"
    attachments: list[Attachment] = Field(default_factory=list)
    defects: list[str] = Field(default_factory=list)
    headers: dict[str, str] = Field(default_factory=dict)


class MemoFile(_Contract):
    filename: str
    content_type: str
    size: int
    document: str
    text: str | None = None


class MemoReplyRef(_Contract):
    message_uuid: str
    message_id: str | None = None
    case_id: str | None = None
    additional: dict[str, str] = Field(default_factory=dict)


class MemoFacts(_Contract):
    """What the parse stage kept of a Digital Post (MeMo) message."""

    version: str
    message_uuid: str
    message_id: str | None = None
    label: str = ""
    sender_id: str
    sender_id_type: str
    sender_label: str | None = None
    recipient_id: str
    recipient_id_type: str
    created: str | None = None
    text: str = ""
    files: list[MemoFile] = Field(default_factory=list)
    replies_to: list[MemoReplyRef] = Field(default_factory=list)


class MachineVerdict(_Contract):
    kind: Literal["human", "auto_reply", "bounce", "delivered", "feedback"] = "human"
    reasons: list[str] = Field(default_factory=list)
    failed_recipients: list[str] = Field(default_factory=list)
    statuses: list[str] = Field(default_factory=list)


class ThreadRef(_Contract):
    """The letter of ours a message answers, and whether the sender fits it."""

    letter_id: int
    via: str
    trusted: bool
    reason: str
    debtor_id: str | None = None


class MatchEvidence(_Contract):
    kind: str
    debtor_id: str | None = None
    field: str
    value: str  # a CPR number is masked
    score: float = 100.0


class NamedDate(_Contract):
    date: date
    phrase: str


def _known(version: Any, newest: int, what: str) -> None:
    if not isinstance(version, int) or not 1 <= version <= newest:
        raise ValueError(f"{what} schema version {version!r} is not one this program knows")


def _kroner_to_ore(data: Any, names: tuple[str, ...]) -> Any:
    """A version 1 row: whole kroner under ``*_kr`` become øre under ``*_ore``."""
    if not isinstance(data, dict):
        return data
    _known(data.get("schema_version", 1), READING_SCHEMA_VERSION, "reading")
    if data.get("schema_version", 1) != 1:
        return data
    data = dict(data)
    for name in names:
        kroner = data.pop(f"{name}_kr", None)
        if f"{name}_ore" not in data:
            data[f"{name}_ore"] = kroner * 100 if kroner is not None else None
    data["schema_version"] = READING_SCHEMA_VERSION
    return data


class Reading(_Contract):
    """Who wrote, about which claims, what they want and offer — with the evidence."""

    schema_version: int = READING_SCHEMA_VERSION
    debtor_id: str | None
    claim_ids: list[str]
    intent: str
    intents: list[str]
    verified_sender: bool
    offer_monthly_ore: int | None = None
    auto_reply: bool
    bounce: bool
    confidence: float
    evidence: list[MatchEvidence] = Field(default_factory=list)
    text: str = ""
    candidates: list[str] = Field(default_factory=list)
    match_reason: str = ""
    claim_reason: str = ""
    intent_cues: dict[str, list[str]] = Field(default_factory=dict)
    offer_phrase: str | None = None
    dates: list[NamedDate] = Field(default_factory=list)  # dates the writer names
    income_monthly_ore: int | None = None  # a stated net income, for the tabeltræk benchmark
    children: bool = False  # the writer mentions children (forsørgerpligt)
    # False: the offer may be misread, so a proposal built on it goes to a caseworker
    # (the reader always sets it; crafted readings in tests and old rows count as sure)
    offer_certain: bool = True
    intent_probability: float | None = None  # the trained model's, for the chosen intent
    intent_features: list[dict[str, Any]] = Field(default_factory=list)  # what decided, weighted
    on_behalf_of: str | None = None  # who writes when it is not the debtor (never verified)
    on_behalf_of_evidence: list[str] = Field(default_factory=list)
    hardship: list[str] = Field(default_factory=list)  # illness, unemployment, divorce, …
    hardship_evidence: dict[str, str] = Field(default_factory=dict)
    first_payment_on: date | None = None  # the first (or deferred) payment the writer wishes
    first_payment_phrase: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _old_rows(cls, data: Any) -> Any:
        return _kroner_to_ore(data, ("offer_monthly", "income_monthly"))

    @property
    def offer_monthly_kr(self) -> int | None:
        """Whole kroner, for the outputs that have always said kroner."""
        return None if self.offer_monthly_ore is None else self.offer_monthly_ore // 100

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class ParsedMessage(_Contract):
    """The parse stage's output; the read stage adds ``reading``."""

    schema_version: int = PARSED_SCHEMA_VERSION
    kind: Literal["mail", "memo"]
    mail: MailFacts | None = None
    memo: MemoFacts | None = None
    new_text: str = ""
    body: str = ""
    signoff: str = ""
    quoted: str = ""
    machine: MachineVerdict = Field(default_factory=MachineVerdict)
    thread: ThreadRef | None = None
    reading: Reading | None = None

    @model_validator(mode="before")
    @classmethod
    def _old_rows(cls, data: Any) -> Any:
        """Version 1 differs only in its reading, which upgrades itself."""
        if isinstance(data, dict):
            _known(data.get("schema_version", 1), PARSED_SCHEMA_VERSION, "parsed message")
            data = {**data, "schema_version": PARSED_SCHEMA_VERSION}
        return data

    @model_validator(mode="after")
    def _one_source(self) -> ParsedMessage:
        if (self.mail is None) == (self.memo is None) or (self.kind == "mail") != bool(self.mail):
            raise ValueError("a parsed message is either mail (with mail) or memo (with memo)")
        return self

    @property
    def subject(self) -> str:
        return self.memo.label if self.memo else (self.mail.subject if self.mail else "")

    @property
    def sender_address(self) -> str | None:
        return self.mail.from_address if self.mail else None

    @property
    def sender_name(self) -> str | None:
        return self.memo.sender_label if self.memo else (self.mail.from_name if self.mail else None)

    @property
    def memo_sender_id(self) -> str | None:
        return self.memo.sender_id if self.memo else None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=False)
