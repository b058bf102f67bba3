"""The run-lists cache is kept per database: two apps in one process never share lists."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from opkraevning.store import migrate
from opkraevning.store.db import make_engine
from opkraevning.web import run_lists
from tests.conftest import Database


def test_the_lists_are_kept_per_database(dev_database: Database, tmp_path: Path) -> None:
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    migrate.upgrade(empty)
    day = date(2026, 11, 27)
    try:
        full = run_lists.run_lists(dev_database.engine, day, None)
        none = run_lists.run_lists(empty, day, None)
        assert sum(full.counts.values()) > 0
        assert sum(none.counts.values()) == 0, "the empty database got the other one's lists"
        # forgetting one database keeps the other's lists
        run_lists.forget(empty)
        keys = {key[0] for key in run_lists._cache}
        assert dev_database.engine.url.render_as_string(hide_password=True) in keys
        assert empty.url.render_as_string(hide_password=True) not in keys
    finally:
        run_lists.forget(dev_database.engine)
        empty.dispose()
