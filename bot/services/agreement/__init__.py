"""The group agreement: versions, the acceptance ledger, re-acceptance and the quiz.

`AgreementService` decides (the cogs only show and ask); `ReacceptanceAsks` and `MemberRoles`
are the workflows that reach Discord through the ports the agreement cog implements.
"""

from bot.services.agreement.asks import REACCEPT_JOB, REACCEPT_SECONDS, AskPort, ReacceptanceAsks
from bot.services.agreement.roles import GRACE_JOB, GRACE_SECONDS, MemberRoles, RolePort
from bot.services.agreement.service import AgreementService
from bot.services.agreement.values import (
    CHANGE_KINDS,
    INITIAL,
    MATERIAL,
    MINOR,
    AcceptOutcome,
    AgreementStatus,
    AgreementText,
    Quiz,
    ReacceptanceAsk,
    RoleGrant,
    RoleRemoval,
    SaveOutcome,
    VersionCount,
)

__all__ = [
    "CHANGE_KINDS",
    "GRACE_JOB",
    "GRACE_SECONDS",
    "INITIAL",
    "MATERIAL",
    "MINOR",
    "REACCEPT_JOB",
    "REACCEPT_SECONDS",
    "AcceptOutcome",
    "AgreementService",
    "AgreementStatus",
    "AgreementText",
    "AskPort",
    "MemberRoles",
    "Quiz",
    "ReacceptanceAsk",
    "ReacceptanceAsks",
    "RoleGrant",
    "RolePort",
    "RoleRemoval",
    "SaveOutcome",
    "VersionCount",
]
