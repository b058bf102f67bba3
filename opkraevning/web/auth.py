"""Local accounts and browser sessions: argon2 hashes, lock-out, server-side sessions.

A session is a random token in an HttpOnly cookie; the database keeps only its
SHA-256, the user and a CSRF token that every form and API call must echo. Log-out
deletes the row. Failed log-ins are counted per account; at the limit the account
is locked for a while (and the attempt is audited). Each guess is taken from the
account atomically before its password is checked, so parallel guesses cannot get
past the limit. An unknown user name costs the same hash check as a known one, so
timing tells nothing, and unknown names are throttled per client address.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, case, delete, literal, or_, update
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
    reason: str  # ok, bad, locked, disabled, throttled


class AddressThrottle:
    """Failed log-ins per client address for unknown user names (name guessing, spraying).

    At most ``limit`` failures per address in ``window``; beyond that an attempt with an
    unknown name is refused without a hash check until the window has passed. Kept in
    memory, per process: each instance throttles on its own (the per-account lock-out,
    in the database, is what holds across instances).
    """

    def __init__(self, limit: int = 20, window: timedelta = timedelta(minutes=15)) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, list[datetime]] = {}
        self._lock = threading.Lock()

    def blocked(self, address: str, now: datetime) -> bool:
        with self._lock:
            recent = [t for t in self._failures.get(address, []) if now - t < self.window]
            self._failures[address] = recent
            return len(recent) >= self.limit

    def failed(self, address: str, now: datetime) -> None:
        with self._lock:
            self._failures.setdefault(address, []).append(now)
            if len(self._failures) > 10_000:  # bounded memory under a flood of addresses
                oldest = sorted(self._failures, key=lambda a: max(self._failures[a]))[:5_000]
                for key in oldest:
                    del self._failures[key]


THROTTLE = AddressThrottle()


def _reserve_attempt(
    session: Session, user_id: int, settings: WebSettings, now: datetime
) -> int | None:
    """Take one of the account's guesses, atomically, before its password is checked.

    One conditional UPDATE: it succeeds only while the account is not locked and has
    guesses left, and it locks the account when it takes the last one. The row stays
    locked until the caller's transaction ends, so a parallel attempt waits and then
    sees the new count: at most ``max_failed_logins`` passwords are checked per
    lock-out window, however many arrive at once. A right password gives it back.
    Returns the number of guesses used, or None when none was left (locked).
    """
    table = UserAccount.__table__  # type: ignore[attr-defined]
    expired = and_(table.c.locked_until.is_not(None), table.c.locked_until <= now)
    used = case((expired, 1), else_=table.c.failed_logins + 1)
    lock_at = literal(now + timedelta(minutes=settings.lockout_minutes), table.c.locked_until.type)
    statement = (
        update(table)
        .where(
            table.c.id == user_id,
            or_(
                and_(
                    table.c.locked_until.is_(None),
                    table.c.failed_logins < settings.max_failed_logins,
                ),
                expired,
            ),
        )
        .values(
            failed_logins=used,
            locked_until=case((used >= settings.max_failed_logins, lock_at), else_=None),
        )
        .returning(table.c.failed_logins)
    )
    taken = session.execute(statement).scalar_one_or_none()
    return int(taken) if taken is not None else None


def authenticate(
    session: Session,
    username: str,
    password: str,
    settings: WebSettings,
    now: datetime | None = None,
    address: str | None = None,
) -> LoginResult:
    """Check a log-in attempt: at most ``max_failed_logins`` guesses, then locked a while."""
    now = now or utcnow()
    user = session.exec(select(UserAccount).where(UserAccount.username == username.strip())).first()
    if user is None:
        if address is not None and THROTTLE.blocked(address, now):
            record(session, "web", "login.throttled", "user_account", "-", {"address": address})
            return LoginResult(None, "throttled")
        with contextlib.suppress(VerificationError):
            HASHER.verify(_DUMMY_HASH, password)
        if address is not None:
            THROTTLE.failed(address, now)
        record(session, "web", "login.failed", "user_account", "-", {"username": username[:64]})
        return LoginResult(None, "bad")
    if user.disabled:
        record(session, user.username, "login.refused_disabled", "user_account", str(user.id))
        return LoginResult(None, "disabled")
    assert user.id is not None
    used = _reserve_attempt(session, user.id, settings, now)
    if used is None:
        record(session, user.username, "login.refused_locked", "user_account", str(user.id))
        return LoginResult(None, "locked")
    try:
        HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        details = {"failed_logins": used}
        action = "login.locked" if used >= settings.max_failed_logins else "login.failed"
        record(session, user.username, action, "user_account", str(user.id), details)
        return LoginResult(None, "bad")
    session.refresh(user)
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
