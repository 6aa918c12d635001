"""pairing locale: the language a member joined pairing in, for their invitations and follow-ups

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 21:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add pairing_profiles.locale (None: their messages in the server's language)."""
    with op.batch_alter_table("pairing_profiles") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=10), nullable=True))


def downgrade() -> None:
    """Drop pairing_profiles.locale."""
    with op.batch_alter_table("pairing_profiles") as batch:
        batch.drop_column("locale")
