"""The outbound letters' contract: the trace stored with every letter.

A letter row keeps, beside its text, why it was written: for a reply the situation, the
proposal, the actions that take effect when a caseworker approves it and the reasons;
for a run's letter the rules that fired per claim; for a notice the letter it points to.
Casework (approval applies the actions, an agreement is made from the proposal) and the
case page read it back, so it is validated both ways. It carries ``schema_version``; a
row without it is version 1 (the dicts before this model), which has the same fields and
reads back as it is. Money is integer øre, days are dates (ISO text in the row).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    SerializerFunctionWrapHandler,
    Tag,
    model_serializer,
    model_validator,
)

TRACE_SCHEMA_VERSION = 2


class _Contract(BaseModel):
    model_config = ConfigDict(extra="ignore")


class HoldAction(_Contract):
    """Put the claims on hold (dispute, henstand, estate) until a day or until lifted."""

    action: Literal["hold"] = "hold"
    reason: str
    claim_ids: list[str] = Field(default_factory=list)
    until: date | None = None


class AgreementAction(_Contract):
    """Make the proposed installment agreement (active when the offer was accepted)."""

    action: Literal["agreement"] = "agreement"
    monthly_ore: int | None = None
    claim_ids: list[str] = Field(default_factory=list)
    first_due_on: date | None = None
    needs_caseworker: bool = False


class CaseworkerAction(_Contract):
    """A person must act: ``task`` says what, ``due_on`` by when (e.g. the proklama)."""

    action: Literal["caseworker"] = "caseworker"
    reason: str
    task: str | None = None
    due_on: date | None = None

    @model_serializer(mode="wrap")
    def _without_empty_task(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Without a task it is the action as it always was: {"action", "reason"}."""
        data: dict[str, Any] = handler(self)
        return {key: value for key, value in data.items() if value is not None}


class ContactAction(_Contract):
    """The writer asks us to change contact details given in the message."""

    action: Literal["update_contact"] = "update_contact"
    text_in_message: bool = True


DraftAction = Annotated[
    HoldAction | AgreementAction | CaseworkerAction | ContactAction,
    Field(discriminator="action"),
]


class ProposedClaim(_Contract):
    id: str
    claim_type: str
    reference: str
    remaining_ore: int
    status: str
    payment_id: str | None = None
    due_on: date | None = None


class ExcludedClaim(_Contract):
    claim: ProposedClaim
    reason: str


class Installment(_Contract):
    number: int
    due_on: date
    amount_ore: int
    interest_ore: int = 0


class InstallmentProposal(_Contract):
    """An installment proposal as the draft stored it (``Proposal.to_json``); keys a newer
    drafting adds are kept (``extra="allow"``)."""

    model_config = ConfigDict(extra="allow")
    decision: str  # accept, counter, refuse (or caseworker: held for a person)
    reasons: list[str] = Field(default_factory=list)
    claims: list[ProposedClaim] = Field(default_factory=list)
    excluded: list[ExcludedClaim] = Field(default_factory=list)
    offer_ore: int | None = None
    required_ore: int = 0
    monthly_ore: int | None = None
    benchmark_ore: int | None = None
    schedule: list[Installment] = Field(default_factory=list)
    total_ore: int = 0
    interest_ore: int = 0
    needs_caseworker: bool = False
    legal_refs: list[str] = Field(default_factory=list)


class ExcludedId(_Contract):
    claim_id: str
    reason: str


class DeferralProposal(_Contract):
    """A henstand decision as the draft stored it (``DeferralDecision.to_json``)."""

    model_config = ConfigDict(extra="allow")
    decision: str  # accept, counter, refuse
    requested: date | None = None
    until: date | None = None
    reasons: list[str] = Field(default_factory=list)
    claim_ids: list[str] = Field(default_factory=list)
    excluded: list[ExcludedId] = Field(default_factory=list)
    legal_refs: list[str] = Field(default_factory=list)


def _proposal_kind(value: Any) -> str:
    keys = value if isinstance(value, dict) else vars(value)
    return "deferral" if "claim_ids" in keys or "until" in keys else "installment"


StoredProposal = Annotated[
    Annotated[InstallmentProposal, Tag("installment")]
    | Annotated[DeferralProposal, Tag("deferral")],
    Discriminator(_proposal_kind),
]


class RuleTrace(_Contract):
    """One claim's rules in a reminder run: checked in order, fired, the values used."""

    checked: list[str] = Field(default_factory=list)
    fired: list[str] = Field(default_factory=list)
    values: dict[str, Any] = Field(default_factory=dict)


class LetterTrace(_Contract):
    """Why a letter was written; which fields are set depends on the letter's kind."""

    schema_version: int = TRACE_SCHEMA_VERSION
    # a reply to a message (the draft stage)
    situation: str | None = None
    actions: list[DraftAction] = Field(default_factory=list)
    proposal: StoredProposal | None = None
    reasons: list[str] = Field(default_factory=list)
    # the email that says where a Digital Post answer is
    notice_for: int | None = None
    # a letter of the reminder run: its row there and the rules per claim
    reminder_letter_id: int | None = None
    rules: dict[str, RuleTrace] | None = None
    # an agreement's confirmation; a notice of transfer
    agreement_id: int | None = None
    claim_ids: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _old_rows(cls, data: Any) -> Any:
        """Version 1 has the same fields; an unknown (newer) version is refused."""
        if isinstance(data, dict):
            version = data.get("schema_version", 1)
            if not isinstance(version, int) or not 1 <= version <= TRACE_SCHEMA_VERSION:
                raise ValueError(f"letter trace schema version {version!r} is not one we know")
            data = {**data, "schema_version": TRACE_SCHEMA_VERSION}
        return data

    def to_json(self) -> dict[str, Any]:
        """As the row stores it: ISO days, and no keys for what this kind of letter lacks."""
        return self.model_dump(mode="json", exclude_none=True)
