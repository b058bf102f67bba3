"""Oversigt: the strategy's pejlemærker as figures and plots, the lists behind them (also as
CSV and XLSX) and the monthly and yearly reports as PDF. The landing page of a leader."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from opkraevning.app.overview import lists, report
from opkraevning.app.overview.view import build, month_name
from opkraevning.web.deps import AppClock, OverviewUser
from opkraevning.web.pages.common import render

router = APIRouter(include_in_schema=False)
SHOWN_ROWS = 500
# the mail figures' lists are case screens: a leader sees the number, not the messages
CASE_SCREENS = ("/indbakke", "/udbakke")


@router.get("/oversigt", response_class=HTMLResponse)
def overview(request: Request, user: OverviewUser, clock: AppClock) -> Response:
    today = clock.today()
    start = date(today.year, today.month, 1)
    settings = request.app.state.settings
    with Session(request.app.state.engine) as session:
        shown = build(
            session,
            today,
            start,
            today + timedelta(days=1),
            month_name(today),
            settings.zone,
            settings.policy_file,
            today=today,
        )
    groups = [(g, list(items)) for g, items in itertools.groupby(shown.figures, lambda f: f.group)]
    return render(
        request,
        "oversigt.html",
        {
            "case_screens": CASE_SCREENS,
            "user": user,
            "overview": shown,
            "groups": groups,
            "month": start.strftime("%Y-%m"),
            "year": today.year,
        },
    )


def _listing(request: Request, name: str, day: date, limit: int | None) -> lists.Listing:
    if name not in lists.LISTS:
        raise HTTPException(404, "den liste findes ikke")
    with Session(request.app.state.engine) as session:
        return lists.listing(session, name, day, limit)


@router.get("/oversigt/liste/{name}.csv")
def list_csv(request: Request, name: str, user: OverviewUser, clock: AppClock) -> Response:
    found = _listing(request, name, clock.today(), None)
    disposition = f'attachment; filename="{name}-{clock.today().isoformat()}.csv"'
    return Response(
        lists.to_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )


@router.get("/oversigt/liste/{name}.xlsx")
def list_xlsx(request: Request, name: str, user: OverviewUser, clock: AppClock) -> Response:
    found = _listing(request, name, clock.today(), None)
    disposition = f'attachment; filename="{name}-{clock.today().isoformat()}.xlsx"'
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        lists.to_xlsx(found), media_type=media, headers={"Content-Disposition": disposition}
    )


@router.get("/oversigt/liste/{name}", response_class=HTMLResponse)
def list_page(request: Request, name: str, user: OverviewUser, clock: AppClock) -> Response:
    found = _listing(request, name, clock.today(), SHOWN_ROWS + 1)
    rows = [
        [lists.cell_text(value, column) for value, column in zip(row, found.columns, strict=True)]
        for row in found.rows[:SHOWN_ROWS]
    ]
    return render(
        request,
        "oversigt_liste.html",
        {
            "user": user,
            "listing": found,
            "rows": rows,
            "more": len(found.rows) > SHOWN_ROWS,
            "name": name,
            "shown": SHOWN_ROWS,
        },
    )


def _pdf(request: Request, period: report.Period, clock: AppClock, filename: str) -> Response:
    settings = request.app.state.settings
    try:
        pdf = report.render_pdf(request.app.state.engine, period, clock, settings.policy_file)
    except report.ReportError as exc:
        raise HTTPException(400, str(exc)) from None
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/rapport/maaned/{month}")
def month_report(request: Request, month: str, user: OverviewUser, clock: AppClock) -> Response:
    try:
        period = report.month_period(month)
    except report.ReportError as exc:
        raise HTTPException(400, str(exc)) from None
    return _pdf(request, period, clock, f"maanedsrapport-{month}.pdf")


@router.get("/rapport/aar/{year}")
def year_report(request: Request, year: str, user: OverviewUser, clock: AppClock) -> Response:
    try:
        period = report.year_period(year)
    except report.ReportError as exc:
        raise HTTPException(400, str(exc)) from None
    return _pdf(request, period, clock, f"aarsrapport-{year}.pdf")
