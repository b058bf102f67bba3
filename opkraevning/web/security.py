"""Who is asking: the session cookie, the role, the CSRF token.

Pages redirect to the log-in page when there is no session; the API answers 401.
Every state-changing request must carry the session's CSRF token (a form field
``csrf_token`` on pages, the header ``X-CSRF-Token`` on the API); without it: 403.
The dependencies that apply these checks are in ``opkraevning.web.deps``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from fastapi import HTTPException, Request

from opkraevning.store.models import Role

SESSION_COOKIE = "opk_session"
LOGIN_COOKIE = "opk_login"


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass(frozen=True)
class Caseworker:
    user_id: int
    username: str
    role: str
    csrf: str

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMINISTRATOR.value

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER.value


def require_admin(caseworker: Caseworker) -> None:
    if not caseworker.is_admin:
        raise HTTPException(403, "kræver rollen administrator")


def require_csrf(caseworker: Caseworker, given: str | None) -> None:
    if not given or not secrets.compare_digest(caseworker.csrf, given):
        raise HTTPException(403, "ugyldigt CSRF-token: genindlæs siden")


def client_address(request: Request) -> str:
    """The peer's address (no proxy headers are trusted: they are the client's to forge)."""
    return request.client.host if request.client else "-"


_NUL_MARKS = (b"\x00", b"%00", b"\\u0000")
MAX_CHECKED_BODY = 1024 * 1024  # larger bodies are uploads, checked where they are read


async def has_nul(request: Request) -> bool:
    """A NUL in the path, the query or a form/JSON body (raw, %00 or \\u0000).

    No field of ours can hold one and PostgreSQL text cannot store one: refused with
    400 up front rather than failing deep inside with a 500.
    """
    if "\x00" in request.url.path or "%00" in request.url.path:
        return True
    query = request.scope.get("query_string", b"")
    if any(mark in query.lower() for mark in _NUL_MARKS[:2]):
        return True
    kind = request.headers.get("content-type", "")
    if request.method in ("POST", "PUT", "PATCH") and (
        kind.startswith("application/x-www-form-urlencoded") or "json" in kind
    ):
        length = request.headers.get("content-length") or "0"
        if length.isdigit() and int(length) <= MAX_CHECKED_BODY:
            body = (await request.body()).lower()
            return any(mark in body for mark in _NUL_MARKS)
    return False
