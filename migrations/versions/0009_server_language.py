"""server language: the language of a server's public posts, chosen with /setup language

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add guild_settings.language (None: follow the server's Discord locale)."""
    with op.batch_alter_table("guild_settings") as batch:
        batch.add_column(sa.Column("language", sa.String(length=10), nullable=True))


def downgrade() -> None:
    """Drop guild_settings.language."""
    with op.batch_alter_table("guild_settings") as batch:
        batch.drop_column("language")
