"""Import of the debtor register (debtors, claims, payments CSV) into the store.

- Streaming: rows are read and written in batches; memory does not grow with the file.
- Idempotent: a row that matches the stored record changes nothing; a changed row
  updates the record and the audit log records which fields changed (CPR masked).
  Within one file a later row with the same id wins over an earlier one.
- One transaction for the whole import. With ``strict`` it is rolled back when any
  row is bad; otherwise the good rows are committed and the bad ones reported.
- Payments have no id in the register: a payment is known by claim, date, amount
  and occurrence, so two identical payments in one file are two payments and
  importing the file again adds none.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.engine import Connection, Engine
from tqdm import tqdm

from opkraevning.store.audit import audit_row, field_changes, write_audit
from opkraevning.store.models import Claim, Debtor, Payment
from opkraevning.store.register_rows import (
    CLAIM_COLUMNS,
    DEBTOR_COLUMNS,
    PAYMENT_COLUMNS,
    RowError,
    claim_record,
    debtor_record,
    payment_record,
)
from opkraevning.store.types import utcnow

DEBTOR_TABLE = Debtor.__table__  # type: ignore[attr-defined]
CLAIM_TABLE = Claim.__table__  # type: ignore[attr-defined]
PAYMENT_TABLE = Payment.__table__  # type: ignore[attr-defined]

DEBTOR_FIELDS = ["kind", "cpr", "cvr", "name", "address", "postcode", "city", "email", "phone"]
DEBTOR_DERIVED = ["street_key"]  # computed from the row; stored, not audited
CLAIM_FIELDS = [
    "debtor_id",
    "claim_type",
    "reference",
    "payment_id",
    "description",
    "amount_ore",
    "issued_on",
    "due_on",
    "status",
]
BATCH_SIZE = 5000


class ImportFileError(Exception):
    """The file as a whole cannot be read (missing, not CSV, header lacks a column)."""


@dataclass(frozen=True)
class RowProblem:
    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.reason}"


@dataclass
class FileReport:
    file: str
    kind: str
    sha256: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


@dataclass
class ImportReport:
    strict: bool
    files: list[FileReport] = field(default_factory=list)
    committed: bool = False
    warnings: list[str] = field(default_factory=list)  # imported, but a person should look

    @property
    def rejected(self) -> int:
        return sum(report.rejected for report in self.files)

    def file(self, kind: str) -> FileReport | None:
        return next((report for report in self.files if report.kind == kind), None)


ProblemSink = Callable[[RowProblem], None]
Validator = Callable[[dict[str, str | None]], dict[str, Any]]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _rows(
    path: Path, columns: tuple[str, ...], progress: bool
) -> Iterator[tuple[int, dict[str, str | None] | str]]:
    """Yield (line number, row) pairs; instead of the row, a reason when it cannot be one."""
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot open: {exc.strerror}") from None
    size = path.stat().st_size
    with (
        raw,
        io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="") as text_,
        tqdm(
            total=size,
            unit="B",
            unit_scale=True,
            desc=path.name,
            disable=not progress,
            leave=False,
        ) as bar,
    ):
        reader = csv.reader(text_)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise ImportFileError(f"{path}: the file is empty (no header line)") from None
        except csv.Error as exc:
            raise ImportFileError(f"{path}: not a CSV file: {exc}") from None
        missing = [name for name in columns if name not in header]
        if missing:
            raise ImportFileError(f"{path}:1: header lacks column(s): {', '.join(missing)}")
        shown = 0
        try:
            for number, fields in enumerate(reader, start=1):
                if not fields or fields == [""]:
                    continue
                if len(fields) != len(header):
                    yield reader.line_num, f"row has {len(fields)} fields, the header {len(header)}"
                else:
                    yield reader.line_num, dict(zip(header, fields, strict=True))
                if progress and number % 2000 == 0:
                    position = raw.tell()
                    bar.update(position - shown)
                    shown = position
        except csv.Error as exc:
            raise ImportFileError(f"{path}:{reader.line_num}: broken CSV: {exc}") from None
        bar.update(size - shown)


class _Importer:
    def __init__(
        self,
        connection: Connection,
        *,
        actor: str,
        on_problem: ProblemSink,
        progress: bool,
        batch_size: int,
    ) -> None:
        self.connection = connection
        self.actor = actor
        self.on_problem = on_problem
        self.progress = progress
        self.batch_size = batch_size

    # -- reading -------------------------------------------------------------------

    def _validated(
        self, path: Path, columns: tuple[str, ...], validate: Validator, report: FileReport
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        for line, row in _rows(path, columns, self.progress):
            report.rows += 1
            if isinstance(row, str):
                self.reject(report, line, "*", row)
                continue
            try:
                yield line, validate(row)
            except RowError as exc:
                report.rejected += 1
                for problem in exc.problems:
                    self.on_problem(RowProblem(report.file, line, problem.column, problem.reason))

    def reject(self, report: FileReport, line: int, column: str, reason: str) -> None:
        report.rejected += 1
        self.on_problem(RowProblem(report.file, line, column, reason))

    def _batches(
        self,
        records: Iterator[tuple[int, dict[str, Any]]],
        key: Callable[[dict[str, Any]], str] | None = None,
    ) -> Iterator[list[tuple[int, dict[str, Any]]]]:
        """Batches of records. With ``key``, keys are unique within a batch: a repeated key
        starts a new batch, so the later row updates the earlier one like any change."""
        batch: list[tuple[int, dict[str, Any]]] = []
        keys: set[str] = set()
        for line, record in records:
            record_key = key(record) if key is not None else ""
            if len(batch) >= self.batch_size or (key is not None and record_key in keys):
                yield batch
                batch, keys = [], set()
            batch.append((line, record))
            keys.add(record_key)
        if batch:
            yield batch

    # -- debtors and claims ---------------------------------------------------------

    def _existing_ids(self, table: Any, ids: set[str]) -> set[str]:
        if not ids:
            return set()
        return set(self.connection.scalars(select(table.c.id).where(table.c.id.in_(ids))))

    def _upsert(
        self,
        table: Any,
        fields: list[str],
        entity_type: str,
        batch: list[tuple[int, dict[str, Any]]],
        report: FileReport,
        derived: list[str] | None = None,
    ) -> None:
        ids = [record["id"] for _, record in batch]
        stored = [*fields, *(derived or [])]
        columns = [table.c.id, *(table.c[name] for name in stored)]
        existing = {
            row.id: row._asdict()
            for row in self.connection.execute(select(*columns).where(table.c.id.in_(ids)))
        }
        now = utcnow()
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        for _, record in batch:
            old = existing.get(record["id"])
            if old is None:
                inserts.append({**record, "created_at": now, "updated_at": now})
                continue
            changes = field_changes(old, record, fields)
            if not changes and all(old[name] == record[name] for name in derived or []):
                report.unchanged += 1
                continue
            values = {name: record[name] for name in stored}
            updates.append({**values, "updated_at": now, "b_id": record["id"]})
            if changes:
                details = {"source": report.file, "changes": changes}
                audits.append(
                    audit_row(self.actor, "register.update", entity_type, record["id"], details)
                )
        if inserts:
            self.connection.execute(insert(table), inserts)
        if updates:
            statement = update(table).where(table.c.id == bindparam("b_id"))
            self.connection.execute(statement, updates)
        write_audit(self.connection, audits)
        report.created += len(inserts)
        report.updated += len(updates)

    def import_debtors(self, path: Path, report: FileReport) -> None:
        records = self._validated(path, DEBTOR_COLUMNS, debtor_record, report)
        for batch in self._batches(records, key=lambda record: record["id"]):
            self._upsert(DEBTOR_TABLE, DEBTOR_FIELDS, "debtor", batch, report, DEBTOR_DERIVED)

    def import_claims(self, path: Path, report: FileReport) -> None:
        records = self._validated(path, CLAIM_COLUMNS, claim_record, report)
        for batch in self._batches(records, key=lambda record: record["id"]):
            known = self._existing_ids(DEBTOR_TABLE, {record["debtor_id"] for _, record in batch})
            good = []
            for line, record in batch:
                if record["debtor_id"] in known:
                    good.append((line, record))
                else:
                    reason = f"unknown debtor {record['debtor_id']!r}"
                    self.reject(report, line, "debtor_id", reason)
            if good:
                self._upsert(CLAIM_TABLE, CLAIM_FIELDS, "claim", good, report)

    # -- payments -------------------------------------------------------------------

    def import_payments(self, path: Path, report: FileReport) -> None:
        self.connection.execute(
            text(
                "CREATE TEMPORARY TABLE IF NOT EXISTS opk_seen_payment (k TEXT PRIMARY KEY, n INT)"
            )
        )
        self.connection.execute(text("DELETE FROM opk_seen_payment"))
        records = self._validated(path, PAYMENT_COLUMNS, payment_record, report)
        for batch in self._batches(records):
            self._payment_batch(batch, report)
        self.connection.execute(text("DROP TABLE opk_seen_payment"))

    def _payment_batch(self, batch: list[tuple[int, dict[str, Any]]], report: FileReport) -> None:
        claim_ids = {record["claim_id"] for _, record in batch}
        known = self._existing_ids(CLAIM_TABLE, claim_ids)
        keyed: list[tuple[str, dict[str, Any]]] = []
        for line, record in batch:
            if record["claim_id"] not in known:
                self.reject(report, line, "claim_id", f"unknown claim {record['claim_id']!r}")
                continue
            key = f"{record['claim_id']}|{record['paid_on'].isoformat()}|{record['amount_ore']}"
            keyed.append((key, record))
        if not keyed:
            return
        lookup = text("SELECT k, n FROM opk_seen_payment WHERE k IN :keys").bindparams(
            bindparam("keys", expanding=True)
        )
        keys = sorted({key for key, _ in keyed})
        seen_before: dict[str, int] = {
            k: n for k, n in self.connection.execute(lookup, {"keys": keys})
        }
        seen = dict(seen_before)
        stored = {
            (row.claim_id, row.paid_on, row.amount_ore, row.occurrence)
            for row in self.connection.execute(
                select(
                    PAYMENT_TABLE.c.claim_id,
                    PAYMENT_TABLE.c.paid_on,
                    PAYMENT_TABLE.c.amount_ore,
                    PAYMENT_TABLE.c.occurrence,
                ).where(PAYMENT_TABLE.c.claim_id.in_({record["claim_id"] for _, record in keyed}))
            )
        }
        now = utcnow()
        inserts: list[dict[str, Any]] = []
        for key, record in keyed:
            occurrence = seen.get(key, 0) + 1
            seen[key] = occurrence
            identity = (record["claim_id"], record["paid_on"], record["amount_ore"], occurrence)
            if identity in stored:
                report.unchanged += 1
            else:
                inserts.append({**record, "occurrence": occurrence, "created_at": now})
        if inserts:
            self.connection.execute(insert(PAYMENT_TABLE), inserts)
            report.created += len(inserts)
        self.connection.execute(
            text(
                "INSERT INTO opk_seen_payment (k, n) VALUES (:k, :n) "
                "ON CONFLICT (k) DO UPDATE SET n = excluded.n"
            ),
            [{"k": key, "n": n} for key, n in seen.items() if seen_before.get(key) != n],
        )


def shared_identifiers(connection: Connection, limit: int = 20) -> list[str]:
    """Warnings for debtors sharing one CPR and claims sharing one betalings-ID.

    Both are allowed by the file format but most likely a register error: mail quoting
    that CPR or betalings-ID could be matched to either. The CPR itself is not named.
    """
    warnings: list[str] = []
    for table, column, what in (
        (DEBTOR_TABLE, "cpr", "debtors {ids} share one CPR number"),
        (DEBTOR_TABLE, "cvr", "debtors {ids} share CVR {value}"),
        (CLAIM_TABLE, "payment_id", "claims {ids} share betalings-ID {value}"),
    ):
        value = table.c[column]
        shared = (
            select(value)
            .where(value.is_not(None))
            .group_by(value)
            .having(func.count() > 1)
            .order_by(value)
            .limit(limit)
        )
        for found in connection.scalars(shared):
            ids = connection.scalars(
                select(table.c.id).where(value == found).order_by(table.c.id).limit(10)
            ).all()
            warnings.append(what.format(ids=", ".join(ids), value=found))
    return warnings


def import_register(
    engine: Engine,
    *,
    debtors: Path | None = None,
    claims: Path | None = None,
    payments: Path | None = None,
    strict: bool = False,
    actor: str = "import",
    on_problem: ProblemSink | None = None,
    progress: bool = False,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import the given files (debtors, then claims, then payments) in one transaction."""
    report = ImportReport(strict=strict)
    problems: list[RowProblem] = []

    def sink(problem: RowProblem) -> None:
        if on_problem is not None:
            on_problem(problem)
        if len(problems) < 20:
            problems.append(problem)

    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            importer = _Importer(
                connection, actor=actor, on_problem=sink, progress=progress, batch_size=batch_size
            )
            steps = (
                ("debtors", debtors, importer.import_debtors),
                ("claims", claims, importer.import_claims),
                ("payments", payments, importer.import_payments),
            )
            for kind, path, run in steps:
                if path is None:
                    continue
                file_report = FileReport(file=str(path), kind=kind)
                if path.is_file():
                    file_report.sha256 = _sha256(path)
                report.files.append(file_report)
                run(path, file_report)
            if strict and report.rejected:
                transaction.rollback()
                return report
            report.warnings = shared_identifiers(connection)
            write_audit(
                connection,
                [
                    audit_row(
                        actor,
                        "register.import",
                        "register",
                        "-",
                        {
                            "files": [file_report.summary() for file_report in report.files],
                            "first_problems": [str(problem) for problem in problems],
                            "warnings": report.warnings,
                        },
                    )
                ],
            )
            transaction.commit()
            report.committed = True
        except BaseException:
            transaction.rollback()
            raise
    return report
