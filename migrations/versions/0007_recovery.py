"""recovery: circle room overwrites to give back, and pairing messages confirmed as sent

Replaces circle_occurrences.room_grants (the members given an overwrite) with one row per
overwrite opening changed, as it was and as opening wrote it. A room that is open while this
runs gets the rows the code before this revision would have acted on at close: the member role
back to "view allowed, connect denied", and each granted member's overwrite removed.

Pairing invitations and follow-ups get a "confirmed" time next to the claim, so a claim a stop
left unconfirmed is looked for in the member's DMs before it is sent again. Rows already
claimed count as confirmed (the code before this revision sent right after claiming).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 10:00:00.000000
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEW_CHANNEL = 1 << 10
CONNECT = 1 << 20


def upgrade() -> None:
    """Apply this revision."""
    bind = op.get_bind()
    open_rooms = bind.execute(
        sa.text(
            "SELECT o.id, o.room_grants, c.yes_only, g.member_role_id "
            "FROM circle_occurrences o JOIN circles c ON c.id = o.circle_id "
            "LEFT JOIN guild_settings g ON g.guild_id = c.guild_id "
            "WHERE o.opened_at IS NOT NULL AND o.closed_at IS NULL"
        )
    ).all()
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), never batch mode's copy-and-rename: with
    # foreign keys on, dropping the old copy of circle_occurrences would cascade to every RSVP,
    # reminder, hand, note and feedback row that points at it.
    op.drop_column("circle_occurrences", "room_grants")
    table = op.create_table(
        "circle_room_overwrites",
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("target_type", sa.Integer(), nullable=False),
        sa.Column("before_allow", sa.BigInteger(), nullable=True),
        sa.Column("before_deny", sa.BigInteger(), nullable=True),
        sa.Column("written_allow", sa.BigInteger(), nullable=False),
        sa.Column("written_deny", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["circle_occurrences.id"],
            name=op.f("fk_circle_room_overwrites_occurrence_id_circle_occurrences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "occurrence_id", "target_id", name=op.f("pk_circle_room_overwrites")
        ),
    )
    rows = []
    for occurrence_id, grants, yes_only, member_role_id in open_rooms:
        if member_role_id is not None:
            written = (VIEW_CHANNEL, CONNECT) if yes_only else (VIEW_CHANNEL | CONNECT, 0)
            rows.append(_row(occurrence_id, member_role_id, 0, (VIEW_CHANNEL, CONNECT), written))
        for user_id in _ids(grants):
            rows.append(_row(occurrence_id, user_id, 1, None, (VIEW_CHANNEL | CONNECT, 0)))
    if rows:
        op.bulk_insert(table, rows)
    for column in ("invite_confirmed_at", "followup_confirmed_at"):
        op.add_column(
            "pairing_group_members",
            sa.Column(column, bot.db.types.UTCDateTime(timezone=True), nullable=True),
        )
    op.execute(
        "UPDATE pairing_group_members SET invite_confirmed_at = invite_sent_at, "
        "followup_confirmed_at = followup_sent_at"
    )


def downgrade() -> None:
    """Revert this revision."""
    for column in ("followup_confirmed_at", "invite_confirmed_at"):
        op.drop_column("pairing_group_members", column)
    bind = op.get_bind()
    members = bind.execute(
        sa.text(
            "SELECT occurrence_id, target_id FROM circle_room_overwrites "
            "WHERE target_type = 1 ORDER BY occurrence_id, target_id"
        )
    ).all()
    op.drop_table("circle_room_overwrites")
    op.add_column("circle_occurrences", sa.Column("room_grants", sa.JSON(), nullable=True))
    grants: dict[int, list[int]] = {}
    for occurrence_id, user_id in members:
        grants.setdefault(occurrence_id, []).append(int(user_id))
    occurrences = sa.table(
        "circle_occurrences", sa.column("id", sa.Integer), sa.column("room_grants", sa.JSON)
    )
    for occurrence_id, user_ids in grants.items():
        bind.execute(
            occurrences.update()
            .where(occurrences.c.id == occurrence_id)
            .values(room_grants=user_ids)
        )


def _ids(grants: object) -> list[int]:
    """Read the old JSON list of member ids (a string on drivers that don't decode JSON)."""
    if isinstance(grants, str):
        grants = json.loads(grants)
    return [int(user_id) for user_id in grants or ()]


def _row(
    occurrence_id: int,
    target_id: int,
    target_type: int,
    before: tuple[int, int] | None,
    written: tuple[int, int],
) -> dict[str, int | None]:
    return {
        "occurrence_id": occurrence_id,
        "target_id": int(target_id),
        "target_type": target_type,
        "before_allow": before[0] if before else None,
        "before_deny": before[1] if before else None,
        "written_allow": written[0],
        "written_deny": written[1],
    }
