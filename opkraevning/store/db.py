"""Engines and sessions. No module-level engine: the caller builds one from settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from opkraevning.domain.text import nul_free

CONNECT_TIMEOUT = 10  # seconds, PostgreSQL


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever driver the URL names (or none)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine that never puts bound parameters (CPR numbers, citizen text) into the
    text of its exceptions, and so never into a log line or a traceback."""
    kwargs.setdefault("hide_parameters", True)
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if "connect_timeout" not in parsed.query:  # an unreachable server fails, never hangs
        kwargs.setdefault("connect_args", {}).setdefault("connect_timeout", CONNECT_TIMEOUT)
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    event.listen(engine, "before_cursor_execute", _no_nul_in_text, retval=True)
    return engine


def _nul_free_value(value: Any) -> Any:
    return nul_free(value) if isinstance(value, str) else value


def _nul_free_parameters(parameters: Any) -> Any:
    if isinstance(parameters, dict):
        if any(isinstance(v, str) and "\x00" in v for v in parameters.values()):
            return {key: _nul_free_value(value) for key, value in parameters.items()}
        return parameters
    if isinstance(parameters, tuple) and any(
        isinstance(v, str) and "\x00" in v for v in parameters
    ):
        return tuple(_nul_free_value(value) for value in parameters)
    return parameters


def _no_nul_in_text(
    _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, executemany: bool
) -> tuple[str, Any]:
    """PostgreSQL text cannot hold U+0000: a NUL that got this far becomes U+2400.

    The last guard, so that no text from outside makes a transaction fail on every
    retry (a subject, an address, an error message quoting them). The raw bytes are
    ``bytea`` and untouched; the parsers already give NUL-free text on both databases.
    """
    if executemany and isinstance(parameters, list):
        return statement, [_nul_free_parameters(row) for row in parameters]
    return statement, _nul_free_parameters(parameters)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
