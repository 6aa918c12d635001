"""The database schema, one module per feature. It changes only through Alembic migrations.

Every model is re-exported here, so `from bot.db.models import X` is the way to import one.
"""

from __future__ import annotations

from bot.db.models.agreement import (
    AgreementAcceptance,
    AgreementQuiz,
    AgreementQuizResult,
    AgreementStanding,
    AgreementVersion,
)
from bot.db.models.base import NAMING, Base, Snowflake
from bot.db.models.checkins import (
    Checkin,
    CheckinAlias,
    CheckinBlock,
    CheckinHistory,
    CheckinNotice,
    CheckinPreference,
    CheckinReveal,
    CheckinSettings,
    CheckinWindow,
)
from bot.db.models.circles import (
    Circle,
    CircleFeedback,
    CircleFeedbackVoter,
    CircleHand,
    CircleNote,
    CircleOccurrence,
    CircleReminderDelivery,
    CircleRoomOverwrite,
    CircleRsvp,
    CircleSettings,
)
from bot.db.models.crisis import (
    CrisisAlert,
    CrisisCooldown,
    CrisisMemberCountry,
    CrisisResource,
    CrisisSettings,
    CrisisShareOptOut,
)
from bot.db.models.pairing import (
    PairingBlock,
    PairingGroup,
    PairingGroupMember,
    PairingHistory,
    PairingNotice,
    PairingProfile,
    PairingRound,
    PairingSettings,
)
from bot.db.models.settings import (
    AppState,
    AuditEntry,
    GuildSettings,
)

__all__ = [
    "NAMING",
    "AgreementAcceptance",
    "AgreementQuiz",
    "AgreementQuizResult",
    "AgreementStanding",
    "AgreementVersion",
    "AppState",
    "AuditEntry",
    "Base",
    "Checkin",
    "CheckinAlias",
    "CheckinBlock",
    "CheckinHistory",
    "CheckinNotice",
    "CheckinPreference",
    "CheckinReveal",
    "CheckinSettings",
    "CheckinWindow",
    "Circle",
    "CircleFeedback",
    "CircleFeedbackVoter",
    "CircleHand",
    "CircleNote",
    "CircleOccurrence",
    "CircleReminderDelivery",
    "CircleRoomOverwrite",
    "CircleRsvp",
    "CircleSettings",
    "CrisisAlert",
    "CrisisCooldown",
    "CrisisMemberCountry",
    "CrisisResource",
    "CrisisSettings",
    "CrisisShareOptOut",
    "GuildSettings",
    "PairingBlock",
    "PairingGroup",
    "PairingGroupMember",
    "PairingHistory",
    "PairingNotice",
    "PairingProfile",
    "PairingRound",
    "PairingSettings",
    "Snowflake",
]
