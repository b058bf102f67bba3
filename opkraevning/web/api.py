"""The JSON API: the same actions as the pages, with the same rules.

Log in with ``POST /api/log-ind`` (sets the session cookie, returns the CSRF token);
every POST then needs the header ``X-CSRF-Token``. No session: 401; wrong role: 403;
missing or wrong CSRF token: 403; an action that does not fit the state: 409.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import col, select

from opkraevning.app import casework
from opkraevning.domain.privacy import mask_cpr
from opkraevning.store import casework_queries as q
from opkraevning.store.db import session_scope
from opkraevning.store.models import InboundMessage, ScheduledRun, UserAccount
from opkraevning.store.queries import debtor_page
from opkraevning.web.auth import (
    AccountError,
    authenticate,
    close_session,
    create_user,
    open_session,
)
from opkraevning.web.security import (
    SESSION_COOKIE,
    AdminApi,
    ApiUser,
    ApiWriter,
    Db,
    require_csrf,
)


class Credentials(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)


class Approval(BaseModel):
    body: str | None = Field(default=None, max_length=100_000, description="edited text, if any")


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class Text(BaseModel):
    body: str = Field(min_length=1, max_length=100_000)


class DebtorChoice(BaseModel):
    debtor_id: str = Field(min_length=1, max_length=32)


class HoldRequest(BaseModel):
    reason: str
    claim_ids: list[str] = Field(default_factory=list)
    until: date | None = None
    note: str = Field(default="", max_length=2000)


class Udlaeg(BaseModel):
    day: date
    note: str = Field(default="", max_length=2000)


class Transfer(BaseModel):
    claim_ids: list[str] = Field(min_length=1, max_length=10_000)


class BatchApproval(BaseModel):
    letter_ids: list[int] | None = None


class NewUser(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)
    role: str


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api", tags=["api"])

    @router.post("/log-ind")
    def login(request: Request, response: Response, credentials: Credentials) -> dict[str, str]:
        settings = request.app.state.settings.web
        with session_scope(request.app.state.engine) as session:
            # the failure count must be committed, so the refusal is raised afterwards
            result = authenticate(session, credentials.username, credentials.password, settings)
            if result.user is not None:
                token, csrf = open_session(session, result.user, settings)
                role = result.user.role
        if result.user is None:
            raise HTTPException(423 if result.reason == "locked" else 401, "log-ind afvist")
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(settings.session_hours * 3600),
            httponly=True,
            secure=settings.secure_cookies,
            samesite="strict",
            path="/",
        )
        return {"csrf_token": csrf, "role": role}

    @router.post("/log-ud")
    def logout(request: Request, response: Response, user: ApiWriter) -> dict[str, str]:
        with session_scope(request.app.state.engine) as session:
            close_session(session, request.cookies.get(SESSION_COOKIE))
        response.delete_cookie(SESSION_COOKIE, path="/")
        return {"status": "logget ud"}

    @router.get("/mig")
    def me(user: ApiUser) -> dict[str, str]:
        return {"username": user.username, "role": user.role, "csrf_token": user.csrf}

    @router.get("/indbakke")
    def inbox(
        user: ApiUser, db: Db, intent: str = "", state: str = "", claim_type: str = ""
    ) -> dict[str, Any]:
        box = q.inbox(db, intent=intent, state=state, claim_type=claim_type)
        return {
            "counts": {"state": dict(box.by_state), "intent": dict(box.by_intent)},
            "messages": [
                {
                    "id": row.message.id,
                    "received_at": row.message.received_at.isoformat(),
                    "state": row.message.state,
                    "intent": row.intent,
                    "from": row.message.from_address,
                    "subject": row.message.subject,
                    "debtor_id": row.message.debtor_id,
                    "claim_types": row.claim_types,
                    "draft_id": row.draft.id if row.draft else None,
                }
                for row in box.rows
            ],
        }

    @router.get("/sager/{message_id}")
    def case(message_id: int, user: ApiUser, db: Db) -> dict[str, Any]:
        message = db.get(InboundMessage, message_id)
        if message is None:
            raise HTTPException(404, "findes ikke")
        casework.log_view(db, user.username, "inbound_message", str(message_id))
        parsed = message.parsed or {}
        return {
            "id": message.id,
            "state": message.state,
            "channel": message.channel,
            "from": message.from_address,
            "subject": message.subject,
            "text": parsed.get("body"),
            "quoted": parsed.get("quoted"),
            "reading": parsed.get("reading"),
            "error": message.error,
            "letters": [
                q.jsonable_letter(letter) for letter in q.letters_of_message(db, message_id)
            ],
        }

    @router.post("/sager/{message_id}/skyldner")
    def pick_debtor(
        request: Request, message_id: int, choice: DebtorChoice, user: ApiWriter, db: Db
    ) -> dict[str, Any]:
        from opkraevning.app.pipeline import local_today

        casework.assign_debtor(
            db,
            message_id,
            choice.debtor_id,
            user.username,
            local_today(),
            request.app.state.settings.policy_file,
        )
        return {"letters": [q.jsonable_letter(x) for x in q.letters_of_message(db, message_id)]}

    @router.post("/breve/{letter_id}/godkend")
    def approve(letter_id: int, approval: Approval, user: ApiWriter, db: Db) -> dict[str, Any]:
        letter = casework.approve_letter(db, letter_id, user.username, approval.body)
        return q.jsonable_letter(letter)

    @router.post("/breve/{letter_id}/rediger")
    def edit(letter_id: int, text: Text, user: ApiWriter, db: Db) -> dict[str, Any]:
        letter = casework.edit_letter(db, letter_id, text.body, user.username)
        return q.jsonable_letter(letter)

    @router.post("/breve/{letter_id}/afvis")
    def reject(letter_id: int, reason: Reason, user: ApiWriter, db: Db) -> dict[str, Any]:
        letter = casework.reject_letter(db, letter_id, reason.reason, user.username)
        return q.jsonable_letter(letter)

    @router.post("/breve/{letter_id}/udeluk")
    def exclude(letter_id: int, reason: Reason, user: ApiWriter, db: Db) -> dict[str, Any]:
        letter = casework.exclude_run_letter(db, letter_id, reason.reason, user.username)
        return q.jsonable_letter(letter)

    @router.post("/breve/{letter_id}/igen")
    def retry(letter_id: int, user: ApiWriter, db: Db) -> dict[str, Any]:
        return q.jsonable_letter(casework.retry_letter(db, letter_id, user.username))

    @router.get("/skyldnere")
    def debtors(
        user: ApiUser,
        db: Db,
        q_: Annotated[str, Query(alias="q", max_length=100)] = "",
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict[str, Any]:
        rows, total = debtor_page(db, search=q_, offset=offset, limit=50)
        return {
            "total": total,
            "debtors": [
                {
                    "id": row.debtor.id,
                    "name": row.debtor.name,
                    "cpr": mask_cpr(row.debtor.cpr),
                    "cvr": row.debtor.cvr,
                    "email": row.debtor.email,
                    "open_claims": row.open_claims,
                    "balance_ore": row.balance_ore,
                }
                for row in rows
            ],
        }

    @router.get("/skyldnere/{debtor_id}")
    def debtor(debtor_id: str, user: ApiUser, db: Db) -> dict[str, Any]:
        history = q.debtor_history(db, debtor_id)
        if history is None:
            raise HTTPException(404, "findes ikke")
        casework.log_view(db, user.username, "debtor", debtor_id)
        d = history.debtor
        return {
            "id": d.id,
            "name": d.name,
            "cpr": mask_cpr(d.cpr),
            "cvr": d.cvr,
            "email": d.email,
            "claims": [
                {
                    "id": line.claim.id,
                    "type": line.claim.claim_type,
                    "line": line.claim.line,
                    "reference": line.claim.reference,
                    "status": line.claim.status,
                    "amount_ore": line.claim.amount_ore,
                    "remaining_ore": line.remaining_ore,
                    "reminders": line.reminders,
                }
                for line in history.claims
            ],
            "letters": [q.jsonable_letter(letter) for letter in history.letters],
            "holds": [
                {
                    "id": h.id,
                    "claim_id": h.claim_id,
                    "reason": h.reason,
                    "until": h.until.isoformat() if h.until else None,
                }
                for h in history.holds
            ],
            "audit": [
                {
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "entity": f"{e.entity_type}:{e.entity_id}",
                    "reason": e.reason,
                }
                for e in history.audit
            ],
        }

    @router.post("/skyldnere/{debtor_id}/cpr")
    def debtor_cpr(debtor_id: str, user: ApiWriter, db: Db) -> dict[str, str | None]:
        return {"cpr": casework.view_cpr(db, debtor_id, user.username)}

    @router.post("/skyldnere/{debtor_id}/pause")
    def hold(debtor_id: str, hold: HoldRequest, user: ApiWriter, db: Db) -> dict[str, Any]:
        holds = casework.hold_claims(
            db, debtor_id, hold.claim_ids, hold.reason, user.username, hold.until, hold.note
        )
        return {"holds": [h.id for h in holds]}

    @router.post("/krav/{claim_id}/udlaeg")
    def udlaeg(claim_id: str, body: Udlaeg, user: ApiWriter, db: Db) -> dict[str, str]:
        """Record the pantefoged's udlæg: forældelse runs from that day."""
        claim = casework.record_udlaeg(db, claim_id, body.day, user.username, body.note)
        return {"claim_id": claim.id, "udlaeg_on": body.day.isoformat()}

    @router.post("/aftaler/{agreement_id}/aktiver")
    def activate(request: Request, agreement_id: int, user: ApiWriter, db: Db) -> dict[str, Any]:
        """The citizen accepted a proposed agreement: activate it and draft the confirmation."""
        letter = casework.activate_agreement(
            db, agreement_id, user.username, request.app.state.settings.policy_file
        )
        return q.jsonable_letter(letter)

    @router.post("/overdragelser")
    def transferred(
        request: Request, transfer: Transfer, user: ApiWriter, db: Db
    ) -> list[dict[str, Any]]:
        """Mark claims as handed to Gældsstyrelsen; returns the drafted notices."""
        from opkraevning.web.run_lists import forget

        letters = casework.mark_transferred(
            db, transfer.claim_ids, user.username, request.app.state.settings.policy_file
        )
        forget()
        return [q.jsonable_letter(letter) for letter in letters]

    @router.get("/rykkerkoersler")
    def runs(user: ApiUser, db: Db) -> list[dict[str, Any]]:
        return [
            {
                "id": run.id,
                "date": run.slot,
                "state": run.state,
                "summary": run.summary,
                "policy_version": run.policy_version,
            }
            for run in q.runs(db)
        ]

    @router.get("/rykkerkoersler/{run_id}/breve")
    def run_letters(
        run_id: int, user: ApiUser, db: Db, state: str = "needs_review"
    ) -> dict[str, Any]:
        if db.get(ScheduledRun, run_id) is None:
            raise HTTPException(404, "findes ikke")
        letters, counts = q.run_letters(db, run_id, state)
        return {
            "counts": dict(counts),
            "letters": [
                {**q.jsonable_letter(letter), "debtor_name": name} for letter, name in letters
            ],
        }

    @router.post("/rykkerkoersler/{run_id}/godkend")
    def approve_run(run_id: int, batch: BatchApproval, user: ApiWriter, db: Db) -> dict[str, int]:
        if db.get(ScheduledRun, run_id) is None:
            raise HTTPException(404, "findes ikke")
        return {"approved": casework.approve_run_batch(db, run_id, user.username, batch.letter_ids)}

    @router.get("/udbakke")
    def outbox(user: ApiUser, db: Db, state: str = "") -> dict[str, Any]:
        letters, counts = q.outbox(db, state)
        return {"counts": dict(counts), "letters": [q.jsonable_letter(x) for x in letters]}

    @router.get("/brugere")
    def users(user: AdminApi, db: Db) -> list[dict[str, Any]]:
        accounts = db.exec(select(UserAccount).order_by(col(UserAccount.username))).all()
        return [
            {
                "username": a.username,
                "role": a.role,
                "disabled": a.disabled,
                "locked_until": a.locked_until.isoformat() if a.locked_until else None,
            }
            for a in accounts
        ]

    @router.post("/brugere", status_code=201)
    def add_user(request: Request, new: NewUser, user: AdminApi, db: Db) -> dict[str, str]:
        require_csrf(user, request.headers.get("X-CSRF-Token"))
        try:
            created = create_user(db, new.username, new.password, new.role, user.username)
        except AccountError as exc:
            raise HTTPException(422, str(exc)) from None
        return {"username": created.username, "role": created.role}

    return router
