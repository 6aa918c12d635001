"""Pairing times: the weekly round slot, members' waking hours, and meeting times that suit a group.

Pure: standard library only (zoneinfo reads the system's time zone data, as recurrence does).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.pairing import WakingHours

__all__ = [
    "MEETING_HOURS",
    "WAKING_HOURS",
    "latest_slot",
    "next_slot",
    "pause_start",
    "suggest_meeting_times",
    "waking_hours",
]

# Local waking window used for matching, and the local hours a suggested meeting may start in.
WAKING_HOURS = (time(8, 0), time(22, 0))
MEETING_HOURS = (time(10, 0), time(20, 0))


def _slot_on(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def latest_slot(weekday: int, at: time, zone_name: str, now: datetime) -> datetime:
    """Return the last weekly slot (weekday 0 = Monday, local time in the zone) at or before now."""
    zone = ZoneInfo(zone_name)
    local_today = now.astimezone(zone).date()
    back = (local_today.weekday() - weekday) % 7
    slot = _slot_on(local_today - timedelta(days=back), at, zone)
    if slot > now:
        slot = _slot_on(local_today - timedelta(days=back + 7), at, zone)
    return slot


def next_slot(weekday: int, at: time, zone_name: str, now: datetime) -> datetime:
    """Return the first weekly slot strictly after now."""
    zone = ZoneInfo(zone_name)
    latest = latest_slot(weekday, at, zone_name, now)
    local_day = latest.astimezone(zone).date() + timedelta(days=7)
    return _slot_on(local_day, at, zone)


def waking_hours(zone_name: str, at: datetime) -> WakingHours:
    """Return a member's waking window (08:00-22:00 local) in UTC minutes, on the given day."""
    offset = ZoneInfo(zone_name).utcoffset(at.astimezone(UTC).replace(tzinfo=None))
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    start, end = WAKING_HOURS
    return WakingHours.from_local(
        minutes, start.hour * 60 + start.minute, end.hour * 60 + end.minute
    )


def pause_start(day: date, zone_name: str) -> datetime:
    """Return when a pause "until a date" ends: the start of that day in the member's zone."""
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone_name)).astimezone(UTC)


def _suits(moment: datetime, zones: Sequence[ZoneInfo], hours: tuple[time, time]) -> bool:
    first, last = hours
    for zone in zones:
        local = moment.astimezone(zone).time()
        if not first <= local <= last:
            return False
    return True


def suggest_meeting_times(
    zone_names: Sequence[str], after: datetime, count: int = 3, days: int = 4
) -> tuple[datetime, ...]:
    """Suggest up to `count` whole-hour times, on different days, that suit every member.

    Looks at the `days` days after `after` for hours that fall between 10:00 and 20:00 for
    everyone (then 08:00-22:00 if that finds nothing) and takes the middle of each run of good
    hours, one run per day at most, earliest first.
    """
    zones = [ZoneInfo(name) for name in dict.fromkeys(zone_names)]
    start = after.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
    hours = [start + timedelta(hours=h) for h in range(days * 24)]
    for window in (MEETING_HOURS, WAKING_HOURS):
        runs: list[list[datetime]] = []
        for moment in hours:
            if _suits(moment, zones, window):
                if runs and runs[-1][-1] == moment - timedelta(hours=1):
                    runs[-1].append(moment)
                else:
                    runs.append([moment])
        picked: list[datetime] = []
        for run in runs:
            middle = run[len(run) // 2]
            if picked and middle - picked[-1] < timedelta(hours=20):
                continue
            picked.append(middle)
            if len(picked) == count:
                break
        if picked:
            return tuple(picked)
    return ()
