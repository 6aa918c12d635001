"""What the crisis service returns, and the limits it keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.domain.helplines import CrisisCard

# A person may ask for a check-in once per half hour in a server (named or anonymous alike).
ASK_PERSON_WINDOW = timedelta(minutes=30)
# However many people ask, a server's alerts channel gets at most this many per hour.
ASK_SERVER_WINDOW = timedelta(hours=1)
ASK_SERVER_CAP = 6
# "Share support resources": once per recipient per day, and a pause between a sender's shares.
SHARE_RECIPIENT_WINDOW = timedelta(hours=24)
SHARE_SENDER_COOLDOWN = timedelta(minutes=10)
# Check-in requests are kept this long, then erased by the tidy job.
ALERT_RETENTION = timedelta(days=30)
MAX_RESOURCES = 10

# A check-in request's status, and the kinds of share limits.
OPEN = "open"
CLAIMED = "claimed"
SHARE_SENT = "share_sent"
SHARE_RECEIVED = "share_received"

Source = Literal["chosen", "saved", "server", "none"]


@dataclass(frozen=True)
class CrisisServerSettings:
    """A server's crisis settings."""

    guild_id: int
    default_country: str | None = None
    detection_enabled: bool = False
    alert_on_detection: bool = False


@dataclass(frozen=True)
class LocalResource:
    """A resource a server's moderators added."""

    id: int
    guild_id: int
    name: str
    reach: str
    description: str
    country_code: str | None
    created_at: datetime


@dataclass(frozen=True)
class CrisisAnswer:
    """What `/crisis` shows one member: a country's card, or a request to pick a country."""

    card: CrisisCard | None
    source: Source
    not_found: str | None
    resources: tuple[LocalResource, ...]
    guild_id: int | None


@dataclass(frozen=True)
class Alert:
    """A check-in request as the moderators' card shows it."""

    id: int
    guild_id: int
    anonymous: bool
    user_id: int | None
    origin_channel_id: int | None
    status: str
    claimed_by: int | None
    claimed_at: datetime | None
    backup_by: int | None
    backup_at: datetime | None
    channel_id: int | None
    message_id: int | None
    thread_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class ShareDecision:
    """Whether to send the recipient the resources (the sender is never told which)."""

    send: bool


@dataclass(frozen=True)
class Detection:
    """What a later feature should do with a piece of text in a server."""

    show_card: bool
    alert_moderators: bool
