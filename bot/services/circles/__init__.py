"""Scheduled circles: the series and its RSVPs, holding a meeting, feedback, and the workflows
that announce meetings, send reminders, open the room and keep the talking order on Discord.

`CircleService` (service.py) is what the cog calls; its parts are attributes of it. The
workflows (announcing.py, reminders.py, doors.py, talking_order.py, holding.py) talk to Discord
only through the ports in ports.py, which the circles cog implements.
"""

from bot.services.circles.announcements import AnnouncementLedger
from bot.services.circles.announcing import ANNOUNCE_EVERY, ANNOUNCE_JOB, Announcer
from bot.services.circles.doors import RoomDoors, RoomRefused, RoomUnavailable
from bot.services.circles.feedback import CircleFeedbackService
from bot.services.circles.holding import CircleHolding
from bot.services.circles.overwrites import RoomOverwrites
from bot.services.circles.ports import (
    AnnouncePort,
    BoardPort,
    HoldingPort,
    NotPermitted,
    NotThere,
    PortError,
    ReminderPort,
    RoomPort,
)
from bot.services.circles.reminders import (
    REMIND_EVERY,
    REMIND_JOB,
    UNCONFIRMED,
    CircleReminders,
    ReminderSender,
)
from bot.services.circles.room import CircleRoomService
from bot.services.circles.service import CircleService
from bot.services.circles.talking_order import TalkingOrderBoard
from bot.services.circles.values import (
    MAX_FEEDBACK_MIN,
    MAX_FEEDBACK_WORDS,
    MAX_NOTE,
    MIN_FEEDBACK_MIN,
    NO,
    TOP_RATING,
    WAITLIST,
    YES,
    AnnounceResult,
    Attendance,
    Cancellation,
    CircleConfig,
    CircleInfo,
    CreateOutcome,
    Delivery,
    EditOutcome,
    EndOutcome,
    FeedbackResults,
    HandOutcome,
    HoldOutcome,
    Meeting,
    NextOutcome,
    NoteReceipt,
    PromotionNotice,
    Reminder,
    RoomChange,
    RsvpOutcome,
    SkipOutcome,
    TalkingOrder,
    TargetKind,
    WaitingNote,
)

__all__ = [
    "ANNOUNCE_EVERY",
    "ANNOUNCE_JOB",
    "MAX_FEEDBACK_MIN",
    "MAX_FEEDBACK_WORDS",
    "MAX_NOTE",
    "MIN_FEEDBACK_MIN",
    "NO",
    "REMIND_EVERY",
    "REMIND_JOB",
    "TOP_RATING",
    "UNCONFIRMED",
    "WAITLIST",
    "YES",
    "AnnouncePort",
    "AnnounceResult",
    "AnnouncementLedger",
    "Announcer",
    "Attendance",
    "BoardPort",
    "Cancellation",
    "CircleConfig",
    "CircleFeedbackService",
    "CircleHolding",
    "CircleInfo",
    "CircleReminders",
    "CircleRoomService",
    "CircleService",
    "CreateOutcome",
    "Delivery",
    "EditOutcome",
    "EndOutcome",
    "FeedbackResults",
    "HandOutcome",
    "HoldOutcome",
    "HoldingPort",
    "Meeting",
    "NextOutcome",
    "NotPermitted",
    "NotThere",
    "NoteReceipt",
    "PortError",
    "PromotionNotice",
    "Reminder",
    "ReminderPort",
    "ReminderSender",
    "RoomChange",
    "RoomDoors",
    "RoomOverwrites",
    "RoomPort",
    "RoomRefused",
    "RoomUnavailable",
    "RsvpOutcome",
    "SkipOutcome",
    "TalkingOrder",
    "TalkingOrderBoard",
    "TargetKind",
    "WaitingNote",
]
