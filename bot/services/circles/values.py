"""What the circle services return: frozen values, detached from the database, and their limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum, IntEnum

from bot.domain.recurrence import CircleSchedule
from bot.domain.room_overwrites import Overwrite

# A member's answer to one meeting.
YES = "yes"
NO = "no"
WAITLIST = "waitlist"

MAX_CAPACITY = 99
MAX_TITLE = 100
MAX_DESCRIPTION = 1000
DEFAULT_LEAD_MINUTES = (24 * 60, 15)
LIST_LIMIT = 10
MAX_NOTE = 500
MAX_FEEDBACK_WORDS = 500
DEFAULT_FEEDBACK_MIN = 5
MIN_FEEDBACK_MIN, MAX_FEEDBACK_MIN = 2, 50
TOP_RATING = 5  # feedback ratings run from 1 to this
NONCE_LIMIT = 25  # characters Discord takes in a message nonce


@dataclass(frozen=True)
class CircleInfo:
    """A circle as it stands, detached from the database."""

    id: int
    guild_id: int
    title: str
    description: str
    voice_channel_id: int
    capacity: int | None
    schedule: CircleSchedule
    lead_minutes: tuple[int, ...]
    ended: bool
    yes_only: bool = False


@dataclass(frozen=True)
class Meeting:
    """One upcoming (or just changed) meeting of a circle, with its public headcount."""

    circle_id: int
    guild_id: int
    title: str
    description: str
    voice_channel_id: int
    capacity: int | None
    index: int
    local_date: date
    start_utc: datetime
    end_utc: datetime
    going: int
    waitlisted: int
    announcement_message_id: int | None
    scheduled_event_id: int | None


@dataclass(frozen=True)
class CreateOutcome:
    """A new circle and its first meeting (to announce)."""

    circle: CircleInfo
    first: Meeting


@dataclass(frozen=True)
class SkipOutcome:
    """A cancelled meeting (to take down) and the next one (to announce), if any."""

    skipped: Meeting
    next: Meeting | None


@dataclass(frozen=True)
class EndOutcome:
    """An ended series and its cancelled meetings that had been announced."""

    circle: CircleInfo
    cancelled: tuple[Meeting, ...]


@dataclass(frozen=True)
class EditOutcome:
    """A changed series and its announced meetings whose time changed (to update)."""

    circle: CircleInfo
    first_changed: Meeting
    moved: tuple[Meeting, ...]


@dataclass(frozen=True)
class Attendance:
    """Who said yes and the waitlist in order (for facilitators)."""

    going: tuple[int, ...]
    waitlist: tuple[int, ...]


@dataclass(frozen=True)
class RsvpOutcome:
    """A member's answer: their status, waitlist place (1-based), and who moved up."""

    meeting: Meeting
    status: str
    place: int | None
    changed: bool
    promoted_user_id: int | None
    # Members to let into a room already open only to those who said yes, and its meeting.
    room_grants: tuple[int, ...] = ()
    occurrence_id: int = 0
    promoted_locale: str | None = None  # the Discord locale the promoted member answered in


@dataclass(frozen=True)
class PromotionNotice:
    """A member moved up off the waitlist, to tell privately (in the locale they answered in)."""

    user_id: int
    meeting: Meeting
    locale: str | None = None


@dataclass(frozen=True)
class Reminder:
    """A claimed reminder to send privately to one member who said yes."""

    delivery_id: int
    user_id: int
    lead_minutes: int
    meeting: Meeting
    locale: str | None = None  # the Discord locale they answered in (None: the server's language)

    @property
    def nonce(self) -> str:
        """Return the message nonce: the same on every attempt, so Discord keeps just one."""
        return f"hearth-circle-r{self.delivery_id}"[:NONCE_LIMIT]


class Delivery(Enum):
    """How sending a private message to a member went."""

    SENT = "sent"
    DM_CLOSED = "dm_closed"  # they don't take direct messages from this server
    FAILED = "http_error"  # Discord refused for another reason


class Cancellation(Enum):
    """Why an announced meeting no longer takes place."""

    SKIPPED = "skipped"
    ENDED = "ended"


@dataclass(frozen=True)
class AnnounceResult:
    """What announcing a meeting could not do (for the facilitator's private answer)."""

    no_channel: bool = False  # no circles channel is set up, so nothing was posted
    event_failed: bool = False  # the Discord event could not be made (Manage Events)


@dataclass(frozen=True)
class CircleConfig:
    """A server's circle settings."""

    guild_id: int
    events_enabled: bool = True
    feedback_min_answers: int = DEFAULT_FEEDBACK_MIN


@dataclass(frozen=True)
class TalkingOrder:
    """The talking order of one open meeting, as the public message shows it."""

    occurrence_id: int
    circle_id: int
    index: int
    guild_id: int
    title: str
    voice_channel_id: int
    speaker_id: int | None
    waiting: tuple[int, ...]
    notes_waiting: int
    is_open: bool
    queue_channel_id: int | None
    queue_message_id: int | None


@dataclass(frozen=True)
class HandOutcome:
    """A member's hand raised (with their place) or lowered, and the order after it."""

    raised: bool
    place: int | None
    order: TalkingOrder


@dataclass(frozen=True)
class NextOutcome:
    """Who speaks now, and the order after passing on."""

    speaker_id: int | None
    order: TalkingOrder


@dataclass(frozen=True)
class NoteReceipt:
    """A stored note: for the member's private receipt."""

    title: str
    anonymous: bool
    order: TalkingOrder


@dataclass(frozen=True)
class WaitingNote:
    """A note for the facilitator to read aloud; author_id is None when it is anonymous."""

    text: str
    author_id: int | None
    remaining: int
    order: TalkingOrder | None = None


@dataclass(frozen=True)
class HoldOutcome:
    """A meeting being opened or closed, with what the room needs to change.

    `going` is who said yes (for a room open only to them), `order` the talking order to
    update and `unread` the notes nobody had read yet when it closed (shown to the facilitator,
    then erased). What opening changed in the room is kept apart (`RoomOverwrites`).
    """

    meeting: Meeting
    yes_only: bool
    going: tuple[int, ...]
    order: TalkingOrder
    unread: tuple[WaitingNote, ...] = ()


@dataclass(frozen=True)
class FeedbackResults:
    """The aggregate a facilitator may see, or how many more answers it needs first."""

    title: str
    local_date: date
    count: int
    needed: int
    closes_at: datetime
    ready: bool
    ratings: tuple[int, ...] = ()
    words: tuple[str, ...] = ()

    @property
    def average(self) -> float:
        """Return the mean rating (0 when nobody answered)."""
        total = sum(self.ratings)
        return sum(n * (i + 1) for i, n in enumerate(self.ratings)) / total if total else 0.0


class TargetKind(IntEnum):
    """Whose permission overwrite it is, as Discord numbers them."""

    ROLE = 0
    MEMBER = 1


@dataclass(frozen=True)
class RoomChange:
    """One overwrite opening changed: whose, how it was (None: absent) and what opening wrote."""

    target_id: int
    target_kind: TargetKind
    before: Overwrite | None
    written: Overwrite
