"""Issue 15 item 6: parallel guesses cannot get past the lock-out; unknown names throttled."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col

from opkraevning.settings import WebSettings
from opkraevning.store.db import session_scope
from opkraevning.store.models import AuditEvent, UserAccount
from opkraevning.store.types import utcnow
from opkraevning.web import auth
from tests.conftest import Database

PASSWORD = "rigtig-adgangskode-42"
SETTINGS = WebSettings(max_failed_logins=5, lockout_minutes=15)


def _user(database: Database) -> None:
    with session_scope(database.engine) as session:
        auth.create_user(session, "pia", PASSWORD, "sagsbehandler", "test")


def _guess(database: Database, password: str, results: list[str], start: threading.Barrier) -> None:
    start.wait()
    with session_scope(database.engine) as session:
        results.append(auth.authenticate(session, "pia", password, SETTINGS).reason)


def _parallel(database: Database, passwords: list[str]) -> list[str]:
    results: list[str] = []
    start = threading.Barrier(len(passwords))
    threads = [
        threading.Thread(target=_guess, args=(database, password, results, start))
        for password in passwords
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == len(passwords)
    return results


def _checked(database: Database) -> int:
    """Password checks on the account: every audited failure, lock and success."""
    actions = ["login.failed", "login.locked", "login.ok"]
    with Session(database.engine) as session:
        query = select(func.count()).where(
            col(AuditEvent.action).in_(actions), col(AuditEvent.entity_id) != "-"
        )
        return int(session.scalars(query).one())


def test_thirty_threads_check_at_most_the_limit(database: Database) -> None:
    _user(database)
    results = _parallel(database, [f"forkert-{n}" for n in range(30)])
    assert results.count("bad") == SETTINGS.max_failed_logins
    assert results.count("locked") == 30 - SETTINGS.max_failed_logins
    assert _checked(database) == SETTINGS.max_failed_logins
    with Session(database.engine) as session:
        user = session.scalars(select(UserAccount)).one()
        assert user.locked_until is not None and user.locked_until > utcnow()


def test_sixty_parallel_guesses_with_the_right_one_last_do_not_log_in(
    database: Database,
) -> None:
    _user(database)
    wrong = [f"forkert-{n}" for n in range(59)]
    first = _parallel(database, wrong[: SETTINGS.max_failed_logins])  # the limit used up
    assert first.count("bad") == SETTINGS.max_failed_logins
    results = _parallel(database, [*wrong[SETTINGS.max_failed_logins :], PASSWORD])
    assert "ok" not in results
    assert _checked(database) == SETTINGS.max_failed_logins


def test_a_right_password_within_the_limit_logs_in_and_resets(database: Database) -> None:
    _user(database)
    results = _parallel(database, ["forkert-1", "forkert-2", PASSWORD])
    assert results.count("ok") == 1
    with session_scope(database.engine) as session:
        assert auth.authenticate(session, "pia", PASSWORD, SETTINGS).reason == "ok"
        user = session.scalars(select(UserAccount)).one()
        assert (user.failed_logins, user.locked_until) == (0, None)


def test_the_lock_expires(database: Database) -> None:
    _user(database)
    _parallel(database, [f"forkert-{n}" for n in range(6)])
    later = utcnow() + timedelta(minutes=16)
    with session_scope(database.engine) as session:
        assert auth.authenticate(session, "pia", PASSWORD, SETTINGS, now=later).reason == "ok"


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_unknown_names_are_throttled_per_address(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "THROTTLE", auth.AddressThrottle(limit=3))
    reasons = []
    for n in range(5):
        with session_scope(database.engine) as session:
            result = auth.authenticate(session, f"ukendt-{n}", "x", SETTINGS, address="10.0.0.9")
            reasons.append(result.reason)
    assert reasons == ["bad", "bad", "bad", "throttled", "throttled"]
    with session_scope(database.engine) as session:
        other = auth.authenticate(session, "ukendt", "x", SETTINGS, address="10.0.0.10")
    assert other.reason == "bad"
