from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from opkraevning.store import migrate
from opkraevning.store.models import table_names
from tests.conftest import Database


def test_migrated_database_is_at_head_with_every_table(database: Database) -> None:
    assert migrate.current_revision(database.engine) == migrate.head_revision()
    assert migrate.is_up_to_date(database.engine)
    tables = set(inspect(database.engine).get_table_names())
    assert set(table_names()) <= tables
    for required in ("debtor", "claim", "payment", "installment_agreement", "installment"):
        assert required in tables
    for required in ("reminder_letter", "inbound_message", "outbound_letter", "audit_event"):
        assert required in tables
    assert "scheduled_run" in tables


def test_migrations_match_the_models(database: Database) -> None:
    """A model change without a migration fails here."""
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_upgrade_is_repeatable_and_downgrade_round_trips(database: Database) -> None:
    migrate.upgrade(database.engine)
    assert migrate.is_up_to_date(database.engine)
    migrate.downgrade(database.engine, "base")
    assert migrate.current_revision(database.engine) is None
    assert "debtor" not in inspect(database.engine).get_table_names()
    migrate.upgrade(database.engine)
    assert migrate.is_up_to_date(database.engine)
