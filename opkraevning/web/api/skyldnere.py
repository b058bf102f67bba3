"""Skyldnere: search, one debtor, the full CPR number, pauses, udlæg, agreements."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from opkraevning.app import casework
from opkraevning.domain.privacy import mask_cpr
from opkraevning.store import casework_queries as q
from opkraevning.store.queries import debtor_page
from opkraevning.web.api.schemas import LetterOut
from opkraevning.web.deps import MAX_ROW_ID, ApiUser, ApiWriter, AppClock, Db, RowId

router = APIRouter()


class HoldRequest(BaseModel):
    reason: str
    claim_ids: list[str] = Field(default_factory=list)
    until: date | None = None
    note: str = Field(default="", max_length=2000)


class Udlaeg(BaseModel):
    day: date
    note: str = Field(default="", max_length=2000)


class DebtorRowOut(BaseModel):
    id: str
    name: str
    cpr: str | None  # masked
    cvr: str | None
    email: str | None
    open_claims: int
    balance_ore: int


class DebtorsOut(BaseModel):
    total: int
    debtors: list[DebtorRowOut]


class ClaimOut(BaseModel):
    id: str
    type: str
    line: str
    reference: str | None
    status: str
    amount_ore: int
    remaining_ore: int
    reminders: int


class HoldOut(BaseModel):
    id: int | None
    claim_id: str
    reason: str
    until: str | None


class AuditOut(BaseModel):
    at: str
    actor: str
    action: str
    entity: str
    reason: str | None


class DebtorOut(BaseModel):
    id: str
    name: str
    cpr: str | None  # masked
    cvr: str | None
    email: str | None
    claims: list[ClaimOut]
    letters: list[LetterOut]
    holds: list[HoldOut]
    audit: list[AuditOut]


class CprOut(BaseModel):
    cpr: str | None


class HoldsOut(BaseModel):
    holds: list[int | None]


class UdlaegOut(BaseModel):
    claim_id: str
    udlaeg_on: str


@router.get("/skyldnere")
def debtors(
    user: ApiUser,
    db: Db,
    q_: Annotated[str, Query(alias="q", max_length=100)] = "",
    offset: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0,
) -> DebtorsOut:
    rows, total = debtor_page(db, search=q_, offset=offset, limit=50)
    return DebtorsOut(
        total=total,
        debtors=[
            DebtorRowOut(
                id=row.debtor.id,
                name=row.debtor.name,
                cpr=mask_cpr(row.debtor.cpr),
                cvr=row.debtor.cvr,
                email=row.debtor.email,
                open_claims=row.open_claims,
                balance_ore=row.balance_ore,
            )
            for row in rows
        ],
    )


@router.get("/skyldnere/{debtor_id}")
def debtor(debtor_id: str, user: ApiUser, db: Db) -> DebtorOut:
    history = q.debtor_history(db, debtor_id)
    if history is None:
        raise HTTPException(404, "findes ikke")
    casework.log_view(db, user.username, "debtor", debtor_id)
    d = history.debtor
    return DebtorOut(
        id=d.id,
        name=d.name,
        cpr=mask_cpr(d.cpr),
        cvr=d.cvr,
        email=d.email,
        claims=[
            ClaimOut(
                id=line.claim.id,
                type=line.claim.claim_type,
                line=line.claim.line,
                reference=line.claim.reference,
                status=line.claim.status,
                amount_ore=line.claim.amount_ore,
                remaining_ore=line.remaining_ore,
                reminders=line.reminders,
            )
            for line in history.claims
        ],
        letters=[LetterOut.of(letter) for letter in history.letters],
        holds=[
            HoldOut(
                id=h.id,
                claim_id=h.claim_id,
                reason=h.reason,
                until=h.until.isoformat() if h.until else None,
            )
            for h in history.holds
        ],
        audit=[
            AuditOut(
                at=e.at.isoformat(),
                actor=e.actor,
                action=e.action,
                entity=f"{e.entity_type}:{e.entity_id}",
                reason=e.reason,
            )
            for e in history.audit
        ],
    )


@router.post("/skyldnere/{debtor_id}/cpr")
def debtor_cpr(debtor_id: str, user: ApiWriter, db: Db) -> CprOut:
    return CprOut(cpr=casework.view_cpr(db, debtor_id, user.username))


@router.post("/skyldnere/{debtor_id}/pause")
def hold(debtor_id: str, hold: HoldRequest, user: ApiWriter, db: Db) -> HoldsOut:
    holds = casework.hold_claims(
        db, debtor_id, hold.claim_ids, hold.reason, user.username, hold.until, hold.note
    )
    return HoldsOut(holds=[h.id for h in holds])


@router.post("/krav/{claim_id}/udlaeg")
def udlaeg(claim_id: str, body: Udlaeg, user: ApiWriter, db: Db) -> UdlaegOut:
    """Record the pantefoged's udlæg: forældelse runs from that day."""
    claim = casework.record_udlaeg(db, claim_id, body.day, user.username, body.note)
    return UdlaegOut(claim_id=claim.id, udlaeg_on=body.day.isoformat())


@router.post("/aftaler/{agreement_id}/aktiver")
def activate(
    request: Request, agreement_id: RowId, user: ApiWriter, db: Db, clock: AppClock
) -> LetterOut:
    """The citizen accepted a proposed agreement: activate it and draft the confirmation."""
    policy = request.app.state.settings.policy_file
    letter = casework.activate_agreement(db, agreement_id, user.username, policy, clock=clock)
    return LetterOut.of(letter)
