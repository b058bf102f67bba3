"""The tables. Money is integer øre; timestamps are timezone-aware UTC.

Debtors and claims keep the register's own ids as primary keys: the register is
the source of truth, every other system (and every citizen's letter) names them
that way, and the import can then be idempotent without a lookup table. Fee and
interest lines that we create ourselves are claims too, linked to their main
claim by ``parent_claim_id`` (Gældsstyrelsen wants fees as linked sub-claims).

States are plain strings in the database (portable, easy to migrate); the
allowed values are the ``StrEnum`` classes below.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from opkraevning.store.types import UTCDateTime, utcnow


class DebtorKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"


class ClaimStatus(StrEnum):
    OPEN = "open"
    IN_AGREEMENT = "in_agreement"
    TRANSFERRED = "transferred"
    PAID = "paid"
    WRITTEN_OFF = "written_off"


class ClaimLine(StrEnum):
    PRINCIPAL = "principal"
    FEE = "fee"
    INTEREST = "interest"


class AgreementStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    BROKEN = "broken"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class HoldReason(StrEnum):
    DISPUTE = "dispute"
    DEFERRAL = "deferral"
    ESTATE = "estate"
    MANUAL = "manual"


class Channel(StrEnum):
    SMTP = "smtp"
    IMAP = "imap"
    DIGITAL_POST = "digital_post"
    FILE = "file"
    EMAIL = "email"


class MessageState(StrEnum):
    RECEIVED = "received"
    PARSED = "parsed"
    MATCHED = "matched"
    CLASSIFIED = "classified"
    DRAFTED = "drafted"
    NEEDS_REVIEW = "needs_review"
    DONE = "done"
    QUARANTINED = "quarantined"


class LetterState(StrEnum):
    DRAFT = "draft"
    NEEDS_REVIEW = "needs_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class RunState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def _json() -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=True))


class Debtor(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=32)
    kind: str = Field(max_length=10)
    cpr: str | None = Field(default=None, max_length=10, index=True)
    cvr: str | None = Field(default=None, max_length=8, index=True)
    name: str = Field(max_length=200)
    address: str = Field(default="", max_length=200)
    street_key: str | None = Field(default=None, max_length=120, index=True)  # "noerregade 14"
    postcode: str = Field(default="", max_length=4)
    city: str = Field(default="", max_length=100)
    email: str | None = Field(default=None, max_length=254, index=True)
    email_undeliverable_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    phone: str | None = Field(default=None, max_length=32)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Claim(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=40)
    debtor_id: str = Field(foreign_key="debtor.id", index=True, max_length=32)
    claim_type: str = Field(max_length=32)
    line: str = Field(default=ClaimLine.PRINCIPAL.value, max_length=12)
    parent_claim_id: str | None = Field(
        default=None, foreign_key="claim.id", max_length=40, index=True
    )
    reference: str = Field(max_length=32, index=True)
    payment_id: str | None = Field(default=None, max_length=15, index=True)
    description: str = Field(default="", max_length=300)
    amount_ore: int = Field(sa_type=BigInteger)
    issued_on: date
    due_on: date
    status: str = Field(max_length=16, index=True)
    # the municipality's pantefoged levied udlæg (forældelsesloven § 18, stk. 2): recorded by
    # a caseworker; it restarts forældelse
    udlaeg_on: date | None = None
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Payment(SQLModel, table=True):
    """A payment on a claim. The register has no payment id, so a payment is known
    by claim, date, amount and its occurrence (the 2nd identical payment is real)."""

    __table_args__ = (
        UniqueConstraint("claim_id", "paid_on", "amount_ore", "occurrence", name="uq_payment"),
    )
    id: int | None = Field(default=None, primary_key=True)
    claim_id: str = Field(foreign_key="claim.id", index=True, max_length=40)
    amount_ore: int = Field(sa_type=BigInteger)
    paid_on: date
    occurrence: int = 1
    created_at: datetime = _created()


class InstallmentAgreement(SQLModel, table=True):
    __tablename__ = "installment_agreement"
    id: int | None = Field(default=None, primary_key=True)
    debtor_id: str = Field(foreign_key="debtor.id", index=True, max_length=32)
    status: str = Field(max_length=16, index=True)
    monthly_amount_ore: int = Field(sa_type=BigInteger)
    first_due_on: date
    signed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    broken_on: date | None = None
    policy_version: str | None = Field(default=None, max_length=64)
    created_by: str = Field(default="system", max_length=64)
    created_at: datetime = _created()


class AgreementClaim(SQLModel, table=True):
    __tablename__ = "agreement_claim"
    agreement_id: int = Field(foreign_key="installment_agreement.id", primary_key=True)
    claim_id: str = Field(foreign_key="claim.id", primary_key=True, max_length=40, index=True)


class Installment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("agreement_id", "number", name="uq_installment"),)
    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="installment_agreement.id", index=True)
    number: int
    due_on: date
    amount_ore: int = Field(sa_type=BigInteger)
    paid_ore: int = Field(default=0, sa_type=BigInteger)
    paid_on: date | None = None


class Hold(SQLModel, table=True):
    """Something that stops reminders: dispute, deferral until a date, estate, manual."""

    id: int | None = Field(default=None, primary_key=True)
    debtor_id: str = Field(foreign_key="debtor.id", index=True, max_length=32)
    claim_id: str | None = Field(default=None, foreign_key="claim.id", max_length=40)
    reason: str = Field(max_length=16)
    until: date | None = None
    note: str = Field(default="", sa_type=Text)
    created_by: str = Field(max_length=64)
    created_at: datetime = _created()
    released_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ScheduledRun(SQLModel, table=True):
    """One run of a scheduled job for one slot; the unique key stops a second instance."""

    __tablename__ = "scheduled_run"
    __table_args__ = (UniqueConstraint("kind", "slot", name="uq_scheduled_run_slot"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    slot: str = Field(max_length=32)
    state: str = Field(max_length=16)
    instance: str = Field(default="", max_length=128)
    policy_version: str | None = Field(default=None, max_length=64)
    started_at: datetime = _created()
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    summary: dict[str, Any] | None = _json()


class MailboxCursor(SQLModel, table=True):
    """How far the IMAP poller has read one folder (valid for one UIDVALIDITY)."""

    __tablename__ = "mailbox_cursor"
    key: str = Field(primary_key=True, max_length=300)  # user@host/folder
    uidvalidity: int = Field(sa_type=BigInteger)
    last_uid: int = Field(default=0, sa_type=BigInteger)
    updated_at: datetime = _created()


class InboundMessage(SQLModel, table=True):
    """A message as received: the raw bytes are kept whatever happens later."""

    __tablename__ = "inbound_message"
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    state: str = Field(max_length=16, index=True)
    received_at: datetime = _created()
    dedup_key: str = Field(max_length=128, unique=True)
    message_id: str | None = Field(default=None, max_length=998, index=True)
    content_sha256: str = Field(max_length=64)
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    raw_size: int = Field(sa_type=BigInteger)
    envelope_from: str | None = Field(default=None, max_length=998)
    envelope_to: list[str] | None = _json()
    from_address: str | None = Field(default=None, max_length=998)
    subject: str | None = Field(default=None, sa_type=Text)
    parsed: dict[str, Any] | None = _json()
    debtor_id: str | None = Field(default=None, foreign_key="debtor.id", index=True, max_length=32)
    claim_ids: list[str] | None = _json()
    error: str | None = Field(default=None, sa_type=Text)
    failed_stage: str | None = Field(default=None, max_length=16)  # the stage that quarantined it
    attempts: int = 0  # stage runs tried on it (three when it went through without trouble)
    updated_at: datetime = _created()


class OutboundLetter(SQLModel, table=True):
    """A draft or letter: a reply to a message, or one from the reminder run."""

    __tablename__ = "outbound_letter"
    id: int | None = Field(default=None, primary_key=True)
    inbound_message_id: int | None = Field(
        default=None, foreign_key="inbound_message.id", index=True
    )
    debtor_id: str | None = Field(default=None, foreign_key="debtor.id", index=True, max_length=32)
    run_id: int | None = Field(default=None, foreign_key="scheduled_run.id", index=True)
    kind: str = Field(max_length=32)
    state: str = Field(max_length=16, index=True)
    channel: str = Field(max_length=16)
    recipient: str | None = Field(default=None, max_length=998)
    subject: str = Field(default="", sa_type=Text)
    body: str = Field(default="", sa_type=Text)
    edited_body: str | None = Field(default=None, sa_type=Text)
    template: str = Field(default="", max_length=64)
    template_version: str = Field(default="", max_length=64)
    policy_version: str | None = Field(default=None, max_length=64)
    legal_refs: list[str] | None = _json()
    trace: dict[str, Any] | None = _json()
    created_at: datetime = _created()
    approved_by: str | None = Field(default=None, max_length=64)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rejected_reason: str | None = Field(default=None, sa_type=Text)
    message_id: str | None = Field(default=None, max_length=998, unique=True)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReminderLetter(SQLModel, table=True):
    """A reminder (or breach reminder) sent to a debtor; counts toward limits and intervals."""

    __tablename__ = "reminder_letter"
    id: int | None = Field(default=None, primary_key=True)
    debtor_id: str = Field(foreign_key="debtor.id", index=True, max_length=32)
    run_id: int | None = Field(default=None, foreign_key="scheduled_run.id", index=True)
    outbound_letter_id: int | None = Field(default=None, foreign_key="outbound_letter.id")
    kind: str = Field(max_length=32)
    fee_ore: int = Field(default=0, sa_type=BigInteger)
    deadline: date
    transfer_notice: bool = False
    released_on: date | None = None
    policy_version: str | None = Field(default=None, max_length=64)
    legal_refs: list[str] | None = _json()
    trace: dict[str, Any] | None = _json()
    created_at: datetime = _created()


class ReminderLetterClaim(SQLModel, table=True):
    __tablename__ = "reminder_letter_claim"
    letter_id: int = Field(foreign_key="reminder_letter.id", primary_key=True)
    claim_id: str = Field(foreign_key="claim.id", primary_key=True, max_length=40, index=True)
    number: int = Field(description="1st, 2nd, 3rd letter for this claim")


class AuditEvent(SQLModel, table=True):
    """Who did what, when and why. Never holds a full CPR number."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity_type", "entity_id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _created()
    actor: str = Field(max_length=64)
    action: str = Field(max_length=64, index=True)
    entity_type: str = Field(max_length=32)
    entity_id: str = Field(max_length=64)
    reason: str | None = Field(default=None, sa_type=Text)
    details: dict[str, Any] | None = _json()


class Role(StrEnum):
    CASEWORKER = "sagsbehandler"
    ADMINISTRATOR = "administrator"
    LEADER = "leder"  # sees the overview and the reports, nothing about single cases


class UserAccount(SQLModel, table=True):
    """A person who logs in to the web app (local account, argon2 hash)."""

    __tablename__ = "user_account"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    password_hash: str = Field(max_length=256)
    role: str = Field(max_length=16)
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    disabled: bool = False
    created_at: datetime = _created()
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebSession(SQLModel, table=True):
    """A logged-in browser. Only the SHA-256 of the cookie's token is stored, so a copy
    of the database does not let anyone in; log-out deletes the row."""

    __tablename__ = "web_session"
    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = _created()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    last_seen_at: datetime = _created()


def table_names() -> list[str]:
    return sorted(SQLModel.metadata.tables)


class DailyFigures(SQLModel, table=True):
    """The overview's levels on one day (one row per day; the daily job replaces its own
    day's row on a re-run). ``source``: ``daily`` (written by the daily job) or
    ``backfill`` (reconstructed from the register's dates for a past month-end)."""

    __tablename__ = "daily_figures"

    day: date = Field(primary_key=True)
    figures: dict[str, Any] | None = _json()
    source: str = Field(default="daily", max_length=16)
    computed_at: datetime = _created()


# The reason the outbox gives a letter it cannot tell was sent (stopped mid-send, no
# sent folder to look in). Sending it again needs a person's explicit confirmation.
OUTCOME_UNKNOWN = (
    "the process stopped while sending and it cannot be told whether the "
    "letter left; check before sending it again"
)


def outcome_unknown(letter: OutboundLetter) -> bool:
    return letter.state == LetterState.FAILED.value and letter.last_error == OUTCOME_UNKNOWN
