"""A circle's schedule in the reader's words: "Every other Tuesday at 19:00 (Europe/London)…".

The domain keeps schedules as values (`bot.domain.recurrence`); this renders them in a
`Language`: weekday names and dates as Babel writes them, the rest from the circles catalog.
"""

from __future__ import annotations

from datetime import timedelta

from babel.dates import get_day_names

from bot.domain.recurrence import CircleSchedule, Recurrence, Rule
from bot.i18n import N_, Language

# "Every <position> <weekday> of the month": one sentence per position, so each language can
# agree the ordinal with its weekday (Portuguese "segunda terça-feira", German "zweiten").
MONTHLY = {
    1: N_("Every first %(weekday)s of the month %(at)s"),
    2: N_("Every second %(weekday)s of the month %(at)s"),
    3: N_("Every third %(weekday)s of the month %(at)s"),
    4: N_("Every fourth %(weekday)s of the month %(at)s"),
    5: N_("Every fifth %(weekday)s of the month %(at)s"),
    -1: N_("Every last %(weekday)s of the month %(at)s"),
}


def weekday(_: Language, index: int) -> str:
    """Return a weekday's name (0 = Monday) as this language writes it in a sentence."""
    return str(get_day_names("wide", locale=_.babel)[index])


def duration_text(_: Language, span: timedelta) -> str:
    """Return a length of time in words, like '1 hour 30 minutes'."""
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(_.plural("%(count)s day", "%(count)s days", days))
    if hours:
        parts.append(_.plural("%(count)s hour", "%(count)s hours", hours))
    if minutes:
        parts.append(_.plural("%(count)s minute", "%(count)s minutes", minutes))
    return " ".join(parts) or _("less than a minute")


def schedule_text(_: Language, schedule: CircleSchedule | Recurrence) -> str:
    """Return a plain sentence describing how often and when the circle meets."""
    segment = schedule.current if isinstance(schedule, CircleSchedule) else schedule
    at = _(
        "at %(time)s (%(zone)s) for %(duration)s",
        time=f"{segment.start_time:%H:%M}",
        zone=segment.zone,
        duration=duration_text(_, segment.duration),
    )
    day = weekday(_, segment.first_date.weekday())
    if segment.rule is Rule.ONE_OFF:
        text = _("Once, on %(date)s, %(at)s", date=_.day(segment.first_date, "full"), at=at)
    elif segment.rule is Rule.WEEKLY:
        text = _("Every %(weekday)s %(at)s", weekday=day, at=at)
    elif segment.rule is Rule.BIWEEKLY:
        text = _("Every other %(weekday)s %(at)s", weekday=day, at=at)
    else:
        nth = segment.monthly_weekday
        text = _(MONTHLY[nth.n], weekday=weekday(_, nth.weekday), at=at)
    if isinstance(schedule, CircleSchedule) and segment.rule is not Rule.ONE_OFF:
        text += _series_end(_, schedule)
    return text


def _series_end(_: Language, schedule: CircleSchedule) -> str:
    """Return how the series ends, as the end of the sentence (empty if it goes on)."""
    count, until = schedule.count, schedule.until
    if count is not None and until is not None:
        return _(
            ", %(meetings)s or until %(date)s, whichever is first",
            meetings=_.plural("%(count)s meeting in all", "%(count)s meetings in all", count),
            date=_.day(until, "full"),
        )
    if count is not None:
        return ", " + _.plural("%(count)s meeting in all", "%(count)s meetings in all", count)
    if until is not None:
        return _(", until %(date)s", date=_.day(until, "full"))
    return ""
