"""What the benchmarks share: a fresh empty database per run, SQLite or PostgreSQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import text

from opkraevning.store.db import make_engine

PG_URL = os.environ.get("OPKRAEVNING_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1/test")


def fresh_database(backend: str, workdir: Path) -> tuple[str, str | None]:
    """(url, PostgreSQL schema to drop afterwards) of a new, empty database."""
    if backend == "sqlite":
        return f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:6]}.db'}", None
    schema = f"opk_bench_{uuid.uuid4().hex[:8]}"
    with make_engine(PG_URL).begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    return f"{PG_URL}?options=-csearch_path%3D{schema}", schema


def drop_schema(schema: str | None) -> None:
    if schema:
        with make_engine(PG_URL).begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
