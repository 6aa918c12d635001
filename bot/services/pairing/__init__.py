"""Peer pairing: profiles, settings, blocks, and rounds that match once and introduce safely.

`PairingService` decides (the cog only shows and asks); `RoundWork` and `FollowupSending` are
the workflows that reach Discord through the ports the cog side implements. A round's matching
runs through a `Matcher`: by default `ProcessMatcher`, one worker process off the event loop.
"""

from bot.services.pairing._store import member_token
from bot.services.pairing.followups import (
    FOLLOWUP_JOB,
    FOLLOWUP_SECONDS,
    FollowupPort,
    FollowupSending,
)
from bot.services.pairing.matcher import Matcher, ProcessMatcher, inline_matcher, thread_matcher
from bot.services.pairing.rounds import (
    ROUNDS_JOB,
    ROUNDS_SECONDS,
    RoundPort,
    RoundStopped,
    RoundWork,
)
from bot.services.pairing.service import PairingService
from bot.services.pairing.values import (
    ACCEPTED,
    AWAITING,
    CANCELLED,
    DONE,
    EXPIRED,
    FELL_THROUGH,
    FOLLOWUP_ANSWERS,
    INTRODUCED,
    LEFT_OUT,
    OPEN,
    READY,
    SKIPPED,
    UNREACHABLE,
    WEEKDAYS,
    Followup,
    Group,
    GroupMember,
    Invitation,
    MemberStatus,
    Notice,
    PairingConfig,
    Preview,
    Profile,
    ResponseOutcome,
    RoundPlan,
    Stats,
    thread_name,
)

__all__ = [
    "ACCEPTED",
    "AWAITING",
    "CANCELLED",
    "DONE",
    "EXPIRED",
    "FELL_THROUGH",
    "FOLLOWUP_ANSWERS",
    "FOLLOWUP_JOB",
    "FOLLOWUP_SECONDS",
    "INTRODUCED",
    "LEFT_OUT",
    "OPEN",
    "READY",
    "ROUNDS_JOB",
    "ROUNDS_SECONDS",
    "SKIPPED",
    "UNREACHABLE",
    "WEEKDAYS",
    "Followup",
    "FollowupPort",
    "FollowupSending",
    "Group",
    "GroupMember",
    "Invitation",
    "Matcher",
    "MemberStatus",
    "Notice",
    "PairingConfig",
    "PairingService",
    "Preview",
    "ProcessMatcher",
    "Profile",
    "ResponseOutcome",
    "RoundPlan",
    "RoundPort",
    "RoundStopped",
    "RoundWork",
    "Stats",
    "inline_matcher",
    "member_token",
    "thread_matcher",
    "thread_name",
]
