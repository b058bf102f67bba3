"""Multi-row inserts through the database driver, for the reminder run's millions of rows
(SQLite: one ``executemany``; PostgreSQL: ``COPY``).

SQLAlchemy's per-row parameter processing costs more than the database's own work at
that volume. These inserts take values already in the form the column stores: JSON as
text, and dates and timestamps converted here the way the column types would
(SQLite: ISO text, timestamps naive UTC; PostgreSQL: native). A test reads the rows
back through the ORM to prove they are the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.types import TypeDecorator


def to_db(value: Any, dialect: str) -> Any:
    if dialect != "sqlite":
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def insert_rows(
    connection: Any, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT ``rows`` (tuples in ``columns`` order) with one driver-level executemany."""
    if not rows:
        return
    dialect = connection.dialect.name
    if dialect == "postgresql":
        _copy_rows(connection, table, columns, rows)
        return
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(columns)
    marks = ", ".join([marker] * len(columns))
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"
    # convert only the columns that hold dates, timestamps or booleans (judged by the
    # column's type, so a None in the first row cannot hide one)
    python_types = {name: _python_type(table, name) for name in columns}
    convert = [
        index
        for index, name in enumerate(columns)
        if dialect == "sqlite" and python_types[name] in (date, datetime, bool)
    ]
    if convert:
        converted = []
        seen: dict[Any, Any] = {}  # the same timestamp or date recurs in every row
        for row in rows:
            values = list(row)
            for index in convert:
                value = values[index]
                if value not in seen:
                    seen[value] = to_db(value, dialect)
                values[index] = seen[value]
            converted.append(tuple(values))
        rows = converted
    connection.exec_driver_sql(sql, list(rows))


def _python_type(table: Table, name: str) -> type | None:
    column_type = table.c[name].type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    try:
        return column_type.python_type
    except NotImplementedError:
        return None


def _copy_rows(
    connection: Any, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """PostgreSQL: COPY … FROM STDIN on the transaction's own connection (one round trip
    for the lot instead of one per row)."""
    dbapi = connection.connection.dbapi_connection
    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with dbapi.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
