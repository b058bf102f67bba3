"""The audit trail: who did what, when and why. Callers own the transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection
from sqlmodel import Session

from opkraevning.domain.privacy import mask_cpr
from opkraevning.store.models import AuditEvent
from opkraevning.store.types import utcnow

AUDIT_TABLE = AuditEvent.__table__  # type: ignore[attr-defined]


def jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def field_changes(old: dict[str, Any], new: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """``{field: [old, new]}`` for the fields that differ; CPR numbers masked."""
    changes: dict[str, Any] = {}
    for name in fields:
        if old.get(name) != new.get(name):
            before, after = old.get(name), new.get(name)
            if name == "cpr":
                before, after = mask_cpr(before), mask_cpr(after)
            changes[name] = [jsonable(before), jsonable(after)]
    return changes


def audit_row(
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    details: dict[str, Any] | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "actor": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "reason": reason,
        "details": details,
    }


def write_audit(connection: Connection | Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection.execute(insert(AUDIT_TABLE), rows)


def record(
    connection: Connection | Session,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    details: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    write_audit(connection, [audit_row(actor, action, entity_type, entity_id, details, reason)])
