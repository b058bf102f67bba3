"""daily figures for the overview

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 16:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from opkraevning.store.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "daily_figures",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )


def downgrade() -> None:
    op.drop_table("daily_figures")
