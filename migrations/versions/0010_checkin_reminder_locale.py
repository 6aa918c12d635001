"""check-in reminder locale: the language a member set their reminder in, for the DMs

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 20:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add checkin_preferences.reminder_locale (None: the server's language)."""
    with op.batch_alter_table("checkin_preferences") as batch:
        batch.add_column(sa.Column("reminder_locale", sa.String(length=10), nullable=True))


def downgrade() -> None:
    """Drop checkin_preferences.reminder_locale."""
    with op.batch_alter_table("checkin_preferences") as batch:
        batch.drop_column("reminder_locale")
