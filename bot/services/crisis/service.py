"""The crisis signpost's decisions: countries, settings, local resources, requests and shares."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.models import CrisisMemberCountry, CrisisResource, CrisisSettings
from bot.domain.crisis_detection import may_signal_crisis
from bot.domain.helplines import Country, HelplineDirectory, build_card
from bot.domain.helplines_loader import CrisisData
from bot.errors import InvalidInput, NotFound, RateLimited
from bot.i18n import N_
from bot.services.audit import AuditService
from bot.services.crisis import _store as store
from bot.services.crisis._ledger import RequestLedger
from bot.services.crisis.limiter import ForgetfulLimiter
from bot.services.crisis.values import (
    ASK_PERSON_WINDOW,
    MAX_RESOURCES,
    SHARE_RECEIVED,
    SHARE_RECIPIENT_WINDOW,
    SHARE_SENDER_COOLDOWN,
    SHARE_SENT,
    CrisisAnswer,
    CrisisServerSettings,
    Detection,
    LocalResource,
    ShareDecision,
    Source,
)
from bot.services.data_rights import ExportChoice

log = logging.getLogger(__name__)

# What each of a local resource's fields may hold: whole sentences, so each language says them.
_EMPTY = {
    "name": N_("Please fill in the name."),
    "reach": N_("Please fill in the way to reach it."),
    "description": N_("Please fill in the description."),
}
_TOO_LONG = {
    "name": N_("The name can be at most %(limit)s characters."),
    "reach": N_("The way to reach it can be at most %(limit)s characters."),
    "description": N_("The description can be at most %(limit)s characters."),
}


def _clean(text: str, field: str, limit: int, *, required: bool = True) -> str:
    cleaned = " ".join(text.split())
    if required and not cleaned:
        raise InvalidInput(_EMPTY[field])
    if len(cleaned) > limit:
        raise InvalidInput(_TOO_LONG[field], limit=limit)
    return cleaned


class CrisisService(RequestLedger):
    """Decides everything about the crisis signpost; cogs only show and ask.

    Check-in requests (opening, claiming, backup, threads) are its `RequestLedger` part.
    """

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
                N_(
                    "I couldn't find that country in Hearth's list. Please pick one of the "
                    "suggestions as you type."
                )
            )
        return country

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
            chosen, source = await self._remembered_country(user_id, guild_id)
        if chosen is None:
            source = "none"
        resources = await self._resources_for(guild_id, chosen)
        card = build_card(chosen, self.directory.fallback) if chosen else None
        return CrisisAnswer(card, source, not_found, resources, guild_id)

    async def _remembered_country(
        self, user_id: int, guild_id: int | None
    ) -> tuple[Country | None, Source]:
        """Return the member's saved country, else the server's default."""
        saved = await self.saved_country(user_id)
        if saved is not None or guild_id is None:
            return saved, "saved"
        default = (await self.settings(guild_id)).default_country
        return (self.directory.by_code(default) if default else None), "server"

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
            removed = await store.delete_country(session, user_id)
            await session.commit()
        return removed

    # ----- server settings -----------------------------------------------------------------
    async def settings(self, guild_id: int) -> CrisisServerSettings:
        """Return the server's crisis settings (defaults when never set)."""
        async with self._reads() as session:
            return store.settings_value(await session.get(CrisisSettings, guild_id), guild_id)

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
        async with self._sessions() as session:
            row = await session.get(CrisisSettings, guild_id)
            if row is None:
                row = CrisisSettings(
                    guild_id=guild_id, detection_enabled=False, alert_on_detection=False
                )
                session.add(row)
            changes = _apply_settings(
                row, country, clear_default_country, detection_enabled, alert_on_detection
            )
            row.updated_at = self._clock.now()
            record = None
            if changes:
                record = self._audit.add(
                    session, guild_id, actor_id, "crisis.settings", "; ".join(changes)
                )
            await session.commit()
            result = store.settings_value(row, guild_id)
        if record is not None:
            await self._audit.publish(record)
        return result

    # ----- local resources -----------------------------------------------------------------
    async def resources(self, guild_id: int) -> list[LocalResource]:
        """Return every local resource of the server, oldest first."""
        async with self._reads() as session:
            return await store.resources(session, guild_id)

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
        reach = _clean(reach, "reach", 200)
        description = _clean(description, "description", 200)
        code = self.require_country(country).code if country else None
        async with self._sessions() as session:
            if await store.count_resources(session, guild_id) >= MAX_RESOURCES:
                raise InvalidInput(
                    N_(
                        "A server can list up to %(limit)s local resources, so the card "
                        "stays short. Remove one first with `/crisis-setup resources remove`."
                    ),
                    limit=MAX_RESOURCES,
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
            added = store.resource_value(row)
        await self._audit.publish(record)
        return added

    async def remove_resource(
        self, guild_id: int, actor_id: int, resource_id: int
    ) -> LocalResource:
        """Remove a local resource (moderators), audited."""
        async with self._sessions() as session:
            row = await session.get(CrisisResource, resource_id)
            if row is None or row.guild_id != guild_id:
                raise NotFound(N_("That resource isn't in this server's list any more."))
            removed = store.resource_value(row)
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

    async def tidy(self) -> int:
        """Erase requests past their retention and limits that have run out; return the count."""
        async with self._sessions() as session:
            removed = await store.delete_expired(session, self._clock.now())
            await session.commit()
        return removed

    # ----- sharing resources ---------------------------------------------------------------
    async def share(self, sender_id: int, recipient_id: int) -> ShareDecision:
        """Decide whether to send someone resources; the sender's pause starts either way."""
        if sender_id == recipient_id:
            raise InvalidInput(
                N_(
                    "You can't send this to yourself, but `/crisis` shows you the same card, "
                    "privately."
                )
            )
        now = self._clock.now()
        async with self._sessions() as session:
            if not await store.claim_cooldown(
                session, sender_id, SHARE_SENT, SHARE_SENDER_COOLDOWN, now
            ):
                raise RateLimited(
                    N_(
                        "You shared support resources a few minutes ago. Thank you for caring. "
                        "Please wait a little before sharing again."
                    )
                )
            opted_out = await store.opted_out(session, recipient_id)
            send = not opted_out and await store.claim_cooldown(
                session, recipient_id, SHARE_RECEIVED, SHARE_RECIPIENT_WINDOW, now
            )
            await session.commit()
        return ShareDecision(send=send)

    async def set_share_opt_out(self, user_id: int, opted_out: bool) -> bool:
        """Stop (or allow again) others sending the member resources; return whether it changed."""
        async with self._sessions() as session:
            changed = await store.set_opt_out(session, user_id, opted_out, self._clock.now())
            await session.commit()
        return changed

    # ----- detection, for later features ---------------------------------------------------
    def may_signal_crisis(self, text: str) -> bool:
        """Return whether text contains a crisis phrase (not negated, quoted or code)."""
        return may_signal_crisis(text, self._data.phrases)

    async def detection(self, guild_id: int, text: str) -> Detection:
        """Say whether to offer the author the card privately, and whether to alert moderators.

        Text is only read in servers that opted in; it is never stored or logged.
        """
        settings = await self.settings(guild_id)
        return self.judge(
            text, enabled=settings.detection_enabled, alert_on_detection=settings.alert_on_detection
        )

    def judge(self, text: str, *, enabled: bool, alert_on_detection: bool) -> Detection:
        """Say what to do about a note, given the server's opt-ins (read by the caller)."""
        if not enabled or not self.may_signal_crisis(text):
            return Detection(show_card=False, alert_moderators=False)
        return Detection(show_card=True, alert_moderators=alert_on_detection)

    # ----- data rights ---------------------------------------------------------------------
    def describe(self) -> str:
        """Say in plain words what this part stores."""
        return N_(
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
        return await store.export_user(session, user_id)

    async def delete_user(self, session: AsyncSession, user_id: int) -> int:
        """Erase this person's rows; requests they helped with stay, without their id."""
        return await store.delete_user(session, user_id)


def _apply_settings(
    row: CrisisSettings,
    country: Country | None,
    clear_default_country: bool,
    detection_enabled: bool | None,
    alert_on_detection: bool | None,
) -> list[str]:
    """Change the row as asked; return what changed, in words for the moderator log."""
    changes: list[str] = []
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
        changes.append(f"turned alerts on detection {'on' if alert_on_detection else 'off'}")
    return changes
