"""Sag: one message with its reading, its draft and the debtor beside it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from opkraevning.app import casework
from opkraevning.app.pipeline.requeue import failed_stage
from opkraevning.domain.outbound import LetterTrace
from opkraevning.store import casework_queries as q
from opkraevning.store.inbound import parsed_or_none
from opkraevning.store.models import InboundMessage, MessageState
from opkraevning.store.outbound import trace_or_empty
from opkraevning.templates_da.names import STAGE_NAMES
from opkraevning.web.deps import Db, PageUser, RowId
from opkraevning.web.pages.common import back, render
from opkraevning.web.security import require_csrf

router = APIRouter(include_in_schema=False)


@router.get("/sag/{message_id}", response_class=HTMLResponse)
def case(request: Request, message_id: RowId, user: PageUser, db: Db, besked: str = "") -> Response:
    message = db.get(InboundMessage, message_id)
    if message is None:
        raise HTTPException(404, "Henvendelsen findes ikke.")
    casework.log_view(db, user.username, "inbound_message", str(message_id))
    return render(request, "sag.html", _case_context(db, message, user, besked))


@router.get("/sag/{message_id}/original")
def case_raw(message_id: RowId, user: PageUser, db: Db) -> Response:
    """The message exactly as received, as plain text (never rendered as HTML)."""
    message = db.get(InboundMessage, message_id)
    if message is None:
        raise HTTPException(404)
    casework.log_view(db, user.username, "inbound_message.raw", str(message_id))
    return Response(
        message.raw,
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": "inline", "X-Content-Type-Options": "nosniff"},
    )


@router.post("/sag/{message_id}/skyldner")
def pick_debtor(
    request: Request,
    message_id: RowId,
    user: PageUser,
    db: Db,
    debtor_id: Annotated[str, Form(max_length=32)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(user, csrf_token)

    casework.assign_debtor(
        db,
        message_id,
        debtor_id.strip(),
        user.username,
        request.app.state.clock.today(),
        request.app.state.settings.policy_file,
    )
    return back(f"/sag/{message_id}", "skyldner-valgt")


@router.post("/sag/{message_id}/proev-igen")
def requeue(
    message_id: RowId, user: PageUser, db: Db, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    """Send a quarantined message back to the stage that failed (the worker runs it again)."""
    require_csrf(user, csrf_token)
    from opkraevning.app.pipeline import RequeueError, requeue_message

    try:
        requeue_message(db, message_id, user.username)
    except RequeueError as exc:
        raise casework.CaseworkError(str(exc)) from None
    return back(f"/sag/{message_id}", "sendt-tilbage")


def technical_error(error: str | None) -> str:
    """The stored error without the stage it starts with ("draft: PolicyError: …"): the
    page names the stage in Danish and shows the rest as the technical detail."""
    stage, sep, rest = (error or "").partition(": ")
    return rest if sep and stage in STAGE_NAMES else (error or "")


def _case_context(db: Session, message: InboundMessage, user: Any, notice: str) -> dict[str, Any]:
    parsed = parsed_or_none(message) if message.parsed is not None else None
    reading = parsed.reading if parsed else None
    letters = q.letters_of_message(db, message.id or 0)
    reply = next((letter for letter in reversed(letters) if letter.kind == "reply"), None)
    notice_letter = next(
        (
            letter
            for letter in letters
            if letter.kind == "reply_notice"
            and reply
            and trace_or_empty(letter).notice_for == reply.id
        ),
        None,
    )
    history = q.debtor_history(db, message.debtor_id) if message.debtor_id else None
    from opkraevning.templates_da import references

    refs = references()
    failed = failed_stage(message).name if message.state == MessageState.QUARANTINED else None
    return {
        "failed_stage": STAGE_NAMES.get(failed or "", ""),
        "technical_error": technical_error(message.error),
        "user": user,
        "message": message,
        "parsed": parsed or {},
        "mail": (parsed.mail if parsed else None) or {},
        "memo": (parsed.memo if parsed else None) or {},
        "reading": reading or {},
        "candidates": q.debtors_by_ids(db, list(reading.candidates) if reading else []),
        "reply": reply,
        "notice_letter": notice_letter,
        "older": [
            letter for letter in letters if letter is not reply and letter is not notice_letter
        ],
        "trace": trace_or_empty(reply) if reply else LetterTrace(),
        "refs": refs,
        "h": history,
        "besked": notice,
    }
