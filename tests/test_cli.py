from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlmodel import Session

from opkraevning.cli import main
from opkraevning.store.queries import count_rows
from tests.conftest import Database


def _run(database_url: str, *args: str) -> Result:
    env = {"OPKRAEVNING_DATABASE_URL": database_url}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_db_upgrade_creates_a_new_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/new/opkraevning.db"
    before = _run(url, "db", "current")
    assert before.exit_code == 1
    assert before.output.startswith("empty")
    result = _run(url, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "empty -> " in result.output
    after = _run(url, "db", "current")
    assert after.exit_code == 0
    assert "empty" not in after.output


def test_import_refuses_a_database_without_schema(tmp_path: Path, dev_register: Path) -> None:
    url = f"sqlite:///{tmp_path}/blank.db"
    result = _run(url, "import", "--debtors", str(dev_register / "debtors.csv"))
    assert result.exit_code == 2
    assert "opkraevning db upgrade" in result.output


def test_import_dev_register_exit_0_then_idempotent(database: Database, dev_register: Path) -> None:
    args = [
        "import",
        "--debtors",
        str(dev_register / "debtors.csv"),
        "--claims",
        str(dev_register / "claims.csv"),
        "--payments",
        str(dev_register / "payments.csv"),
    ]
    first = _run(database.url, *args)
    assert first.exit_code == 0, first.output
    assert "debtors: 300 rows, 300 new" in first.output
    assert "claims: 604 rows, 604 new" in first.output
    assert "payments: 213 rows, 213 new" in first.output
    second = _run(database.url, *args)
    assert second.exit_code == 0
    assert "claims: 604 rows, 0 new, 0 updated, 604 unchanged, 0 rejected" in second.output
    with Session(database.engine) as session:
        assert count_rows(session) == {"debtors": 300, "claims": 604, "payments": 213}


def test_import_exit_status_says_what_happened(
    database: Database, dev_register: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "debtors.csv"
    shutil.copy(dev_register / "debtors.csv", bad)
    with bad.open("a", encoding="utf-8") as handle:
        handle.write("D9999999,person,3213701234,,Forkert Dato,Vej 1,8500,Grenaa,,\n")
    strict = _run(database.url, "import", "--debtors", str(bad), "--strict")
    assert strict.exit_code == 3
    assert f"rejected {bad}:302: cpr: invalid CPR number" in strict.output
    assert "nothing imported" in strict.output
    relaxed = _run(database.url, "import", "--debtors", str(bad))
    assert relaxed.exit_code == 1
    assert "debtors: 301 rows, 300 new, 0 updated, 0 unchanged, 1 rejected" in relaxed.output


def test_import_needs_a_file(database: Database) -> None:
    result = _run(database.url, "import")
    assert result.exit_code == 2
    assert "at least one of" in result.output


def test_missing_file_is_a_usage_error(database: Database, tmp_path: Path) -> None:
    result = _run(database.url, "import", "--debtors", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2


@pytest.mark.parametrize("command", [["--help"], ["import", "--help"], ["db", "--help"]])
def test_help_is_there(command: list[str]) -> None:
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_report_writes_the_monthly_and_yearly_pdf(database: Database, tmp_path: Path) -> None:
    from tests.app.overview.test_figures import crafted_register
    from tests.web.pages.test_oversigt import pdf_text

    crafted_register(database)
    month = tmp_path / "november.pdf"
    result = _run(database.url, "report", "--month", "2026-11", "--pdf", str(month))
    assert result.exit_code == 0, result.output
    text = pdf_text(month.read_bytes())
    assert "Månedsrapport for november 2026" in text and "Norddjurs Kommune" in text
    year = tmp_path / "2026.pdf"
    assert _run(database.url, "report", "--year", "2026", "--pdf", str(year)).exit_code == 0
    assert "Årsrapport for 2026" in pdf_text(year.read_bytes())
    refused = _run(database.url, "report", "--month", "november", "--pdf", str(month))
    assert refused.exit_code == 2 and "ÅÅÅÅ-MM" in refused.output
