"""Announcing meetings on Discord and keeping the announcements and events in step.

Each running circle's next meeting gets one message in the circles channel and, while the
server has events on, one Discord scheduled event. Both are claimed in the database before
they are made (`AnnouncementLedger`), so concurrent runs and restarts never make a second one;
a stopped process's claims are finished on the next run, after looking on Discord for what it
may already have made. Skips, edits and ends follow the recorded message and event.
"""

from __future__ import annotations

import logging

from bot.services.circles._locks import KeyedLocks
from bot.services.circles._store import UNPOSTED
from bot.services.circles.ports import AnnouncePort, NotThere, PortError
from bot.services.circles.service import CircleService
from bot.services.circles.values import AnnounceResult, Cancellation, Meeting
from bot.services.settings import SettingsService

log = logging.getLogger(__name__)

ANNOUNCE_JOB = "circles.announce"
ANNOUNCE_EVERY = 300  # seconds
EVENTS_RESTORED = 25  # coming meetings looked at when events are turned back on


class Announcer:
    """Posts, finds and follows meeting announcements and events through the port."""

    def __init__(
        self, circles: CircleService, settings: SettingsService, port: AnnouncePort
    ) -> None:
        self._circles = circles
        self._ledger = circles.announcements
        self._settings = settings
        self._port = port
        self._announcing: set[tuple[int, int]] = set()  # (circle, meeting) this process posts
        self._edits = KeyedLocks()  # one headcount edit at a time per message

    async def run(self) -> None:
        """Announce each running circle's next meeting once the one before it is over.

        Also finishes what a stopped process claimed, and forgets who answered feedback that
        has closed.
        """
        await self._circles.feedback.forget_feedback_voters()
        await self.resume()
        for meeting in await self._ledger.next_meetings_to_announce():
            if self._port.serves(meeting.guild_id):
                await self.announce(meeting)

    async def announce(self, meeting: Meeting) -> AnnounceResult:
        """Post the meeting in the circles channel and mirror it as a scheduled event, once."""
        key = (meeting.circle_id, meeting.index)
        if key in self._announcing:
            return AnnounceResult()  # this process is on it already
        self._announcing.add(key)  # before the claim, so a resume never takes it for a stop's
        try:
            if not await self._ledger.claim_announcement(meeting.circle_id, meeting.index):
                return AnnounceResult()
            try:
                return await self._post(meeting)
            except Exception:
                await self._ledger.release_announcement(meeting.circle_id, meeting.index)
                raise
        finally:
            self._announcing.discard(key)

    async def resume(self) -> None:
        """Finish announcements a stopped process claimed: find what it made, make the rest."""
        for meeting in await self._ledger.interrupted_announcements():
            key = (meeting.circle_id, meeting.index)
            if not self._port.serves(meeting.guild_id) or key in self._announcing:
                continue  # not here, or being announced right now by this process
            self._announcing.add(key)
            try:
                await self._post(meeting, resuming=True)
            except PortError:
                log.warning("Could not finish a circle announcement in guild %s", meeting.guild_id)
            finally:
                self._announcing.discard(key)

    async def _post(self, meeting: Meeting, *, resuming: bool = False) -> AnnounceResult:
        """Post what the meeting still lacks (when resuming, after looking for it), recording
        each id as soon as it exists."""
        no_channel = False
        if not meeting.announcement_message_id:
            no_channel = not await self._post_message(meeting, resuming=resuming)
        event_failed = not await self._post_event(meeting, resuming=resuming)
        return AnnounceResult(no_channel=no_channel, event_failed=event_failed)

    async def _post_message(self, meeting: Meeting, *, resuming: bool) -> bool:
        """Post (or find) the announcement and record it; False if there is no circles channel."""
        channel_id = await self._channel(meeting.guild_id)
        try:
            if channel_id is None:
                raise NotThere
            found = await self._port.find_announcement(channel_id, meeting) if resuming else None
            message_id = found or await self._port.post_announcement(channel_id, meeting)
        except NotThere:
            return False  # stays claimed: posted once a circles channel is chosen
        await self._ledger.record_announcement(
            meeting.circle_id, meeting.index, message_id=message_id
        )
        return True

    async def _post_event(self, meeting: Meeting, *, resuming: bool) -> bool:
        """Mirror the meeting as an event if the server wants events; False if that failed."""
        events = (await self._circles.feedback.circle_settings(meeting.guild_id)).events_enabled
        claimed = meeting.scheduled_event_id == UNPOSTED  # left by a process that stopped
        if events and meeting.scheduled_event_id is None:
            claimed = await self._ledger.claim_event(meeting.circle_id, meeting.index)
        if not claimed:
            return True
        if not events:  # events were turned off meanwhile
            await self._ledger.release_event(meeting.circle_id, meeting.index)
            return True
        event_id = await self._port.find_event(meeting.guild_id, meeting) if resuming else None
        event_id = event_id or await self._mirror(meeting)
        if event_id is None:
            await self._ledger.release_event(meeting.circle_id, meeting.index)
            return False
        await self._ledger.record_announcement(
            meeting.circle_id, meeting.index, scheduled_event_id=event_id
        )
        return True

    async def _mirror(self, meeting: Meeting) -> int | None:
        """Create the meeting's Discord scheduled event; None if Discord refused."""
        try:
            return await self._port.create_event(meeting.guild_id, meeting)
        except PortError:
            log.warning("Could not create the scheduled event in guild %s", meeting.guild_id)
            return None

    async def _channel(self, guild_id: int) -> int | None:
        return (await self._settings.get_or_default(guild_id)).circles_channel_id

    # ----- following changes -----------------------------------------------------------------
    async def take_down(self, meeting: Meeting, why: Cancellation) -> None:
        """Mark a meeting's announcement as cancelled and cancel its scheduled event."""
        channel_id = await self._channel(meeting.guild_id)
        if meeting.announcement_message_id and channel_id is not None:
            try:
                await self._port.cancel_announcement(
                    channel_id, meeting.announcement_message_id, meeting, why
                )
            except PortError:
                log.warning("Could not update a circle announcement in guild %s", meeting.guild_id)
        if meeting.scheduled_event_id:
            try:
                await self._port.cancel_event(meeting.guild_id, meeting.scheduled_event_id)
            except PortError:
                log.warning("Could not cancel a scheduled event in guild %s", meeting.guild_id)

    async def move(self, meeting: Meeting) -> None:
        """Bring a meeting's announcement and scheduled event to its new time."""
        channel_id = await self._channel(meeting.guild_id)
        if meeting.announcement_message_id and channel_id is not None:
            try:
                await self._port.show_announcement(
                    channel_id, meeting.announcement_message_id, meeting
                )
            except PortError:
                log.warning("Could not update a circle announcement in guild %s", meeting.guild_id)
        if meeting.scheduled_event_id:
            try:
                await self._port.move_event(meeting.guild_id, meeting.scheduled_event_id, meeting)
            except PortError:
                log.warning("Could not move a scheduled event in guild %s", meeting.guild_id)

    async def refresh_headcount(
        self, guild_id: int, circle_id: int, index: int, channel_id: int, message_id: int
    ) -> None:
        """Update an announcement's public headcount; one edit at a time, from fresh numbers."""
        async with self._edits.hold(message_id):
            meeting = await self._circles.meeting(guild_id, circle_id, index)
            if meeting is None:
                return
            try:
                await self._port.show_announcement(channel_id, message_id, meeting)
            except PortError:
                log.warning("Could not update a circle headcount")

    # ----- events on and off -----------------------------------------------------------------
    async def restore_events(self, guild_id: int) -> int:
        """Mirror announced coming meetings as Discord events again (events turned back on)."""
        added = 0
        for meeting in await self._circles.upcoming(guild_id, limit=EVENTS_RESTORED):
            if meeting.announcement_message_id and not meeting.scheduled_event_id:
                event_id = await self._mirror(meeting)
                if event_id is not None:
                    await self._ledger.record_announcement(
                        meeting.circle_id, meeting.index, scheduled_event_id=event_id
                    )
                    added += 1
        return added

    async def remove_events(self, guild_id: int) -> int:
        """Delete the Discord events mirroring meetings that have not happened yet."""
        removed = 0
        for circle_id, index, event_id in await self._ledger.mirrored_events(guild_id):
            try:
                await self._port.delete_event(guild_id, event_id)
            except NotThere:
                pass
            except PortError:
                log.warning("Could not remove a scheduled event in guild %s", guild_id)
                continue
            await self._ledger.forget_event(circle_id, index)
            removed += 1
        return removed
