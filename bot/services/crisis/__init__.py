"""The crisis signpost: countries, local resources, check-in requests and shared resources.

`CrisisService` decides (the cogs only show and ask); `ShareDelivery`, `RequestFollowUps` and
`CrisisTidy` are the workflows that reach Discord through the ports their cog implements.
"""

from bot.services.crisis.data import crisis_data_from
from bot.services.crisis.limiter import ForgetfulLimiter
from bot.services.crisis.requests import (
    ChannelCheck,
    OpenedThread,
    RequestFollowUps,
    RequestPort,
    RequestResult,
    RequestStatus,
    ThreadFailure,
)
from bot.services.crisis.service import CrisisService
from bot.services.crisis.shares import ShareDelivery, SharePort
from bot.services.crisis.tidy import TIDY_JOB, TIDY_SECONDS, CrisisTidy
from bot.services.crisis.values import (
    ALERT_RETENTION,
    ASK_PERSON_WINDOW,
    ASK_SERVER_CAP,
    ASK_SERVER_WINDOW,
    MAX_RESOURCES,
    SHARE_RECIPIENT_WINDOW,
    SHARE_SENDER_COOLDOWN,
    Alert,
    CrisisAnswer,
    CrisisServerSettings,
    Detection,
    LocalResource,
    ShareDecision,
)

__all__ = [
    "ALERT_RETENTION",
    "ASK_PERSON_WINDOW",
    "ASK_SERVER_CAP",
    "ASK_SERVER_WINDOW",
    "MAX_RESOURCES",
    "SHARE_RECIPIENT_WINDOW",
    "SHARE_SENDER_COOLDOWN",
    "TIDY_JOB",
    "TIDY_SECONDS",
    "Alert",
    "ChannelCheck",
    "CrisisAnswer",
    "CrisisServerSettings",
    "CrisisService",
    "CrisisTidy",
    "Detection",
    "ForgetfulLimiter",
    "LocalResource",
    "OpenedThread",
    "RequestFollowUps",
    "RequestPort",
    "RequestResult",
    "RequestStatus",
    "ShareDecision",
    "ShareDelivery",
    "SharePort",
    "ThreadFailure",
    "crisis_data_from",
]
