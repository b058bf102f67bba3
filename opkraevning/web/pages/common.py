"""What every page module shares: rendering, redirects with a notice, cookies, and the
checks on targets and dates that come from forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from opkraevning.store.models import OutboundLetter

PAGE_SIZE = 50


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status)  # type: ignore[no-any-return]


def back(path: str, notice: str = "") -> RedirectResponse:
    suffix = f"{'&' if '?' in path else '?'}besked={notice}" if notice else ""
    return RedirectResponse(path + suffix, status_code=303)


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        secure=request.app.state.settings.web.secure_cookies,
        samesite="strict",
        path="/",
    )


def letter_home(letter: OutboundLetter) -> str:
    if letter.inbound_message_id is not None:
        return f"/sag/{letter.inbound_message_id}"
    if letter.run_id is not None:
        return f"/rykkerkoersel/{letter.run_id}"
    return "/udbakke"


def safe_next(target: str) -> str:
    """Only local paths: a log-in link cannot send anyone to another site."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/indbakke"
    return target


def date_or_none(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise HTTPException(422, "Datoen skal skrives som ÅÅÅÅ-MM-DD.") from None
