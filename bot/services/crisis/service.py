"""The crisis signpost: countries, local resources, check-in requests and shared resources."""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.models import (
    CrisisAlert,
    CrisisCooldown,
    CrisisMemberCountry,
    CrisisResource,
    CrisisSettings,
    CrisisShareOptOut,
)
from bot.db.queries import insert_ignore
from bot.domain.crisis_detection import may_signal_crisis
from bot.domain.helplines import Country, CrisisCard, HelplineDirectory, build_card
from bot.domain.helplines_loader import CrisisData, load_crisis_data
from bot.errors import InvalidInput, NotAllowed, NotFound, RateLimited
from bot.services.audit import AuditRecord, AuditService
from bot.services.data_rights import ExportChoice

log = logging.getLogger(__name__)

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
# A server's crisis settings and local resources are kept in memory (they are read on every
# `/crisis` and every check-in note, and change rarely). This process forgets them as soon as
# it changes them; a change made by another process is seen within this many seconds.

OPEN = "open"
CLAIMED = "claimed"
SHARE_SENT = "share_sent"
SHARE_RECEIVED = "share_received"

Source = Literal["chosen", "saved", "server", "none"]


@functools.cache
def _cached_crisis_data(folder: str) -> CrisisData:
    return load_crisis_data(folder)


def crisis_data_from(folder: str | Path) -> CrisisData:
    """Load and validate the crisis data in folder once per process (it never changes while running)."""
    return _cached_crisis_data(str(Path(folder).resolve()))


class ForgetfulLimiter:
    """Remembers, in memory only and under a keyed hash, who did something recently.

    Used for anonymous check-in requests: nothing about the person is ever written to the
    database or a log. The key is random per process and never stored, entries vanish once
    their window has passed, and a restart forgets everything (the per-server cap, which is
    stored, still bounds the alerts channel across restarts).
    """

    def __init__(self, clock: Clock, window: timedelta) -> None:
        self._clock = clock
        self._window = window
        self._key = secrets.token_bytes(32)
        self._seen: dict[bytes, datetime] = {}

    def _tag(self, *parts: int) -> bytes:
        message = ":".join(str(part) for part in parts).encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def _prune(self, now: datetime) -> None:
        expired = [tag for tag, at in self._seen.items() if now - at >= self._window]
        for tag in expired:
            del self._seen[tag]

    def take(self, *parts: int) -> bool:
        """Record an attempt; return False if the same parts tried within the window."""
        now = self._clock.now()
        self._prune(now)
        tag = self._tag(*parts)
        if tag in self._seen:
            return False
        self._seen[tag] = now
        return True

    def give_back(self, *parts: int) -> None:
        """Forget an attempt that did not go through."""
        self._seen.pop(self._tag(*parts), None)

    def __len__(self) -> int:
        return len(self._seen)


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


def _alert(row: CrisisAlert) -> Alert:
    return Alert(
        id=row.id,
        guild_id=row.guild_id,
        anonymous=row.anonymous,
        user_id=row.user_id,
        origin_channel_id=row.origin_channel_id,
        status=row.status,
        claimed_by=row.claimed_by,
        claimed_at=row.claimed_at,
        backup_by=row.backup_by,
        backup_at=row.backup_at,
        channel_id=row.channel_id,
        message_id=row.message_id,
        thread_id=row.thread_id,
        created_at=row.created_at,
    )


def _resource(row: CrisisResource) -> LocalResource:
    return LocalResource(
        id=row.id,
        guild_id=row.guild_id,
        name=row.name,
        reach=row.reach,
        description=row.description,
        country_code=row.country_code,
        created_at=row.created_at,
    )


def _settings(row: CrisisSettings | None, guild_id: int) -> CrisisServerSettings:
    if row is None:
        return CrisisServerSettings(guild_id)
    return CrisisServerSettings(
        guild_id, row.default_country, row.detection_enabled, row.alert_on_detection
    )


def _clean(text: str, label: str, limit: int, *, required: bool = True) -> str:
    cleaned = " ".join(text.split())
    if required and not cleaned:
        raise InvalidInput(f"Please fill in the {label}.")
    if len(cleaned) > limit:
        raise InvalidInput(f"The {label} can be at most {limit} characters.")
    return cleaned


class CrisisService:
    """Decides everything about the crisis signpost; cogs only show and ask."""

    section = "crisis"

    def __init__(
        self,
        sessions: SessionFactory,
        clock: Clock,
        audit: AuditService,
        data: CrisisData,
        reads: SessionFactory | None = None,
    ) -> None:
        self._sessions = sessions
        self._reads = reads or sessions  # read-only units of work
        self._clock = clock
        self._audit = audit
        self._data = data
        self._asks = ForgetfulLimiter(clock, ASK_PERSON_WINDOW)

    # ----- the dataset ---------------------------------------------------------------------
    @property
    def directory(self) -> HelplineDirectory:
        """Return the validated helplines directory."""
        return self._data.helplines

    def find_country(self, query: str) -> Country | None:
        """Return the country whose code, name or alias is the query."""
        return self.directory.find_country(query)

    def search_countries(self, query: str, limit: int = 25) -> tuple[Country, ...]:
        """Return countries matching a partial query, best first (for autocomplete)."""
        return self.directory.search_countries(query, limit)

    def require_country(self, query: str) -> Country:
        """Return the country for a query or explain that it is not in the list."""
        country = self.find_country(query)
        if country is None:
            raise InvalidInput(
                "I couldn't find that country in Hearth's list. Please pick one of the "
                "suggestions as you type."
            )
        return country

    def card_for(self, code: str) -> CrisisCard | None:
        """Return the card for a country code, or None if the dataset does not have it."""
        country = self.directory.by_code(code)
        return build_card(country, self.directory.fallback) if country else None

    # ----- answering /crisis ---------------------------------------------------------------
    async def answer(
        self,
        user_id: int,
        guild_id: int | None,
        *,
        query: str | None = None,
        code: str | None = None,
    ) -> CrisisAnswer:
        """Choose the card: the country asked for, else the saved one, else the server's."""
        chosen: Country | None = None
        source: Source = "none"
        not_found = None
        if code is not None:
            chosen = self.directory.by_code(code)
            source = "chosen"
        elif query is not None and query.strip():
            chosen = self.find_country(query)
            source = "chosen"
            if chosen is None:
                not_found = query.strip()[:60]
        if chosen is None and not_found is None:
            chosen = await self.saved_country(user_id)
            source = "saved"
            if chosen is None and guild_id is not None:
                default = (await self.settings(guild_id)).default_country
                chosen = self.directory.by_code(default) if default else None
                source = "server"
        if chosen is None:
            source = "none"
        resources = await self._resources_for(guild_id, chosen)
        card = build_card(chosen, self.directory.fallback) if chosen else None
        return CrisisAnswer(card, source, not_found, resources, guild_id)

    async def _resources_for(
        self, guild_id: int | None, country: Country | None
    ) -> tuple[LocalResource, ...]:
        if guild_id is None:
            return ()
        every = await self.resources(guild_id)
        code = country.code if country else None
        return tuple(r for r in every if r.country_code in (None, code))

    # ----- the member's country ------------------------------------------------------------
    async def saved_country(self, user_id: int) -> Country | None:
        """Return the country the member saved, if any."""
        async with self._reads() as session:
            row = await session.get(CrisisMemberCountry, user_id)
        return self.directory.by_code(row.country_code) if row else None

    async def save_country(self, user_id: int, query: str) -> Country:
        """Save the member's country (private to them)."""
        country = self.require_country(query)
        async with self._sessions() as session:
            row = await session.get(CrisisMemberCountry, user_id)
            if row is None:
                row = CrisisMemberCountry(user_id=user_id)
                session.add(row)
            row.country_code = country.code
            row.updated_at = self._clock.now()
            await session.commit()
        return country

    async def clear_country(self, user_id: int) -> bool:
        """Forget the member's country; return whether one was saved."""
        async with self._sessions() as session:
            result = await session.execute(
                delete(CrisisMemberCountry).where(CrisisMemberCountry.user_id == user_id)
            )
            await session.commit()
        return bool(result.rowcount)

    # ----- server settings -----------------------------------------------------------------
    async def settings(self, guild_id: int) -> CrisisServerSettings:
        """Return the server's crisis settings (defaults when never set)."""
        async with self._reads() as session:
            return _settings(await session.get(CrisisSettings, guild_id), guild_id)

    async def update_settings(
        self,
        guild_id: int,
        actor_id: int,
        *,
        default_country: str | None = None,
        clear_default_country: bool = False,
        detection_enabled: bool | None = None,
        alert_on_detection: bool | None = None,
    ) -> CrisisServerSettings:
        """Change the server's crisis settings, audited."""
        country = self.require_country(default_country) if default_country else None
        changes: list[str] = []
        async with self._sessions() as session:
            row = await session.get(CrisisSettings, guild_id)
            if row is None:
                row = CrisisSettings(
                    guild_id=guild_id, detection_enabled=False, alert_on_detection=False
                )
                session.add(row)
            if country is not None:
                row.default_country = country.code
                changes.append(f"set the default crisis country to {country.name}")
            elif clear_default_country:
                row.default_country = None
                changes.append("removed the default crisis country")
            if detection_enabled is not None:
                row.detection_enabled = detection_enabled
                changes.append(f"turned crisis detection {'on' if detection_enabled else 'off'}")
            if alert_on_detection is not None:
                row.alert_on_detection = alert_on_detection
                changes.append(
                    f"turned alerts on detection {'on' if alert_on_detection else 'off'}"
                )
            row.updated_at = self._clock.now()
            record = None
            if changes:
                record = self._audit.add(
                    session, guild_id, actor_id, "crisis.settings", "; ".join(changes)
                )
            await session.commit()
            result = _settings(row, guild_id)
        if record is not None:
            await self._audit.publish(record)
        return result

    # ----- local resources -----------------------------------------------------------------
    async def resources(self, guild_id: int) -> list[LocalResource]:
        """Return every local resource of the server, oldest first."""
        async with self._reads() as session:
            rows = await session.scalars(
                select(CrisisResource)
                .where(CrisisResource.guild_id == guild_id)
                .order_by(CrisisResource.id)
            )
            return [_resource(row) for row in rows]

    async def add_resource(
        self,
        guild_id: int,
        actor_id: int,
        *,
        name: str,
        reach: str,
        description: str,
        country: str | None = None,
    ) -> LocalResource:
        """Add a local resource (moderators), audited."""
        name = _clean(name, "name", 80)
        reach = _clean(reach, "way to reach it", 200)
        description = _clean(description, "description", 200)
        code = self.require_country(country).code if country else None
        async with self._sessions() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(CrisisResource)
                .where(CrisisResource.guild_id == guild_id)
            )
            if (count or 0) >= MAX_RESOURCES:
                raise InvalidInput(
                    f"A server can list up to {MAX_RESOURCES} local resources, so the card "
                    "stays short. Remove one first with `/crisis-setup resources remove`."
                )
            row = CrisisResource(
                guild_id=guild_id,
                name=name,
                reach=reach,
                description=description,
                country_code=code,
                author_id=actor_id,
                created_at=self._clock.now(),
            )
            session.add(row)
            await session.flush()
            record = self._audit.add(
                session, guild_id, actor_id, "crisis.resource", f"added the local resource “{name}”"
            )
            await session.commit()
            added = _resource(row)
        await self._audit.publish(record)
        return added

    async def remove_resource(
        self, guild_id: int, actor_id: int, resource_id: int
    ) -> LocalResource:
        """Remove a local resource (moderators), audited."""
        async with self._sessions() as session:
            row = await session.get(CrisisResource, resource_id)
            if row is None or row.guild_id != guild_id:
                raise NotFound("That resource isn't in this server's list any more.")
            removed = _resource(row)
            await session.delete(row)
            record = self._audit.add(
                session,
                guild_id,
                actor_id,
                "crisis.resource",
                f"removed the local resource “{removed.name}”",
            )
            await session.commit()
        await self._audit.publish(record)
        return removed

    # ----- check-in requests ---------------------------------------------------------------
    async def open_alert(
        self, guild_id: int, user_id: int, *, named: bool, origin_channel_id: int | None
    ) -> Alert:
        """Record a check-in request, within the limits; an anonymous one keeps no identity.

        `user_id` is used only to enforce the per-person limit: for an anonymous request it
        goes into the in-memory limiter under a keyed hash and nowhere else.
        """
        if not self._asks.take(guild_id, user_id):
            raise RateLimited(
                "You asked a little while ago, and the moderators have been told. "
                "If things feel more urgent, please use the numbers on the card: "
                "they are there for you right now."
            )
        now = self._clock.now()
        try:
            async with self._sessions() as session:
                recent = await session.scalar(
                    select(func.count())
                    .select_from(CrisisAlert)
                    .where(
                        CrisisAlert.guild_id == guild_id,
                        CrisisAlert.created_at > now - ASK_SERVER_WINDOW,
                    )
                )
                if (recent or 0) >= ASK_SERVER_CAP:
                    raise RateLimited(
                        "Several people have asked the moderators here for a check-in in the "
                        "last hour, so I can't add another right now. Please use the numbers "
                        "on the card: they are there for you right now."
                    )
                if named:
                    mine = await session.scalar(
                        select(func.count())
                        .select_from(CrisisAlert)
                        .where(
                            CrisisAlert.guild_id == guild_id,
                            CrisisAlert.user_id == user_id,
                            CrisisAlert.created_at > now - ASK_PERSON_WINDOW,
                        )
                    )
                    if mine:
                        raise RateLimited(
                            "You asked a little while ago, and the moderators have been told. "
                            "If things feel more urgent, please use the numbers on the card."
                        )
                row = CrisisAlert(
                    guild_id=guild_id,
                    anonymous=not named,
                    user_id=user_id if named else None,
                    origin_channel_id=origin_channel_id if named else None,
                    status=OPEN,
                    created_at=now,
                )
                session.add(row)
                await session.commit()
                alert = _alert(row)
        except Exception:
            self._asks.give_back(guild_id, user_id)
            raise
        log.info("Opened check-in request %s in guild %s", alert.id, guild_id)
        return alert

    async def posted_alert(self, alert_id: int, channel_id: int, message_id: int) -> None:
        """Remember where the request's card was posted."""
        async with self._sessions() as session:
            await session.execute(
                update(CrisisAlert)
                .where(CrisisAlert.id == alert_id)
                .values(channel_id=channel_id, message_id=message_id)
            )
            await session.commit()

    async def withdraw_alert(self, alert: Alert, user_id: int) -> None:
        """Erase a request whose card could not be posted, and give the attempt back."""
        async with self._sessions() as session:
            await session.execute(delete(CrisisAlert).where(CrisisAlert.id == alert.id))
            await session.commit()
        self._asks.give_back(alert.guild_id, user_id)

    async def alert(self, alert_id: int, guild_id: int) -> Alert:
        """Return one request of this server."""
        async with self._reads() as session:
            row = await session.get(CrisisAlert, alert_id)
            if row is None or row.guild_id != guild_id:
                raise NotFound(
                    "This check-in request is no longer kept (they expire after a while)."
                )
            return _alert(row)

    async def _mark_once(
        self,
        alert_id: int,
        guild_id: int,
        moderator_id: int,
        condition: Any,
        values: dict[str, Any],
        action: str,
        summary: str,
    ) -> tuple[Alert, bool]:
        """Apply `values` to a request if `condition` still holds; audit it when this call did."""
        async with self._sessions() as session:
            changed = await session.execute(
                update(CrisisAlert)
                .where(CrisisAlert.id == alert_id, CrisisAlert.guild_id == guild_id, condition)
                .values(**values)
            )
            newly = bool(changed.rowcount)
            row = await session.get(CrisisAlert, alert_id)
            if row is None or row.guild_id != guild_id:
                raise NotFound(
                    "This check-in request is no longer kept (they expire after a while)."
                )
            record: AuditRecord | None = None
            if newly:
                record = self._audit.add(session, guild_id, moderator_id, action, summary)
            await session.commit()
            alert = _alert(row)
        if record is not None:
            await self._audit.publish(record)
        return alert, newly

    async def claim_alert(
        self, alert_id: int, guild_id: int, moderator_id: int
    ) -> tuple[Alert, bool]:
        """Claim a request for one moderator; return it and whether this call claimed it."""
        alert, newly = await self._mark_once(
            alert_id,
            guild_id,
            moderator_id,
            CrisisAlert.status == OPEN,
            {"status": CLAIMED, "claimed_by": moderator_id, "claimed_at": self._clock.now()},
            "crisis.claim",
            f"said they'll reach out about check-in request #{alert_id}",
        )
        if not newly and alert.claimed_by != moderator_id:
            who = f"<@{alert.claimed_by}>" if alert.claimed_by else "Another moderator"
            raise InvalidInput(
                f"{who} is already reaching out about this one. "
                "You can still press **Need backup** if they might need help."
            )
        return alert, newly

    async def request_backup(
        self, alert_id: int, guild_id: int, moderator_id: int
    ) -> tuple[Alert, bool]:
        """Ask the other moderators for backup on a request (once)."""
        return await self._mark_once(
            alert_id,
            guild_id,
            moderator_id,
            CrisisAlert.backup_by.is_(None),
            {"backup_by": moderator_id, "backup_at": self._clock.now()},
            "crisis.backup",
            f"asked for backup on check-in request #{alert_id}",
        )

    async def thread_target(self, alert_id: int, guild_id: int, moderator_id: int) -> Alert:
        """Return a named request its claimer may open a private thread for."""
        alert = await self.alert(alert_id, guild_id)
        if alert.anonymous or alert.user_id is None:
            raise InvalidInput(
                "This request is anonymous, so there is nobody to open a thread with. "
                "A gentle general post reminding everyone you're around can help."
            )
        if alert.claimed_by != moderator_id:
            raise NotAllowed("Only the moderator who said they'll reach out can open the thread.")
        return alert

    async def record_thread(self, alert_id: int, thread_id: int) -> None:
        """Remember the private thread opened for a request."""
        async with self._sessions() as session:
            await session.execute(
                update(CrisisAlert).where(CrisisAlert.id == alert_id).values(thread_id=thread_id)
            )
            await session.commit()

    async def tidy(self) -> int:
        """Erase requests past their retention and limits that have run out; return the count."""
        now = self._clock.now()
        async with self._sessions() as session:
            alerts = await session.execute(
                delete(CrisisAlert).where(CrisisAlert.created_at < now - ALERT_RETENTION)
            )
            received = await session.execute(
                delete(CrisisCooldown).where(
                    CrisisCooldown.kind == SHARE_RECEIVED,
                    CrisisCooldown.last_at < now - SHARE_RECIPIENT_WINDOW,
                )
            )
            sent = await session.execute(
                delete(CrisisCooldown).where(
                    CrisisCooldown.kind == SHARE_SENT,
                    CrisisCooldown.last_at < now - SHARE_SENDER_COOLDOWN,
                )
            )
            await session.commit()
        return (alerts.rowcount or 0) + (received.rowcount or 0) + (sent.rowcount or 0)

    # ----- sharing resources ---------------------------------------------------------------
    async def _claim_cooldown(
        self, session: AsyncSession, user_id: int, kind: str, window: timedelta
    ) -> bool:
        """Set the cooldown to now unless it is still running; return whether it was set."""
        now = self._clock.now()
        table = CrisisCooldown.__table__
        values = {"user_id": user_id, "kind": kind, "last_at": now}
        if await insert_ignore(session, table, values, ["user_id", "kind"]):  # type: ignore[arg-type]
            return True
        result = await session.execute(
            update(CrisisCooldown)
            .where(
                CrisisCooldown.user_id == user_id,
                CrisisCooldown.kind == kind,
                CrisisCooldown.last_at <= now - window,
            )
            .values(last_at=now)
        )
        return bool(result.rowcount)

    async def share(self, sender_id: int, recipient_id: int) -> ShareDecision:
        """Decide whether to send someone resources; the sender's pause starts either way."""
        if sender_id == recipient_id:
            raise InvalidInput(
                "You can't send this to yourself, but `/crisis` shows you the same card, privately."
            )
        async with self._sessions() as session:
            if not await self._claim_cooldown(
                session, sender_id, SHARE_SENT, SHARE_SENDER_COOLDOWN
            ):
                raise RateLimited(
                    "You shared support resources a few minutes ago. Thank you for caring. "
                    "Please wait a little before sharing again."
                )
            opted_out = await session.get(CrisisShareOptOut, recipient_id) is not None
            send = not opted_out and await self._claim_cooldown(
                session, recipient_id, SHARE_RECEIVED, SHARE_RECIPIENT_WINDOW
            )
            await session.commit()
        return ShareDecision(send=send)

    async def set_share_opt_out(self, user_id: int, opted_out: bool) -> bool:
        """Stop (or allow again) others sending the member resources; return whether it changed."""
        async with self._sessions() as session:
            if opted_out:
                changed = await insert_ignore(
                    session,
                    CrisisShareOptOut.__table__,  # type: ignore[arg-type]
                    {"user_id": user_id, "created_at": self._clock.now()},
                    ["user_id"],
                )
            else:
                result = await session.execute(
                    delete(CrisisShareOptOut).where(CrisisShareOptOut.user_id == user_id)
                )
                changed = bool(result.rowcount)
            await session.commit()
        return changed

    async def share_opted_out(self, user_id: int) -> bool:
        """Return whether the member asked not to be sent resources."""
        async with self._reads() as session:
            return await session.get(CrisisShareOptOut, user_id) is not None

    # ----- detection, for later features ---------------------------------------------------
    def may_signal_crisis(self, text: str) -> bool:
        """Return whether text contains a crisis phrase (not negated, quoted or code)."""
        return may_signal_crisis(text, self._data.phrases)

    async def detection(self, guild_id: int, text: str) -> Detection:
        """Say whether to offer the author the card privately, and whether to alert moderators.

        Text is only read in servers that opted in; it is never stored or logged.
        """
        settings = await self.settings(guild_id)
        if not settings.detection_enabled or not self.may_signal_crisis(text):
            return Detection(show_card=False, alert_moderators=False)
        return Detection(show_card=True, alert_moderators=settings.alert_on_detection)

    async def should_show_card(self, guild_id: int, text: str) -> bool:
        """Return whether the server opted in and the text may signal crisis."""
        return (await self.detection(guild_id, text)).show_card

    # ----- data rights ---------------------------------------------------------------------
    def describe(self) -> str:
        """Say in plain words what this part stores."""
        return (
            "**Crisis signpost**: the country you saved with `/crisis-country` (only used to "
            "show you the right numbers); check-in requests you sent *with your name* (server, "
            "time, status) for 30 days; whether you asked not to be sent support resources; and "
            "when you last shared or received them, only to keep the limits. Anonymous requests "
            "are stored with nothing that identifies you, so they can't be linked to you, "
            "exported or erased. Moderators see requests in their private channel. Erasing "
            "your data also removes your opt-out, so set it again if you want it."
        )

    async def export_user(
        self, session: AsyncSession, user_id: int, choice: ExportChoice
    ) -> dict[str, Any]:
        """Return everything about this person in the crisis tables."""
        country = await session.get(CrisisMemberCountry, user_id)
        opt_out = await session.get(CrisisShareOptOut, user_id)
        cooldowns = await session.scalars(
            select(CrisisCooldown).where(CrisisCooldown.user_id == user_id)
        )
        asked = await session.scalars(
            select(CrisisAlert).where(CrisisAlert.user_id == user_id).order_by(CrisisAlert.id)
        )
        helped = await session.scalars(
            select(CrisisAlert)
            .where((CrisisAlert.claimed_by == user_id) | (CrisisAlert.backup_by == user_id))
            .order_by(CrisisAlert.id)
        )
        authored = await session.scalars(
            select(CrisisResource).where(CrisisResource.author_id == user_id)
        )
        return {
            "country": (
                {"code": country.country_code, "saved_at": country.updated_at.isoformat()}
                if country
                else None
            ),
            "share_opt_out": opt_out.created_at.isoformat() if opt_out else None,
            "limits": {row.kind: row.last_at.isoformat() for row in cooldowns},
            "check_in_requests": [
                {
                    "server_id": str(row.guild_id),
                    "at": row.created_at.isoformat(),
                    "status": row.status,
                }
                for row in asked
            ],
            "requests_you_helped_with": [
                {
                    "server_id": str(row.guild_id),
                    "request": row.id,
                    "reached_out": row.claimed_by == user_id,
                    "asked_for_backup": row.backup_by == user_id,
                }
                for row in helped
            ],
            "local_resources_added": [
                {"server_id": str(row.guild_id), "name": row.name} for row in authored
            ],
        }

    async def delete_user(self, session: AsyncSession, user_id: int) -> int:
        """Erase this person's rows; requests they helped with stay, without their id."""
        removed = 0
        for model in (CrisisMemberCountry, CrisisShareOptOut, CrisisCooldown, CrisisAlert):
            result = await session.execute(delete(model).where(model.user_id == user_id))
            removed += result.rowcount or 0
        await session.execute(
            update(CrisisAlert).where(CrisisAlert.claimed_by == user_id).values(claimed_by=None)
        )
        await session.execute(
            update(CrisisAlert).where(CrisisAlert.backup_by == user_id).values(backup_by=None)
        )
        await session.execute(
            update(CrisisResource).where(CrisisResource.author_id == user_id).values(author_id=None)
        )
        return removed
