"""Check-in requests reaching the moderators: the card in their channel, backup, private threads."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from bot.errors import InvalidInput
from bot.i18n import N_
from bot.services.crisis.service import CrisisService
from bot.services.crisis.values import Alert
from bot.services.settings import GuildConfig, SettingsService

log = logging.getLogger(__name__)


class ChannelCheck(Enum):
    """What Hearth sees of a server's moderator alerts channel."""

    MISSING = "missing"
    PUBLIC = "public"
    PRIVATE = "private"


class RequestStatus(Enum):
    """How asking the moderators for a check-in went."""

    SENT = "sent"
    NO_CHANNEL = "no_channel"
    PUBLIC_CHANNEL = "public_channel"
    NOT_POSTED = "not_posted"


class ThreadFailure(Enum):
    """Why a private check-in thread could not be opened."""

    NOT_CREATED = "not_created"
    NOT_SET_UP = "not_set_up"


@dataclass(frozen=True)
class OpenedThread:
    """A private thread opened for a request, or why it could not be."""

    thread_id: int | None = None
    failure: ThreadFailure | None = None


@dataclass(frozen=True)
class RequestResult:
    """The outcome of a request, and the name the moderators were shown (None if anonymous)."""

    status: RequestStatus
    who: str | None = None


class RequestPort(Protocol):
    """The Discord side: finding channels and members, posting, opening threads."""

    def alerts_channel(self, guild_id: int, channel_id: int | None) -> ChannelCheck:
        """Say whether the channel exists as a text channel and whether @everyone can see it."""
        ...

    def is_text_channel(self, guild_id: int, channel_id: int) -> bool:
        """Say whether the channel exists in the server and is a text channel."""
        ...

    async def post_request(
        self, channel_id: int, alert: Alert, who: str | None, role_id: int | None
    ) -> int | None:
        """Post the moderators' card; return its message id, or None if Discord refused."""
        ...

    async def post_backup_call(
        self, channel_id: int, alert: Alert, moderator_id: int, role_id: int | None, card_url: str
    ) -> None:
        """Tell the moderators (their role, if set) that someone asked for backup."""
        ...

    async def is_member(self, guild_id: int, user_id: int) -> bool:
        """Say whether the person is still in the server."""
        ...

    async def open_private_thread(
        self, channel_id: int, member_id: int, moderator_id: int
    ) -> OpenedThread:
        """Open a private thread, add both people and post its first message.

        A thread that could not be set up is deleted again.
        """
        ...


NameLookup = Callable[[], Awaitable[str]]


class RequestFollowUps:
    """Carries a check-in request to the moderators and helps them follow it up."""

    def __init__(self, crisis: CrisisService, settings: SettingsService, port: RequestPort) -> None:
        self._crisis = crisis
        self._settings = settings
        self._port = port

    async def ask_moderators(
        self,
        guild_id: int,
        user_id: int,
        *,
        name: NameLookup | None,
        origin_channel_id: int | None,
    ) -> RequestResult:
        """Post the request in the server's private moderator channel (named if `name` is given).

        The name is looked up only once the channel is known to be fit for it.
        """
        config = await self._settings.get(guild_id)
        channel_id = config.alerts_channel_id if config is not None else None
        check = self._port.alerts_channel(guild_id, channel_id)
        if config is None or channel_id is None or check is ChannelCheck.MISSING:
            return RequestResult(RequestStatus.NO_CHANNEL)
        if check is ChannelCheck.PUBLIC:
            log.warning(
                "Not posting a check-in request: the alerts channel in %s is public", guild_id
            )
            return RequestResult(RequestStatus.PUBLIC_CHANNEL)
        who = await name() if name is not None else None
        alert = await self._crisis.open_alert(
            guild_id, user_id, named=name is not None, origin_channel_id=origin_channel_id
        )
        posted = await self._port.post_request(channel_id, alert, who, config.moderator_role_id)
        if posted is None:
            await self._crisis.withdraw_alert(alert, user_id)
            log.warning("Could not post a check-in request in guild %s", guild_id)
            return RequestResult(RequestStatus.NOT_POSTED, who)
        await self._crisis.posted_alert(alert.id, channel_id, posted)
        return RequestResult(RequestStatus.SENT, who)

    async def call_backup(
        self, alert: Alert, moderator_id: int, config: GuildConfig, channel_id: int, card_url: str
    ) -> None:
        """Tell the other moderators, where the card is, that backup was asked for."""
        await self._port.post_backup_call(
            channel_id, alert, moderator_id, config.moderator_role_id, card_url
        )

    async def open_thread(self, alert: Alert, moderator_id: int, config: GuildConfig) -> int:
        """Open a private thread with the member and the claiming moderator; return its id.

        The thread opens where the member asked, else in the welcome channel, and only while
        they are still in the server.
        """
        guild_id, member_id = alert.guild_id, alert.user_id
        if member_id is None:
            raise InvalidInput(
                N_("This request is anonymous, so there is nobody to open a thread with.")
            )
        parent = self._thread_parent(guild_id, alert, config)
        if parent is None:
            raise InvalidInput(
                N_(
                    "I couldn't find a channel to open the thread in. You can message "
                    "%(member)s directly instead."
                ),
                member=f"<@{member_id}>",
            )
        if not await self._port.is_member(guild_id, member_id):
            raise InvalidInput(
                N_(
                    "%(member)s doesn't seem to be in the server any more (they may have left "
                    "the server), so I didn't open a thread."
                ),
                member=f"<@{member_id}>",
            )
        opened = await self._port.open_private_thread(parent, member_id, moderator_id)
        if opened.failure is ThreadFailure.NOT_SET_UP:
            log.warning("Could not set up a private check-in thread in guild %s", guild_id)
            raise InvalidInput(
                N_(
                    "I couldn't add %(member)s to a private thread (I may need Send Messages "
                    "in Threads there). You can message them directly instead."
                ),
                member=f"<@{member_id}>",
            )
        if opened.thread_id is None:
            log.warning("Could not open a private check-in thread in guild %s", guild_id)
            raise InvalidInput(
                N_(
                    "I couldn't open a private thread in %(channel)s (I need Create Private "
                    "Threads there). You can message %(member)s directly instead."
                ),
                channel=f"<#{parent}>",
                member=f"<@{member_id}>",
            )
        thread_id = opened.thread_id
        await self._crisis.record_thread(alert.id, thread_id)
        return thread_id

    def _thread_parent(self, guild_id: int, alert: Alert, config: GuildConfig) -> int | None:
        """Return a text channel the member can see: where they asked, else the welcome channel."""
        for channel_id in (alert.origin_channel_id, config.welcome_channel_id):
            if channel_id and self._port.is_text_channel(guild_id, channel_id):
                return channel_id
        return None
