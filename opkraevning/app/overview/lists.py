"""The lists behind the overview's figures, and every list as CSV and XLSX.

A list is a title, its column headers and typed rows (øre as int, dates as dates);
the page formats them in Danish, CSV writes Danish numbers with ``;`` between fields
(what Danish Excel opens), XLSX writes real numbers and dates (openpyxl)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl import Workbook
from sqlmodel import Session

from opkraevning.domain.claim_types import danish_name
from opkraevning.store import overview_queries as oq
from opkraevning.store.models import ClaimStatus
from opkraevning.templates_da.formatting import amount, dato
from opkraevning.templates_da.names import AGREEMENT_STATUSES

KR = "kr"  # a column in kroner (øre inside)


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text | kr | date


@dataclass(frozen=True)
class Listing:
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]]


LINE_NAMES = {"principal": "hovedkrav", "fee": "gebyr", "interest": "rente"}


def _arrears(session: Session, day: date, limit: int | None) -> Listing:
    rows = [
        (
            r.id,
            r.debtor_id,
            danish_name(r.claim_type),
            LINE_NAMES.get(r.line, r.line),
            r.due_on,
            int(r.outstanding),
        )
        for r in oq.arrears_list(session, day, limit)
    ]
    columns = (
        Column("Krav"),
        Column("Skyldner"),
        Column("Kravtype"),
        Column("Linje"),
        Column("Forfald", "date"),
        Column("Restance", KR),
    )
    return Listing("restancer", "Krav i restance", columns, rows)


def _status(name: str, title: str, status: str) -> Callable[[Session, date, int | None], Listing]:
    def listing(session: Session, day: date, limit: int | None) -> Listing:
        rows = [
            (r.id, r.debtor_id, danish_name(r.claim_type), r.due_on, int(r.amount_ore))
            for r in oq.claims_with_status(session, status, limit)
        ]
        columns = (
            Column("Krav"),
            Column("Skyldner"),
            Column("Kravtype"),
            Column("Forfald", "date"),
            Column("Beløb", KR),
        )
        return Listing(name, title, columns, rows)

    return listing


def _agreements(session: Session, day: date, limit: int | None) -> Listing:
    rows = [
        (r[0], r[1], AGREEMENT_STATUSES.get(r[2], r[2]), int(r[3]), r[4], int(r[5]))
        for r in oq.agreement_list(session, limit)
    ]
    columns = (
        Column("Aftale"),
        Column("Skyldner"),
        Column("Status"),
        Column("Månedlig ydelse", KR),
        Column("Første rate", "date"),
        Column("Betalt", KR),
    )
    return Listing("aftaler", "Afdragsaftaler (aktive og misligholdte)", columns, rows)


def _reconciliation(session: Session, day: date, limit: int | None) -> Listing:
    """Afstemning: what the sending departments should correct. The register's claims
    carry no department yet, so the list names the claim type (each type has one
    sending department)."""
    rows = [
        (problem, claim, debtor, danish_name(kind), ore)
        for problem, claim, debtor, kind, ore in oq.reconciliation(session)
    ][: limit if limit is not None else None]
    columns = (
        Column("Problem"),
        Column("Krav"),
        Column("Skyldner"),
        Column("Kravtype"),
        Column("Beløb", KR),
    )
    return Listing("afstemning", "Afstemning af registret", columns, rows)


LISTS: dict[str, Callable[[Session, date, int | None], Listing]] = {
    "afstemning": _reconciliation,
    "restancer": _arrears,
    "overdraget": _status(
        "overdraget", "Krav sendt til Gældsstyrelsen", ClaimStatus.TRANSFERRED.value
    ),
    "afskrevet": _status("afskrevet", "Afskrevne krav", ClaimStatus.WRITTEN_OFF.value),
    "aftaler": _agreements,
}


def listing(session: Session, name: str, day: date, limit: int | None = None) -> Listing:
    return LISTS[name](session, day, limit)


def cell_text(value: Any, column: Column) -> str:
    if value is None:
        return ""
    if column.kind == KR:
        return amount(int(value))
    if column.kind == "date":
        return dato(value)
    return str(value)


def to_csv(found: Listing) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.title for c in found.columns])
    for row in found.rows:
        writer.writerow(
            [
                value.isoformat() if c.kind == "date" and value else cell_text(value, c)
                for value, c in zip(row, found.columns, strict=True)
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel reads æøå right


def to_xlsx(found: Listing) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(found.title[:31])
    sheet.append([c.title for c in found.columns])
    for row in found.rows:
        sheet.append(
            [
                value / 100 if c.kind == KR and value is not None else value
                for value, c in zip(row, found.columns, strict=True)
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
