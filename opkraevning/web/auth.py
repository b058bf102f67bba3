"""Local accounts and browser sessions: argon2 hashes, lock-out, server-side sessions.

A session is a random token in an HttpOnly cookie; the database keeps only its
SHA-256, the user and a CSRF token that every form and API call must echo. Log-out
deletes the row. Failed log-ins are counted per account; at the limit the account
is locked for a while (and the attempt is audited). An unknown user name costs the
same hash check as a known one, so timing tells nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete
from sqlmodel import Session, col, select

from opkraevning.settings import WebSettings
from opkraevning.store.audit import record
from opkraevning.store.models import Role, UserAccount, WebSession
from opkraevning.store.types import utcnow

HASHER = PasswordHasher()
_DUMMY_HASH = HASHER.hash("not a password of anyone")
MIN_PASSWORD_LENGTH = 12
ROLES = tuple(role.value for role in Role)


class AccountError(ValueError):
    """A user cannot be created as asked (name taken, weak password, unknown role)."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def create_user(
    session: Session, username: str, password: str, role: str, actor: str
) -> UserAccount:
    username = username.strip()
    if not username or len(username) > 64 or not username.isprintable():
        raise AccountError("the user name must be 1 to 64 printable characters")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r} (use {' or '.join(ROLES)})")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if session.exec(select(UserAccount).where(UserAccount.username == username)).first():
        raise AccountError(f"the user {username!r} exists")
    user = UserAccount(username=username, password_hash=HASHER.hash(password), role=role)
    session.add(user)
    session.flush()
    record(
        session,
        actor,
        "user.created",
        "user_account",
        str(user.id),
        {"username": username, "role": role},
    )
    return user


@dataclass(frozen=True)
class LoginResult:
    user: UserAccount | None
    reason: str  # ok, bad, locked, disabled


def authenticate(
    session: Session,
    username: str,
    password: str,
    settings: WebSettings,
    now: datetime | None = None,
) -> LoginResult:
    """Check a log-in attempt, counting failures and locking the account at the limit."""
    now = now or utcnow()
    user = session.exec(select(UserAccount).where(UserAccount.username == username.strip())).first()
    if user is None:
        with contextlib.suppress(VerificationError):
            HASHER.verify(_DUMMY_HASH, password)
        record(session, "web", "login.failed", "user_account", "-", {"username": username[:64]})
        return LoginResult(None, "bad")
    if user.locked_until is not None and user.locked_until > now:
        record(session, user.username, "login.refused_locked", "user_account", str(user.id))
        return LoginResult(None, "locked")
    if user.disabled:
        record(session, user.username, "login.refused_disabled", "user_account", str(user.id))
        return LoginResult(None, "disabled")
    try:
        HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        details = {"failed_logins": user.failed_logins}
        if user.failed_logins >= settings.max_failed_logins:
            user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            user.failed_logins = 0
            record(session, user.username, "login.locked", "user_account", str(user.id), details)
        else:
            record(session, user.username, "login.failed", "user_account", str(user.id), details)
        session.add(user)
        return LoginResult(None, "bad")
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.add(user)
    record(session, user.username, "login.ok", "user_account", str(user.id))
    return LoginResult(user, "ok")


def open_session(
    session: Session, user: UserAccount, settings: WebSettings, now: datetime | None = None
) -> tuple[str, str]:
    """A new session for ``user``: (cookie token, CSRF token)."""
    now = now or utcnow()
    assert user.id is not None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=token_hash(token),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_hours),
        )
    )
    session.execute(delete(WebSession).where(col(WebSession.expires_at) < now))
    return token, csrf


def session_user(
    session: Session, token: str | None, now: datetime | None = None
) -> tuple[UserAccount, WebSession] | None:
    if not token:
        return None
    now = now or utcnow()
    web = session.get(WebSession, token_hash(token))
    if web is None or web.expires_at <= now:
        return None
    user = session.get(UserAccount, web.user_id)
    if user is None or user.disabled:
        return None
    return user, web


def close_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(WebSession).where(col(WebSession.token_hash) == token_hash(token)))
