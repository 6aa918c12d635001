"""circle rsvp locale: the language a member answered in, for their reminders

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add circle_rsvps.locale (None: reminders in the server's language)."""
    with op.batch_alter_table("circle_rsvps") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=10), nullable=True))


def downgrade() -> None:
    """Drop circle_rsvps.locale."""
    with op.batch_alter_table("circle_rsvps") as batch:
        batch.drop_column("locale")
