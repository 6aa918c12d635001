"""agreement language: the language a member accepted the agreement in, for later DMs

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 20:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add agreement_standing.language (None: not known, use the server's language)."""
    with op.batch_alter_table("agreement_standing") as batch:
        batch.add_column(sa.Column("language", sa.String(length=10), nullable=True))


def downgrade() -> None:
    """Drop agreement_standing.language."""
    with op.batch_alter_table("agreement_standing") as batch:
        batch.drop_column("language")
