from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col

from opkraevning.app.register_import import (
    ImportFileError,
    RowProblem,
    import_register,
)
from opkraevning.store.models import AuditEvent, Claim, Debtor, Payment
from opkraevning.store.register_rows import CLAIM_COLUMNS, DEBTOR_COLUMNS, PAYMENT_COLUMNS
from tests.conftest import Database


def _count(session: Session, model: Any) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _write(path: Path, header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    with Session(database.engine) as session:
        debtors = session.execute(select(Debtor).order_by(col(Debtor.id))).scalars().all()
        claims = session.execute(select(Claim).order_by(col(Claim.id))).scalars().all()
        payments = session.execute(select(Payment).order_by(col(Payment.id))).scalars().all()
        return {
            "debtors": [tuple(d.model_dump().values()) for d in debtors],
            "claims": [tuple(c.model_dump().values()) for c in claims],
            "payments": [tuple(p.model_dump().values()) for p in payments],
        }


DEBTOR = ("D1", "person", "0101701234", "", "Ane Sørensen", "Storegade 1", "8500", "Grenaa",
          "ane@example.dk", "")  # fmt: skip
DEBTOR_2 = ("D2", "company", "", "59170317", "Lassen ApS", "Havnevej 5", "8400", "Ebeltoft",
            "", "86301234")  # fmt: skip
CLAIM = ("C1", "D1", "husleje", "2026-453257", "908100339075799", "Husleje 10/2026", "4755.36",
         "2026-10-01", "2026-10-15", "open")  # fmt: skip


def test_dev_register_imports_300_debtors_604_claims_213_payments(
    database: Database, dev_register: Path
) -> None:
    report = import_register(
        database.engine,
        debtors=dev_register / "debtors.csv",
        claims=dev_register / "claims.csv",
        payments=dev_register / "payments.csv",
    )
    assert report.committed
    assert report.rejected == 0
    with Session(database.engine) as session:
        assert _count(session, Debtor) == 300
        assert _count(session, Claim) == 604
        assert _count(session, Payment) == 213
        karina = session.get(Debtor, "D1100000")
        assert karina is not None
        assert karina.name == "Karina Winther"
        assert karina.address == "Ærtelandsvej 39"
        claim = session.get(Claim, "C11000000")
        assert claim is not None
        assert claim.amount_ore == 967403  # 9674.03 kr.
        assert claim.claim_type == "ejendomsskat"
        summary = session.execute(
            select(AuditEvent).where(col(AuditEvent.action) == "register.import")
        ).scalar_one()
        assert summary.details is not None
        assert [f["created"] for f in summary.details["files"]] == [300, 604, 213]


def test_importing_the_same_files_twice_changes_nothing(
    database: Database, dev_register: Path
) -> None:
    files: dict[str, Any] = {
        "debtors": dev_register / "debtors.csv",
        "claims": dev_register / "claims.csv",
        "payments": dev_register / "payments.csv",
    }
    import_register(database.engine, **files)
    before = _snapshot(database)
    again = import_register(database.engine, **files)
    assert [(f.created, f.updated) for f in again.files] == [(0, 0), (0, 0), (0, 0)]
    assert [f.unchanged for f in again.files] == [300, 604, 213]
    assert _snapshot(database) == before
    with Session(database.engine) as session:
        updates = session.execute(
            select(func.count()).where(col(AuditEvent.action) == "register.update")
        ).scalar_one()
    assert updates == 0


def test_changed_row_updates_record_and_audit_names_fields_with_cpr_masked(
    database: Database, tmp_path: Path
) -> None:
    first = _write(tmp_path / "d1.csv", DEBTOR_COLUMNS, [DEBTOR, DEBTOR_2])
    import_register(database.engine, debtors=first)
    moved = (*DEBTOR[:2], "0202801234", "", DEBTOR[4], "Kirkevej 9", *DEBTOR[6:])
    second = _write(tmp_path / "d2.csv", DEBTOR_COLUMNS, [moved, DEBTOR_2])
    report = import_register(database.engine, debtors=second, actor="import:test")
    assert (report.files[0].updated, report.files[0].unchanged) == (1, 1)
    with Session(database.engine) as session:
        debtor = session.get(Debtor, "D1")
        assert debtor is not None
        assert debtor.address == "Kirkevej 9"
        assert debtor.cpr == "0202801234"
        event = session.execute(
            select(AuditEvent).where(col(AuditEvent.action) == "register.update")
        ).scalar_one()
    assert (event.entity_type, event.entity_id, event.actor) == ("debtor", "D1", "import:test")
    assert event.details is not None
    assert event.details["changes"] == {
        "cpr": ["010170-****", "020280-****"],
        "address": ["Storegade 1", "Kirkevej 9"],
    }
    assert "1234" not in str(event.details)


def test_bad_rows_are_reported_with_file_line_column_and_good_rows_imported(
    database: Database, tmp_path: Path
) -> None:
    debtors = _write(tmp_path / "debtors.csv", DEBTOR_COLUMNS, [DEBTOR, DEBTOR_2])
    rows = [
        CLAIM,
        ("C2", "D9", *CLAIM[2:]),  # unknown debtor
        ("C3", "D1", "hundeskat", *CLAIM[3:]),  # unknown claim type
        ("C4", "D1", "husleje", "2026-1", "908100339075798", *CLAIM[5:]),  # check digit
        ("C5", "D1", "husleje", "2026-2", "", "x", "12.5", "2026-13-01", "2026-10-15", "open"),
        ("C6", "D2", "erstatningskrav", "2026-3", "", "Skade", "100.00", *CLAIM[7:9], "paid"),
    ]
    claims = _write(tmp_path / "claims.csv", CLAIM_COLUMNS, rows)
    problems: list[RowProblem] = []
    report = import_register(
        database.engine, debtors=debtors, claims=claims, on_problem=problems.append
    )
    assert report.committed
    claim_report = report.file("claims")
    assert claim_report is not None
    assert (claim_report.created, claim_report.rejected) == (2, 4)
    found = {(p.line, p.column) for p in problems}
    assert found == {
        (3, "debtor_id"),
        (4, "claim_type"),
        (5, "payment_id"),
        (6, "amount"),
        (6, "issued_on"),
    }
    assert all(p.file == str(claims) for p in problems)
    assert str(problems[0]).startswith(f"{claims}:")
    with Session(database.engine) as session:
        assert sorted(session.execute(select(col(Claim.id))).scalars()) == ["C1", "C6"]


def test_strict_import_imports_nothing_when_a_row_is_bad(
    database: Database, tmp_path: Path
) -> None:
    bad = ("D3", "person", "3213561234", "", "Bo", "Vej 1", "8500", "Grenaa", "", "")
    debtors = _write(tmp_path / "debtors.csv", DEBTOR_COLUMNS, [DEBTOR, DEBTOR_2, bad])
    report = import_register(database.engine, debtors=debtors, strict=True)
    assert not report.committed
    assert report.rejected == 1
    with Session(database.engine) as session:
        assert _count(session, Debtor) == 0
        assert _count(session, AuditEvent) == 0
    relaxed = import_register(database.engine, debtors=debtors)
    assert relaxed.committed
    with Session(database.engine) as session:
        assert _count(session, Debtor) == 2


def test_identical_payments_are_two_payments_and_reimport_adds_none(
    database: Database, tmp_path: Path
) -> None:
    debtors = _write(tmp_path / "debtors.csv", DEBTOR_COLUMNS, [DEBTOR])
    claims = _write(tmp_path / "claims.csv", CLAIM_COLUMNS, [CLAIM])
    same = ("C1", "500.00", "2026-10-20")
    rows = [same, ("C1", "100.00", "2026-10-21"), same, ("C1", "1.00", "2026-10-22"), same]
    payments = _write(tmp_path / "payments.csv", PAYMENT_COLUMNS, rows)
    # a batch size of 2 puts the identical payments in different batches
    kwargs: dict[str, Any] = {"debtors": debtors, "claims": claims, "payments": payments}
    first = import_register(database.engine, batch_size=2, **kwargs)
    assert first.file("payments") is not None
    with Session(database.engine) as session:
        stored = session.execute(select(col(Payment.amount_ore), col(Payment.occurrence))).all()
    assert sorted(stored) == [(100, 1), (10000, 1), (50000, 1), (50000, 2), (50000, 3)]
    again = import_register(database.engine, batch_size=2, **kwargs)
    payment_report = again.file("payments")
    assert payment_report is not None
    assert (payment_report.created, payment_report.unchanged) == (0, 5)
    more = _write(tmp_path / "payments2.csv", PAYMENT_COLUMNS, [*rows, same])
    third = import_register(database.engine, payments=more)
    third_report = third.file("payments")
    assert third_report is not None
    assert third_report.created == 1
    with Session(database.engine) as session:
        assert _count(session, Payment) == 6


def test_later_row_with_same_id_wins_across_and_within_batches(
    database: Database, tmp_path: Path
) -> None:
    renamed = (DEBTOR[0], DEBTOR[1], DEBTOR[2], "", "Ane Bech Sørensen", *DEBTOR[5:])
    debtors = _write(tmp_path / "debtors.csv", DEBTOR_COLUMNS, [DEBTOR, DEBTOR_2, renamed])
    for batch_size in (2, 100):
        import_register(database.engine, debtors=debtors, batch_size=batch_size)
        with Session(database.engine) as session:
            debtor = session.get(Debtor, "D1")
            assert debtor is not None
            assert debtor.name == "Ane Bech Sørensen"
            assert _count(session, Debtor) == 2


def test_payment_for_unknown_claim_is_rejected(database: Database, tmp_path: Path) -> None:
    payments = _write(tmp_path / "payments.csv", PAYMENT_COLUMNS, [("C404", "1.00", "2026-01-01")])
    problems: list[RowProblem] = []
    report = import_register(database.engine, payments=payments, on_problem=problems.append)
    assert report.rejected == 1
    assert (problems[0].line, problems[0].column) == (2, "claim_id")


def test_file_level_errors_name_the_file(database: Database, tmp_path: Path) -> None:
    no_column = tmp_path / "debtors.csv"
    no_column.write_text("debtor_id,kind,name\nD1,person,Ane\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"debtors\.csv:1: header lacks column\(s\): cpr"):
        import_register(database.engine, debtors=no_column)
    empty = tmp_path / "claims.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportFileError, match="empty"):
        import_register(database.engine, claims=empty)
    with Session(database.engine) as session:
        assert _count(session, Debtor) == 0


def test_undecodable_bytes_reject_the_row_not_the_file(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "debtors.csv"
    header = ",".join(DEBTOR_COLUMNS).encode()
    good = ",".join(DEBTOR).encode("utf-8")
    latin1 = ",".join(DEBTOR_2).replace("Lassen", "Lassen Søn").encode("latin-1")
    path.write_bytes(b"\xef\xbb\xbf" + header + b"\r\n" + good + b"\r\n" + latin1 + b"\r\n")
    problems: list[RowProblem] = []
    report = import_register(database.engine, debtors=path, on_problem=problems.append)
    assert report.rejected == 1
    assert [(p.line, p.column, p.reason) for p in problems] == [(3, "name", "not valid UTF-8")]
    with Session(database.engine) as session:
        assert session.get(Debtor, "D1") is not None


# -- issue 15 item 14: control characters, the reason for a negative amount, shared ids ----


@pytest.mark.parametrize(
    ("column", "value"),
    [
        (4, "Ane\r\nBcc: bo@example.dk"),
        (4, "Ane\nSørensen"),
        (5, "Storegade 1\rX"),
        (8, "ane@example.dk\r\nBcc: bo@example.dk"),
        (7, "Grenaa\x00"),
    ],
)
def test_line_breaks_in_names_and_addresses_are_rejected(
    database: Database, tmp_path: Path, column: int, value: str
) -> None:
    row = list(DEBTOR)
    row[column] = value
    debtors = _write(tmp_path / "debtors.csv", DEBTOR_COLUMNS, [tuple(row)])
    problems: list[RowProblem] = []
    report = import_register(database.engine, debtors=debtors, on_problem=problems.append)
    assert report.rejected == 1
    [problem] = problems
    assert problem.column == DEBTOR_COLUMNS[column]
    assert "line break" in problem.reason


def test_a_negative_amount_is_rejected_as_not_positive(database: Database, tmp_path: Path) -> None:
    debtors = _write(tmp_path / "debtors.csv", DEBTOR_COLUMNS, [DEBTOR])
    claim = (*CLAIM[:6], "-4755.36", *CLAIM[7:])
    claims = _write(tmp_path / "claims.csv", CLAIM_COLUMNS, [claim])
    problems: list[RowProblem] = []
    import_register(database.engine, debtors=debtors, claims=claims, on_problem=problems.append)
    [problem] = problems
    assert problem.column == "amount"
    assert "positive" in problem.reason and "decimals" not in problem.reason


def test_shared_cpr_and_shared_betalings_id_are_warned_about(
    database: Database, tmp_path: Path
) -> None:
    twin = ("D3", "person", DEBTOR[2], "", "Bo Sørensen", "Storegade 1", "8500", "Grenaa", "", "")
    debtors = _write(tmp_path / "debtors.csv", DEBTOR_COLUMNS, [DEBTOR, DEBTOR_2, twin])
    other = ("C2", "D3", "husleje", "2026-453258", CLAIM[4], *CLAIM[5:])
    claims = _write(tmp_path / "claims.csv", CLAIM_COLUMNS, [CLAIM, other])
    report = import_register(database.engine, debtors=debtors, claims=claims)
    assert report.committed and report.rejected == 0
    assert report.warnings == [
        "debtors D1, D3 share one CPR number",
        f"claims C1, C2 share betalings-ID {CLAIM[4]}",
    ]
    assert all(DEBTOR[2] not in warning for warning in report.warnings)
    with Session(database.engine) as session:
        audit = session.scalars(
            select(AuditEvent).where(col(AuditEvent.action) == "register.import")
        ).one()
    assert audit.details is not None and audit.details["warnings"] == report.warnings
