"""The caseworker's pages (server-rendered, Danish). Every page needs a session; every
form carries the CSRF token; every action goes through ``opkraevning.app.casework``."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from opkraevning.app import casework
from opkraevning.store import casework_queries as q
from opkraevning.store.audit import record
from opkraevning.store.db import session_scope
from opkraevning.store.models import InboundMessage, OutboundLetter, ScheduledRun, UserAccount
from opkraevning.store.queries import debtor_page
from opkraevning.web.auth import (
    ROLES,
    AccountError,
    authenticate,
    close_session,
    create_user,
    open_session,
)
from opkraevning.web.run_lists import forget, run_lists
from opkraevning.web.security import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Db,
    PageUser,
    require_admin,
    require_csrf,
)

PAGE_SIZE = 50
INTENT_NAMES = {
    "installment_request": "Afdrag",
    "deferral_request": "Henstand",
    "payment_notice": "Betaling",
    "dispute": "Indsigelse",
    "balance_request": "Saldo",
    "contact_update": "Kontaktoplysninger",
    "auto_reply": "Autosvar",
    "bounce": "Returmail",
    "other": "Andet",
    "quarantined": "Fejl ved læsning",
    "unknown": "Ukendt",
}
STATE_NAMES = {
    "needs_review": "Kræver en person",
    "drafted": "Udkast klar",
    "quarantined": "Fejl",
    "approved": "Godkendt",
    "sending": "Sendes",
    "sent": "Sendt",
    "failed": "Fejlet",
    "rejected": "Afvist",
    "draft": "Udkast",
    "done": "Færdig",
    "classified": "Læst",
}
CHANNEL_NAMES = {"email": "e-mail", "digital_post": "Digital Post", "print": "brev med posten"}
LETTER_KINDS = {
    "reply": "svar",
    "reply_notice": "mail om svar i Digital Post",
    "reminder": "rykker",
    "breach_reminder": "rykker, misligholdt aftale",
    "agreement_confirmation": "bekræftelse af aftale",
    "transfer_notice": "meddelelse om overdragelse",
}
CLAIM_STATUSES = {
    "open": "åben",
    "in_agreement": "i aftale",
    "transferred": "hos Gældsstyrelsen",
    "paid": "betalt",
    "written_off": "afskrevet",
}
HOLD_REASONS = {"dispute": "indsigelse", "deferral": "henstand", "estate": "dødsbo",
                "manual": "manuel pause"}  # fmt: skip
AGREEMENT_STATUSES = {"proposed": "foreslået", "active": "aktiv", "broken": "misligholdt",
                      "completed": "afsluttet", "cancelled": "annulleret"}  # fmt: skip


def page_router(templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
        return templates.TemplateResponse(request, name, context, status_code=status)

    def back(path: str, notice: str = "") -> RedirectResponse:
        suffix = f"{'&' if '?' in path else '?'}besked={notice}" if notice else ""
        return RedirectResponse(path + suffix, status_code=303)

    def set_cookie(
        response: Response, request: Request, name: str, value: str, max_age: int
    ) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            secure=request.app.state.settings.web.secure_cookies,
            samesite="strict",
            path="/",
        )

    # -- log-in ----------------------------------------------------------------------

    @router.get("/log-ind", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/indbakke", fejl: str = "") -> Response:
        token = secrets.token_urlsafe(24)
        response = render(
            request, "log_ind.html", {"login_csrf": token, "next": _safe_next(next), "fejl": fejl}
        )
        set_cookie(response, request, LOGIN_COOKIE, token, 1800)
        return response

    @router.post("/log-ind")
    def login(
        request: Request,
        username: Annotated[str, Form(max_length=64)],
        password: Annotated[str, Form(max_length=256)],
        login_csrf: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "/indbakke",
    ) -> Response:
        expected = request.cookies.get(LOGIN_COOKIE, "")
        if not expected or not secrets.compare_digest(expected, login_csrf):
            raise HTTPException(403, "ugyldigt CSRF-token: genindlæs siden")
        settings = request.app.state.settings.web
        with session_scope(request.app.state.engine) as session:
            result = authenticate(session, username, password, settings)
            if result.user is None:
                message = {
                    "locked": "Kontoen er låst et stykke tid efter for mange forkerte forsøg.",
                    "disabled": "Kontoen er lukket.",
                }.get(result.reason, "Forkert brugernavn eller adgangskode.")
                return render(
                    request,
                    "log_ind.html",
                    {"login_csrf": expected, "next": _safe_next(next), "fejl": message},
                    status=401,
                )
            token, _ = open_session(session, result.user, settings)
        response = RedirectResponse(_safe_next(next), status_code=303)
        set_cookie(response, request, SESSION_COOKIE, token, int(settings.session_hours * 3600))
        response.delete_cookie(LOGIN_COOKIE, path="/")
        return response

    @router.post("/log-ud")
    def logout(
        request: Request, user: PageUser, csrf_token: Annotated[str, Form()] = ""
    ) -> Response:
        require_csrf(user, csrf_token)
        with session_scope(request.app.state.engine) as session:
            close_session(session, request.cookies.get(SESSION_COOKIE))
            record(session, user.username, "logout", "user_account", str(user.user_id))
        response = RedirectResponse("/log-ind", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @router.get("/")
    def root(user: PageUser) -> RedirectResponse:
        return RedirectResponse("/indbakke", status_code=303)

    # -- Indbakke --------------------------------------------------------------------

    @router.get("/indbakke", response_class=HTMLResponse)
    def inbox(
        request: Request,
        user: PageUser,
        db: Db,
        hensigt: str = "",
        tilstand: str = "",
        kravtype: str = "",
    ) -> Response:
        box = q.inbox(db, intent=hensigt, state=tilstand, claim_type=kravtype)
        return render(
            request,
            "indbakke.html",
            {
                "user": user,
                "box": box,
                "hensigt": hensigt,
                "tilstand": tilstand,
                "kravtype": kravtype,
            },
        )

    # -- Sag -------------------------------------------------------------------------

    @router.get("/sag/{message_id}", response_class=HTMLResponse)
    def case(
        request: Request, message_id: int, user: PageUser, db: Db, besked: str = ""
    ) -> Response:
        message = db.get(InboundMessage, message_id)
        if message is None:
            raise HTTPException(404, "Henvendelsen findes ikke.")
        casework.log_view(db, user.username, "inbound_message", str(message_id))
        return render(request, "sag.html", _case_context(db, message, user, besked))

    @router.get("/sag/{message_id}/original")
    def case_raw(message_id: int, user: PageUser, db: Db) -> Response:
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
        message_id: int,
        user: PageUser,
        db: Db,
        debtor_id: Annotated[str, Form(max_length=32)],
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        require_csrf(user, csrf_token)
        from opkraevning.app.pipeline import local_today

        casework.assign_debtor(
            db,
            message_id,
            debtor_id.strip(),
            user.username,
            local_today(),
            request.app.state.settings.policy_file,
        )
        return back(f"/sag/{message_id}", "skyldner-valgt")

    @router.post("/brev/{letter_id}/godkend")
    def approve(
        letter_id: int,
        user: PageUser,
        db: Db,
        csrf_token: Annotated[str, Form()] = "",
        body: Annotated[str | None, Form(max_length=100_000)] = None,
        tilbage: Annotated[str, Form()] = "",
    ) -> Response:
        require_csrf(user, csrf_token)
        letter = casework.approve_letter(db, letter_id, user.username, body)
        return back(_safe_next(tilbage or _letter_home(letter)), "godkendt")

    @router.post("/brev/{letter_id}/gem")
    def save(
        letter_id: int,
        user: PageUser,
        db: Db,
        body: Annotated[str, Form(max_length=100_000)],
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        require_csrf(user, csrf_token)
        letter = casework.edit_letter(db, letter_id, body, user.username)
        return back(_letter_home(letter), "gemt")

    @router.post("/brev/{letter_id}/afvis")
    def reject(
        letter_id: int,
        user: PageUser,
        db: Db,
        reason: Annotated[str, Form(max_length=2000)] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        require_csrf(user, csrf_token)
        letter = casework.reject_letter(db, letter_id, reason, user.username)
        return back(_letter_home(letter), "afvist")

    @router.post("/brev/{letter_id}/udeluk")
    def exclude(
        letter_id: int,
        user: PageUser,
        db: Db,
        reason: Annotated[str, Form(max_length=2000)] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        require_csrf(user, csrf_token)
        letter = casework.exclude_run_letter(db, letter_id, reason, user.username)
        return back(f"/rykkerkoersel/{letter.run_id}", "udelukket")

    @router.post("/brev/{letter_id}/igen")
    def retry(
        letter_id: int, user: PageUser, db: Db, csrf_token: Annotated[str, Form()] = ""
    ) -> Response:
        require_csrf(user, csrf_token)
        casework.retry_letter(db, letter_id, user.username)
        return back("/udbakke", "sendes-igen")

    @router.post("/skyldner/{debtor_id}/pause")
    def hold(
        debtor_id: str,
        user: PageUser,
        db: Db,
        reason: Annotated[str, Form()],
        claim_id: Annotated[str, Form()] = "",
        until: Annotated[str, Form()] = "",
        note: Annotated[str, Form(max_length=2000)] = "",
        tilbage: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        require_csrf(user, csrf_token)
        end = _date_or_none(until)
        claims = [claim_id] if claim_id else []
        casework.hold_claims(db, debtor_id, claims, reason, user.username, end, note)
        return back(_safe_next(tilbage or f"/skyldner/{debtor_id}"), "pause")

    @router.post("/aftale/{agreement_id}/aktiver")
    def activate(
        request: Request,
        agreement_id: int,
        user: PageUser,
        db: Db,
        tilbage: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        require_csrf(user, csrf_token)
        policy = request.app.state.settings.policy_file
        casework.activate_agreement(db, agreement_id, user.username, policy)
        return back(_safe_next(tilbage or "/indbakke"), "aftale-aktiv")

    @router.post("/krav/{claim_id}/udlaeg")
    def udlaeg(
        claim_id: str,
        user: PageUser,
        db: Db,
        day: Annotated[str, Form()],
        tilbage: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        require_csrf(user, csrf_token)
        when = _date_or_none(day)
        if when is None:
            raise HTTPException(422, "Skriv datoen for udlægget.")
        casework.record_udlaeg(db, claim_id, when, user.username)
        return back(_safe_next(tilbage or "/skyldnere"), "udlaeg")

    # -- Rykkerkørsel ----------------------------------------------------------------

    @router.get("/rykkerkoersel", response_class=HTMLResponse)
    def runs(request: Request, user: PageUser, db: Db) -> Response:
        return render(request, "rykkerkoersler.html", {"user": user, "runs": q.runs(db)})

    @router.get("/rykkerkoersel/{run_id}", response_class=HTMLResponse)
    def run(
        request: Request,
        run_id: int,
        user: PageUser,
        db: Db,
        tilstand: str = "needs_review",
        besked: str = "",
        politik: str = "",
    ) -> Response:
        scheduled = db.get(ScheduledRun, run_id)
        if scheduled is None:
            raise HTTPException(404, "Kørslen findes ikke.")
        letters, counts = q.run_letters(db, run_id, tilstand)
        lists = run_lists(
            request.app.state.engine,
            date.fromisoformat(scheduled.slot),
            request.app.state.settings.policy_file,
            politik or None,
        )
        return render(
            request,
            "rykkerkoersel.html",
            {
                "user": user,
                "run": scheduled,
                "letters": letters,
                "counts": counts,
                "tilstand": tilstand,
                "besked": besked,
                "lists": lists,
                "politik": politik,
            },
        )

    @router.post("/rykkerkoersel/{run_id}/overdrag")
    async def transfer(request: Request, run_id: int, user: PageUser) -> Response:
        form = await request.form()
        require_csrf(user, str(form.get("csrf_token") or ""))
        chosen = [str(value) for value in form.getlist("claim_id")]
        policy = request.app.state.settings.policy_file
        with session_scope(request.app.state.engine) as db:
            letters = casework.mark_transferred(db, chosen, user.username, policy)
        forget()
        return back(f"/rykkerkoersel/{run_id}", f"{len(chosen)}-krav-sendt-{len(letters)}-breve")

    @router.post("/rykkerkoersel/{run_id}/godkend")
    async def approve_batch(request: Request, run_id: int, user: PageUser) -> Response:
        form = await request.form()
        require_csrf(user, str(form.get("csrf_token") or ""))
        chosen = [int(str(value)) for value in form.getlist("letter_id") if str(value).isdigit()]
        with session_scope(request.app.state.engine) as db:
            ids = chosen if form.get("valgte") else None
            count = casework.approve_run_batch(db, run_id, user.username, ids)
        return back(f"/rykkerkoersel/{run_id}", f"{count}-godkendt")

    # -- Skyldner --------------------------------------------------------------------

    @router.get("/skyldnere", response_class=HTMLResponse)
    def debtors(
        request: Request,
        user: PageUser,
        db: Db,
        q_: Annotated[str, Query(alias="q", max_length=100)] = "",
        side: Annotated[int, Query(ge=1)] = 1,
    ) -> Response:
        rows, total = debtor_page(db, search=q_, offset=(side - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        if q_:
            record(db, user.username, "debtor.searched", "debtor", "-", {"hits": total})
        pages = max(1, -(-total // PAGE_SIZE))
        return render(
            request,
            "skyldnere.html",
            {
                "user": user,
                "rows": rows,
                "total": total,
                "q": q_,
                "side": side,
                "pages": pages,
            },
        )

    @router.get("/skyldner/{debtor_id}", response_class=HTMLResponse)
    def debtor(
        request: Request, debtor_id: str, user: PageUser, db: Db, besked: str = ""
    ) -> Response:
        history = q.debtor_history(db, debtor_id)
        if history is None:
            raise HTTPException(404, "Skyldneren findes ikke.")
        casework.log_view(db, user.username, "debtor", debtor_id)
        return render(
            request,
            "skyldner.html",
            {
                "user": user,
                "h": history,
                "full_cpr": None,
                "besked": besked,
            },
        )

    @router.post("/skyldner/{debtor_id}/cpr", response_class=HTMLResponse)
    def debtor_cpr(
        request: Request,
        debtor_id: str,
        user: PageUser,
        db: Db,
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        require_csrf(user, csrf_token)
        cpr = casework.view_cpr(db, debtor_id, user.username)
        history = q.debtor_history(db, debtor_id)
        return render(
            request,
            "skyldner.html",
            {
                "user": user,
                "h": history,
                "full_cpr": cpr,
                "besked": "",
            },
        )

    # -- Udbakke ---------------------------------------------------------------------

    @router.get("/udbakke", response_class=HTMLResponse)
    def outbox(
        request: Request, user: PageUser, db: Db, tilstand: str = "", besked: str = ""
    ) -> Response:
        letters, counts = q.outbox(db, tilstand)
        return render(
            request,
            "udbakke.html",
            {
                "user": user,
                "letters": letters,
                "counts": counts,
                "tilstand": tilstand,
                "besked": besked,
                "drafts": q.standalone_drafts(db),
            },
        )

    # -- administration --------------------------------------------------------------

    @router.get("/admin/brugere", response_class=HTMLResponse)
    def users(request: Request, user: PageUser, db: Db, fejl: str = "") -> Response:
        require_admin(user)
        from sqlmodel import col, select

        accounts = db.exec(select(UserAccount).order_by(col(UserAccount.username))).all()
        return render(
            request,
            "brugere.html",
            {
                "user": user,
                "accounts": accounts,
                "roles": ROLES,
                "fejl": fejl,
            },
        )

    @router.post("/admin/brugere")
    def add_user(
        user: PageUser,
        db: Db,
        username: Annotated[str, Form(max_length=64)],
        password: Annotated[str, Form(max_length=256)],
        role: Annotated[str, Form()],
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        require_admin(user)
        require_csrf(user, csrf_token)
        try:
            create_user(db, username, password, role, user.username)
        except AccountError as exc:
            return back(f"/admin/brugere?fejl={str(exc)[:200]}")
        return back("/admin/brugere", "oprettet")

    return router


def _case_context(db: Session, message: InboundMessage, user: Any, notice: str) -> dict[str, Any]:
    parsed = message.parsed or {}
    reading = parsed.get("reading") or {}
    letters = q.letters_of_message(db, message.id or 0)
    reply = next((letter for letter in reversed(letters) if letter.kind == "reply"), None)
    notice_letter = next(
        (
            letter
            for letter in letters
            if letter.kind == "reply_notice"
            and reply
            and (letter.trace or {}).get("notice_for") == reply.id
        ),
        None,
    )
    history = q.debtor_history(db, message.debtor_id) if message.debtor_id else None
    from opkraevning.templates_da import references

    refs = references()
    return {
        "user": user,
        "message": message,
        "parsed": parsed,
        "mail": parsed.get("mail") or {},
        "memo": parsed.get("memo") or {},
        "reading": reading,
        "candidates": q.debtors_by_ids(db, list(reading.get("candidates") or [])),
        "reply": reply,
        "notice_letter": notice_letter,
        "older": [
            letter for letter in letters if letter is not reply and letter is not notice_letter
        ],
        "trace": (reply.trace or {}) if reply else {},
        "refs": refs,
        "h": history,
        "besked": notice,
    }


def _letter_home(letter: OutboundLetter) -> str:
    if letter.inbound_message_id is not None:
        return f"/sag/{letter.inbound_message_id}"
    if letter.run_id is not None:
        return f"/rykkerkoersel/{letter.run_id}"
    return "/udbakke"


def _safe_next(target: str) -> str:
    """Only local paths: a log-in link cannot send anyone to another site."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/indbakke"
    return target


def _date_or_none(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise HTTPException(422, "Datoen skal skrives som ÅÅÅÅ-MM-DD.") from None
