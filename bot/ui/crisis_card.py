"""The crisis card: how `/crisis`, shared resources and later features show helplines privately.

Any cog can show the card with ``CrisisCards(crisis_service).for_member(...)`` (handed the
service in its setup). The card's persistent components are described here (`CHOOSE`, `PICK`,
`ASK`, `OPT_OUT`) and handled by the crisis cog, which registers them, so they work wherever
the card is shown and after restarts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.domain.helplines import CardService, Country, CrisisCard, FallbackLink
from bot.services.crisis import CrisisAnswer, CrisisService, LocalResource
from bot.ui.components import ButtonSpec, SelectSpec, flag, text, whole
from bot.ui.text import WARM

WARM_LINE = (
    "I'm really glad you reached out. You don't have to carry this alone: "
    "the people below are there to listen, right now."
)
PEERS_NOT_SERVICE = "Hearth is run by peers, not a crisis service."
MAX_COUNTRY_SELECTS = 4
OPTIONS_PER_SELECT = 25
# Discord's embed limits, with room to spare.
MAX_FIELDS = 25
MAX_EMBED_CHARS = 5800
MAX_FIELD_VALUE = 1024

# ----- persistent components (their handlers are registered by the crisis cog) ----------------

# A guild of 0 is a card shown in DMs; `shared` marks a card someone shared; a code of `-` is
# a card shown before the member's country is known.
GUILD = whole("guild", missing="0")
SHARED = flag("shared")
CODE = text("code", "[A-Z]{2}", missing="-")

CHOOSE = ButtonSpec(
    "hearth:crisis:choose", "Choose another country", discord.ButtonStyle.secondary, (GUILD, SHARED)
)
PICK = SelectSpec("hearth:crisis:pick", "Choose your country", (GUILD, SHARED, "page"))
ASK = ButtonSpec(
    "hearth:crisis:ask",
    "Ask someone here to check in on me",
    discord.ButtonStyle.primary,
    ("guild", CODE),
)
OPT_OUT = ButtonSpec(
    "hearth:crisis:optout", "Don't send me these again", discord.ButtonStyle.secondary
)


def country_pages(countries: Sequence[Country]) -> list[list[Country]]:
    """Split countries, sorted by name, into at most four selects of at most 25, evenly."""
    ordered = sorted(countries, key=lambda country: country.name)
    pages = min(MAX_COUNTRY_SELECTS, max(1, math.ceil(len(ordered) / OPTIONS_PER_SELECT)))
    size = min(OPTIONS_PER_SELECT, math.ceil(len(ordered) / pages))
    return [ordered[i * size : (i + 1) * size] for i in range(pages) if ordered[i * size :]]


def country_select(
    guild_id: int | None, shared: bool, page: int, countries: Sequence[Country]
) -> discord.ui.Select[Any]:
    """Return one select of countries, its placeholder naming the letters it covers."""
    first, last = countries[0].name[0], countries[-1].name[0]
    letters = first if first == last else f"{first}–{last}"
    return PICK.select(
        guild_id,
        shared,
        page,
        placeholder=f"{PICK.placeholder} ({letters})",
        options=[
            discord.SelectOption(label=country.name[:100], value=country.code)
            for country in countries
        ],
    )


# ----- the card's text -------------------------------------------------------------------------


def service_lines(service: CardService) -> list[str]:
    """Return how to reach a service, its hours and who it is for; numbers exactly as in the data."""
    lines: list[str] = []
    calls = [contact for contact in service.contacts if contact.kind == "call"]
    if calls:
        line = "📞 Call " + " or ".join(f"`{contact.value}`" for contact in calls)
        if calls[0].instructions:
            line += f" · {calls[0].instructions}"
        lines.append(line)
    for contact in service.contacts:
        if contact.kind == "text":
            line = f"💬 Text `{contact.value}`"
            lines.append(line + (f" · {contact.instructions}" if contact.instructions else ""))
        elif contact.kind == "chat":
            lines.append(f"🗨️ Chat: {contact.value}")
        elif contact.kind == "web":
            lines.append(f"🌐 {contact.value}")
        elif contact.kind == "email":
            lines.append(f"✉️ {contact.value}")
    lines.append(f"🕒 {service.hours}" if service.hours_confirmed else "🕒 Hours not confirmed")
    if service.audience:
        lines.append(f"👤 For {service.audience}")
    if service.languages:
        lines.append(f"🗣️ Languages: {', '.join(service.languages)}")
    return lines


def _fallback_text(links: Sequence[FallbackLink]) -> str:
    return " · ".join(f"[{link.name}]({link.url})" for link in links)


@dataclass
class _Fields:
    """Fields added in order until Discord's limits would be passed."""

    embed: discord.Embed
    used: int = 0
    dropped: int = 0
    reserved: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str, value: str) -> bool:
        name, value = name[:256], value[:MAX_FIELD_VALUE]
        budget_fields = MAX_FIELDS - len(self.reserved)
        budget_chars = MAX_EMBED_CHARS - sum(len(n) + len(v) for n, v in self.reserved)
        if (
            len(self.embed.fields) >= budget_fields
            or self.used + len(name) + len(value) > budget_chars
        ):
            self.dropped += 1
            return False
        self.embed.add_field(name=name, value=value, inline=False)
        self.used += len(name) + len(value)
        return True

    def finish(self) -> None:
        for name, value in self.reserved:
            self.embed.add_field(name=name, value=value, inline=False)


def _resource_fields(fields: _Fields, resources: Sequence[LocalResource]) -> None:
    if not resources:
        return
    fields.add("In this community", "Resources this server's moderators recommend:")
    for resource in resources:
        fields.add(f"🏠 {resource.name}", f"{resource.reach}\n{resource.description}")


def card_embed(
    card: CrisisCard,
    resources: Sequence[LocalResource] = (),
    *,
    private_note: bool = True,
    intro: str | None = None,
) -> discord.Embed:
    """Render a country's card: warm line, emergency number, verified lines, local, fallback."""
    description = [
        intro or WARM_LINE,
        "",
        f"**If you are in immediate danger, call `{card.emergency}`.**",
    ]
    if not card.groups:
        description += [
            "",
            f"I don't have a checked helpline for {card.country_name} yet. "
            "The links at the bottom list helplines around the world.",
        ]
    embed = discord.Embed(
        title=f"Support in {card.country_name}", description="\n".join(description), colour=WARM
    )
    footer = PEERS_NOT_SERVICE + (" Only you can see this." if private_note else "")
    fields = _Fields(
        embed, used=len(embed.title or "") + len(embed.description or "") + len(footer)
    )
    fields.reserved.append(
        ("Somewhere else?", "Helplines in other countries: " + _fallback_text(card.fallback))
    )
    for group in card.groups:
        if group.is_pair:
            name = " · ".join(service.name for service in group.services)
            value = "\n".join(
                f"**{service.name}**\n" + "\n".join(service_lines(service))
                for service in group.services
            )
        else:
            service = group.services[0]
            name, value = service.name, "\n".join(service_lines(service))
        fields.add(name, value)
    _resource_fields(fields, resources)
    if fields.dropped:
        fields.add("More", "There are more lines than fit here: see the links below.")
    fields.finish()
    embed.set_footer(text=footer)
    return embed


def picker_embed(
    answer: CrisisAnswer,
    fallback: Sequence[FallbackLink],
    *,
    private_note: bool = True,
    intro: str | None = None,
    truncated: bool = False,
) -> discord.Embed:
    """Render the card for a member whose country is not known: ask for it, show the links."""
    lines = [intro or WARM_LINE, ""]
    if answer.not_found:
        shown = discord.utils.escape_mentions(discord.utils.escape_markdown(answer.not_found))
        lines += [f"I couldn't find “{shown}” in my list.", ""]
    lines += [
        "**If you are in immediate danger, call your local emergency number.**",
        "",
        "Choose your country below and I'll show you helplines you can call, text or chat with.",
    ]
    if truncated:
        lines.append("Not in the lists? Type it instead: `/crisis country:<your country>`.")
    embed = discord.Embed(
        title="Let's find support near you", description="\n".join(lines), colour=WARM
    )
    footer = PEERS_NOT_SERVICE + (" Only you can see this." if private_note else "")
    fields = _Fields(
        embed, used=len(embed.title or "") + len(embed.description or "") + len(footer)
    )
    fields.reserved.append(("Helplines around the world", _fallback_text(fallback)))
    _resource_fields(fields, answer.resources)
    fields.finish()
    embed.set_footer(text=footer)
    return embed


@dataclass(frozen=True)
class CardMessage:
    """A rendered card: what to send."""

    embed: discord.Embed
    view: discord.ui.View
    content: str | None = None

    def kwargs(self) -> dict[str, Any]:
        """Return keyword arguments for send_message / edit_message / send."""
        return {"content": self.content, "embed": self.embed, "view": self.view}


class CrisisCards:
    """Builds the crisis card for a member, wherever it is shown."""

    def __init__(self, crisis: CrisisService) -> None:
        self.crisis = crisis

    async def for_member(
        self,
        user_id: int,
        guild_id: int | None,
        *,
        query: str | None = None,
        code: str | None = None,
        shared: bool = False,
        private_note: bool = True,
        intro: str | None = None,
    ) -> CardMessage:
        """Return the card for the member: the country asked for, saved, or the server's."""
        answer = await self.crisis.answer(user_id, guild_id, query=query, code=code)
        return self.render(answer, shared=shared, private_note=private_note, intro=intro)

    def render(
        self,
        answer: CrisisAnswer,
        *,
        shared: bool = False,
        private_note: bool = True,
        intro: str | None = None,
    ) -> CardMessage:
        """Render an answer: the country's card, or the country picker with the fallback links."""
        guild_id = answer.guild_id
        view = discord.ui.View(timeout=None)
        if answer.card is not None:
            embed = card_embed(
                answer.card, answer.resources, private_note=private_note, intro=intro
            )
            code: str | None = answer.card.country_code
            view.add_item(CHOOSE.button(guild_id, shared))
        else:
            countries = self.crisis.directory.countries
            pages = country_pages(countries)
            truncated = sum(len(page) for page in pages) < len(countries)
            embed = picker_embed(
                answer,
                self.crisis.directory.fallback,
                private_note=private_note,
                intro=intro,
                truncated=truncated,
            )
            code = None
            for number, page in enumerate(pages):
                view.add_item(country_select(guild_id, shared, number, page))
        if guild_id is not None:
            view.add_item(ASK.button(guild_id, code))
        if shared:
            view.add_item(OPT_OUT.button())
        return CardMessage(embed, view)

    def picker(
        self, guild_id: int | None, *, shared: bool, private_note: bool = True
    ) -> CardMessage:
        """Return the country picker on its own (for "Choose another country")."""
        answer = CrisisAnswer(None, "none", None, (), guild_id)
        return self.render(answer, shared=shared, private_note=private_note)
