"""Shared fixtures. The ``database`` fixture runs each test on SQLite and on PostgreSQL.

PostgreSQL: ``OPKRAEVNING_TEST_PG_URL`` (default: the machine's server, database
``test``). Each test session works in its own schema, dropped at the end. When the
server cannot be reached the PostgreSQL half is skipped locally, and fails in CI
(``CI`` set): a missing server is never a silent pass there.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from opkraevning.store import migrate
from opkraevning.store.db import make_engine

pytest_plugins = ["tests.mailbox.dovecot"]  # the session's Dovecot and the `imap` fixture

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEV_CORPUS = SHARED / "corpus" / "dev"
DEV_REGISTER = DEV_CORPUS / "register"
PG_URL = os.environ.get(
    "OPKRAEVNING_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@dataclass
class Database:
    """A migrated, empty database for one test."""

    kind: str
    url: str
    engine: Engine


def _shared_required() -> None:
    if not DEV_REGISTER.is_dir():
        pytest.fail(f"the shared corpus is missing beside the checkout: {DEV_REGISTER}")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    schema = f"opk_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        message = f"PostgreSQL not reachable at {PG_URL}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{name}"' for name in SQLModel.metadata.tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        path = tmp_path / "opkraevning.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        yield Database("sqlite", url, engine)
        engine.dispose()
    else:
        url = request.getfixturevalue("postgres_schema")
        engine = make_engine(url)
        _truncate_all(engine)
        yield Database("postgresql", url, engine)
        engine.dispose()


@pytest.fixture
def dev_register() -> Path:
    _shared_required()
    return DEV_REGISTER


@pytest.fixture
def dev_database(database: Database, dev_register: Path) -> Database:
    """A database holding the whole dev register (debtors, claims, payments)."""
    from opkraevning.app.register_import import import_register

    report = import_register(
        database.engine,
        debtors=dev_register / "debtors.csv",
        claims=dev_register / "claims.csv",
        payments=dev_register / "payments.csv",
    )
    assert report.committed and report.rejected == 0
    return database


SCORES = pytest.StashKey[list[str]]()
FIXTURES = SHARED / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/*.txt from the current templates (review the diff!)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SCORES] = []


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    lines = config.stash.get(SCORES, [])
    if lines:
        terminalreporter.section("scores on the shared fixtures and corpus")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def report_score(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Record a line for the score summary printed at the end of the run."""
    return request.config.stash[SCORES].append


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's own OPKRAEVNING_* settings."""
    for name in list(os.environ):
        if name.startswith("OPKRAEVNING_") and name != "OPKRAEVNING_TEST_PG_URL":
            monkeypatch.delenv(name)
