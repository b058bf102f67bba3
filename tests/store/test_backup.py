"""opkraevning backup: a consistent online copy of SQLite while writes go on."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from opkraevning.cli import main
from opkraevning.store.backup import BackupError, backup_sqlite, pg_dump_command

BATCH = 200


def _writer(path: Path, stop: threading.Event, batches: list[int]) -> None:
    """Write batches of BATCH rows, each batch in one transaction, until stopped."""
    connection = sqlite3.connect(path, timeout=30)
    number = 0
    while not stop.is_set():
        number += 1
        with connection:
            connection.executemany(
                "INSERT INTO pair (batch, n, payload) VALUES (?, ?, ?)",
                [(number, n, "x" * 200) for n in range(BATCH)],
            )
        batches.append(number)
    connection.close()


def test_the_copy_is_consistent_while_writes_happen(tmp_path: Path) -> None:
    source = tmp_path / "live.db"
    setup = sqlite3.connect(source)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE pair (batch INTEGER, n INTEGER, payload TEXT)")
    setup.close()
    stop, batches = threading.Event(), list[int]()
    thread = threading.Thread(target=_writer, args=(source, stop, batches))
    thread.start()
    try:
        seen: list[int] = []
        for copy_number in range(8):
            while len(batches) < (copy_number + 1) * 5:  # writes keep coming between copies
                threading.Event().wait(0.005)
            copy = tmp_path / f"copy-{copy_number}.db"
            result = backup_sqlite(source, copy)
            assert result.path == copy and result.tables == 1
            check = sqlite3.connect(copy)
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            sizes = check.execute("SELECT batch, count(*) FROM pair GROUP BY batch").fetchall()
            check.close()
            assert sizes, "the copy is empty"
            # every batch in the copy is whole: the copy is one moment of the database
            assert {count for _, count in sizes} == {BATCH}
            numbers = [batch for batch, _ in sizes]
            assert numbers == list(range(1, len(numbers) + 1))
            seen.append(len(numbers))
    finally:
        stop.set()
        thread.join(timeout=30)
    assert seen == sorted(seen) and seen[-1] > seen[0]  # the copies followed the writes
    assert not list(tmp_path.glob(".*.partial"))


def test_an_existing_target_is_not_overwritten_by_accident(tmp_path: Path) -> None:
    source = tmp_path / "live.db"
    sqlite3.connect(source).execute("CREATE TABLE t (x)").connection.close()
    target = tmp_path / "backup.db"
    target.write_text("keep me", encoding="utf-8")
    with pytest.raises(BackupError, match="exists already"):
        backup_sqlite(source, target)
    assert target.read_text(encoding="utf-8") == "keep me"
    backup_sqlite(source, target, overwrite=True)
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_cli_backup_copies_the_service_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPKRAEVNING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("OPKRAEVNING_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    target = tmp_path / "backup" / "opkraevning-copy.db"
    result = runner.invoke(main, ["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    monkeypatch.setenv("OPKRAEVNING_DATABASE_URL", f"sqlite:///{target}")
    current = runner.invoke(main, ["db", "current"])
    assert current.exit_code == 0, current.output  # the copy is a whole, current database


def test_cli_backup_of_postgresql_says_how(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPKRAEVNING_DATABASE_URL", "postgresql+psycopg://opk:hemmelig@db/opk")
    result = CliRunner().invoke(main, ["backup", str(tmp_path / "x.dump")])
    assert result.exit_code == 2
    assert "pg_dump --format=custom" in result.output
    assert "hemmelig" not in result.output
    assert "postgresql://opk@db/opk" in pg_dump_command(
        "postgresql+psycopg://opk:x@db/opk", tmp_path
    )
