"""What the agreement service returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bot.domain import agreement as text

MINOR = "minor"
MATERIAL = "material"
INITIAL = "initial"
CHANGE_KINDS = (MINOR, MATERIAL)


@dataclass(frozen=True)
class AgreementText:
    """One version of the agreement, ready to show."""

    guild_id: int
    number: int
    title: str
    points: tuple[str, ...]
    change_kind: str
    author_id: int | None
    created_at: datetime

    @property
    def rendered(self) -> str:
        """Return the points as a numbered list."""
        return text.render_points(self.points)


@dataclass(frozen=True)
class SaveOutcome:
    """What happened when a moderator saved the agreement."""

    version: AgreementText
    needs_reacceptance: bool
    members_to_ask: int
    grace_until: datetime | None


@dataclass(frozen=True)
class AcceptOutcome:
    """The result of a member accepting a version."""

    number: int
    newly_accepted: bool
    grant_role: bool
    member_role_id: int | None


@dataclass(frozen=True)
class Quiz:
    """The comprehension question."""

    question: str
    options: tuple[str, ...]
    correct_index: int


@dataclass(frozen=True)
class VersionCount:
    """How many members accepted one version."""

    number: int
    change_kind: str
    accepted: int


@dataclass(frozen=True)
class AgreementStatus:
    """Acceptances per version and how many are pending."""

    current: int | None
    required: int | None
    per_version: tuple[VersionCount, ...]
    up_to_date: int
    pending: int
    roles_removed: int
    grace_until: datetime | None


@dataclass(frozen=True)
class ReacceptanceAsk:
    """A member to ask again, with what changed."""

    guild_id: int
    user_id: int
    from_number: int
    to_number: int
    title: str
    diff: str
    grace_until: datetime | None
    language: str | None = None
    """The language the member last accepted in, if known (else: the server's)."""


@dataclass(frozen=True)
class RoleRemoval:
    """A member role to take back because the grace period ended."""

    guild_id: int
    user_id: int
    role_id: int


class RoleGrant(Enum):
    """What accepting did to the member role."""

    GRANTED = "granted"
    FAILED = "failed"
    NO_ROLE = "no_role"
    UNCHANGED = "unchanged"
