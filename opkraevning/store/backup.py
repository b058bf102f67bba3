"""``opkraevning backup FILE``: a consistent copy of the SQLite database while it is in use.

SQLite's online backup API (``sqlite3.Connection.backup``) copies the database in one
step inside a read transaction: the copy is the database as it was at one moment,
whatever the service writes meanwhile (in WAL mode writers go on while it runs). The
copy is written beside the target, checked with ``PRAGMA integrity_check`` and only
then renamed into place, so FILE is either a whole good copy or not there.
PostgreSQL is backed up with its own tool, ``pg_dump`` (see :func:`pg_dump_command`).
"""

from __future__ import annotations

import os
import shlex
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(Exception):
    """The copy could not be made; nothing was left at the target."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    tables: int


def sqlite_path(database_url: str) -> Path | None:
    """The database file of a SQLite URL; None for another database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return Path(url.database)


def backup_sqlite(source: Path, target: Path, *, overwrite: bool = False) -> BackupResult:
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists already (give --overwrite to replace it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    writer = sqlite3.connect(partial)
    try:
        reader.backup(writer)  # all pages in one step: one consistent snapshot
        writer.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        verdict = writer.execute("PRAGMA integrity_check").fetchone()[0]
        tables = writer.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).fetchone()[0]
    except sqlite3.Error as exc:
        writer.close()
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed: {exc}") from exc
    finally:
        reader.close()
    writer.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {verdict}")
    os.replace(partial, target)
    return BackupResult(target, target.stat().st_size, int(tables))


def pg_dump_command(database_url: str, target: Path) -> str:
    """The pg_dump command line for a PostgreSQL URL (the password is never shown)."""
    url = make_url(database_url)
    bare = URL.create(
        "postgresql", url.username, None, url.host, url.port, url.database, url.query
    )  # no password: pg_dump asks for it, or reads ~/.pgpass / PGPASSWORD
    dsn = bare.render_as_string(hide_password=False)
    return f"pg_dump --format=custom --file={shlex.quote(str(target))} {shlex.quote(dsn)}"
