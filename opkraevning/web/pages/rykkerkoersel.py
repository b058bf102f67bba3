"""Rykkerkørsel: the recorded reminder runs, one run's letters and lists, batch approval
and marking claims as handed to Gældsstyrelsen."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from opkraevning.app import casework
from opkraevning.store import casework_queries as q
from opkraevning.store.models import ScheduledRun
from opkraevning.web.deps import MAX_ROW_ID, Db, PageUser, RowId
from opkraevning.web.pages.common import back, render
from opkraevning.web.run_lists import forget, policy_choices, run_lists
from opkraevning.web.security import require_admin, require_csrf

router = APIRouter(include_in_schema=False)


@router.get("/rykkerkoersel", response_class=HTMLResponse)
def runs(request: Request, user: PageUser, db: Db) -> Response:
    return render(request, "rykkerkoersler.html", {"user": user, "runs": q.runs(db)})


@router.get("/rykkerkoersel/{run_id}", response_class=HTMLResponse)
def run(
    request: Request,
    run_id: RowId,
    user: PageUser,
    db: Db,
    tilstand: str = "needs_review",
    besked: str = "",
    politik: Annotated[str, Query(max_length=255)] = "",
) -> Response:
    scheduled = db.get(ScheduledRun, run_id)
    if scheduled is None:
        raise HTTPException(404, "Kørslen findes ikke.")
    settings = request.app.state.settings
    choices = policy_choices(settings.policy_dir) if user.is_admin else {}
    if politik:
        require_admin(user)  # the comparison is the administrator's, not only its form
        if politik not in choices:
            raise HTTPException(404, "Den politik findes ikke i politikmappen.")
    letters, counts = q.run_letters(db, run_id, tilstand)
    lists = run_lists(
        request.app.state.engine,
        date.fromisoformat(scheduled.slot),
        settings.policy_file,
        choices[politik] if politik else None,
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
            "policies": sorted(choices),
            "print_count": len(q.print_letters(db, run_id)),
        },
    )


@router.get("/rykkerkoersel/{run_id}/udskrift.pdf")
def print_batch(request: Request, run_id: int, user: PageUser, db: Db) -> Response:
    """The run's approved letters for the post as one PDF to print (audited)."""
    from opkraevning.assistant.policy.model import policy_for
    from opkraevning.mailbox.formats.pdf import Letterhead, batch_pdf

    scheduled = db.get(ScheduledRun, run_id)
    if scheduled is None:
        raise HTTPException(404, "Kørslen findes ikke.")
    letters = q.print_letters(db, run_id)
    if not letters:
        raise HTTPException(404, "Kørslen har ingen godkendte breve til udskrift.")
    policy = policy_for(date.fromisoformat(scheduled.slot), request.app.state.settings.policy_file)
    pdf = batch_pdf(
        [(x.subject, x.edited_body if x.edited_body is not None else x.body) for x in letters],
        Letterhead.of(policy),
    )
    from opkraevning.store.audit import record

    record(
        db,
        user.username,
        "run.print_batch",
        "scheduled_run",
        str(run_id),
        {"letters": len(letters)},
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="udskrift-{scheduled.slot}.pdf"'},
    )


@router.post("/rykkerkoersel/{run_id}/overdrag")
def transfer(
    request: Request,
    run_id: RowId,
    user: PageUser,
    db: Db,
    claim_id: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(user, csrf_token)
    policy = request.app.state.settings.policy_file
    letters = casework.mark_transferred(
        db, claim_id, user.username, policy, clock=request.app.state.clock
    )
    db.commit()  # before the lists are recomputed from the database
    forget(request.app.state.engine)
    return back(f"/rykkerkoersel/{run_id}", f"{len(claim_id)}-krav-sendt-{len(letters)}-breve")


@router.post("/rykkerkoersel/{run_id}/godkend")
def approve_batch(
    request: Request,
    run_id: RowId,
    user: PageUser,
    db: Db,
    letter_id: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    valgte: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(user, csrf_token)
    chosen = [int(v) for v in letter_id if v.isdigit() and int(v) <= MAX_ROW_ID]
    ids = chosen if valgte else None
    count = casework.approve_run_batch(
        db, run_id, user.username, ids, clock=request.app.state.clock
    )
    return back(f"/rykkerkoersel/{run_id}", f"{count}-godkendt")
