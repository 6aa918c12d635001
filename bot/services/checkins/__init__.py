"""Anonymous check-ins: posting, undo, limits, moderation, reveal, history, reminders, delivery.

`service` (sharing), `moderation` (reports, removal, pauses, reveal), `reminders` (and the job
that sends them), `queue` and `delivery` (the job that posts, recovers and tidies, behind a
port the cog implements), `data_rights` (the member's `/mydata` section).
"""

from bot.services.checkins.data_rights import CheckinDataRights
from bot.services.checkins.delivery import CheckinDelivery, DeliveryPort, Refused, Unreachable
from bot.services.checkins.moderation import CheckinModeration
from bot.services.checkins.queue import DeliveryQueue
from bot.services.checkins.reminders import CheckinReminders, ReminderPort, ReminderSending
from bot.services.checkins.service import CheckinService, CheckinStoreError, CrisisDetector
from bot.services.checkins.values import (
    CheckinConfig,
    CheckinPost,
    CommunitySummary,
    Delivery,
    DeliveryFailure,
    FoundPost,
    History,
    Notice,
    Opening,
    Pause,
    Posted,
    PostToDelete,
    Receipt,
    Reminder,
    ReminderDue,
    Revealed,
    RevealRequest,
    TidyReport,
)

__all__ = [
    "CheckinConfig",
    "CheckinDataRights",
    "CheckinDelivery",
    "CheckinModeration",
    "CheckinPost",
    "CheckinReminders",
    "CheckinService",
    "CheckinStoreError",
    "CommunitySummary",
    "CrisisDetector",
    "Delivery",
    "DeliveryFailure",
    "DeliveryPort",
    "DeliveryQueue",
    "FoundPost",
    "History",
    "Notice",
    "Opening",
    "Pause",
    "PostToDelete",
    "Posted",
    "Receipt",
    "Refused",
    "Reminder",
    "ReminderDue",
    "ReminderPort",
    "ReminderSending",
    "RevealRequest",
    "Revealed",
    "TidyReport",
    "Unreachable",
]
