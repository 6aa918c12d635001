"""The crisis card: how `/crisis`, shared resources and later features show helplines privately.

Any cog can show the card with ``CrisisCards(crisis_service).for_member(...)`` (handed the
service in its setup). The card's persistent components are described here (`CHOOSE`, `PICK`,
`ASK`, `OPT_OUT`) and handled by the crisis cog, which registers them, so they work wherever
the card is shown and after restarts.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.domain.helplines import CardService, Country, CrisisCard, FallbackLink
from bot.i18n import ENGLISH, N_, NC_, Language, language
from bot.services.crisis import CrisisAnswer, CrisisService, LocalResource
from bot.ui.components import ButtonSpec, SelectSpec, carried, flag, text, whole
from bot.ui.text import WARM, code

WARM_LINE = N_(
    "I'm really glad you reached out. You don't have to carry this alone: "
    "the people below are there to listen, right now."
)
PEERS_NOT_SERVICE = N_("Hearth is run by peers, not a crisis service.")
ONLY_YOU = N_("Hearth is run by peers, not a crisis service. Only you can see this.")
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
    "hearth:crisis:choose",
    NC_("button", "Choose another country"),
    discord.ButtonStyle.secondary,
    (GUILD, SHARED),
)
PICK = SelectSpec(
    "hearth:crisis:pick", NC_("placeholder", "Choose your country"), (GUILD, SHARED, "page")
)
ASK = ButtonSpec(
    "hearth:crisis:ask",
    NC_("button", "Ask someone here to check in on me"),
    discord.ButtonStyle.primary,
    ("guild", CODE),
)
OPT_OUT = ButtonSpec(
    "hearth:crisis:optout",
    NC_("button", "Don't send me these again"),
    discord.ButtonStyle.secondary,
)


def english() -> Language:
    """Return English, the language of a card shown to no one in particular."""
    return language(ENGLISH)


def country_name(code: str, name: str, words: Language) -> str:
    """Return a country's name in the reader's language (Babel's), else as in the data."""
    if words.code == ENGLISH:
        return name
    return str(words.babel.territories.get(code) or name)


def sort_key(name: str) -> str:
    """Return a name without accents, so "Égypte" sorts with the E's."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def country_pages(
    countries: Sequence[Country], words: Language | None = None
) -> list[list[Country]]:
    """Split countries, sorted by name as the reader reads it, into at most four selects of 25."""
    words = words or english()
    ordered = sorted(
        countries,
        key=lambda country: sort_key(country_name(country.code, country.name, words)).casefold(),
    )
    pages = min(MAX_COUNTRY_SELECTS, max(1, math.ceil(len(ordered) / OPTIONS_PER_SELECT)))
    size = min(OPTIONS_PER_SELECT, math.ceil(len(ordered) / pages))
    return [ordered[i * size : (i + 1) * size] for i in range(pages) if ordered[i * size :]]


def country_select(
    guild_id: int | None,
    shared: bool,
    page: int,
    countries: Sequence[Country],
    words: Language | None = None,
) -> discord.ui.Select[Any]:
    """Return one select of countries, its placeholder naming the letters it covers."""
    words = words or english()
    names = [country_name(country.code, country.name, words) for country in countries]
    first, last = sort_key(names[0])[:1].upper(), sort_key(names[-1])[:1].upper()
    letters = first if first == last else f"{first}–{last}"
    placeholder = words.context("placeholder", PICK.placeholder)
    return PICK.select(
        guild_id,
        shared,
        page,
        placeholder=f"{placeholder} ({letters})",
        options=[
            discord.SelectOption(label=name[:100], value=country.code)
            for name, country in zip(names, countries, strict=True)
        ],
    )


# ----- the card's text -------------------------------------------------------------------------


def service_lines(service: CardService, words: Language | None = None) -> list[str]:
    """Return how to reach a service, its hours and who it is for; numbers exactly as in the data."""
    _ = words or english()
    lines: list[str] = []
    calls = [contact for contact in service.contacts if contact.kind == "call"]
    if calls:
        numbers = _.listing([code(contact.value) for contact in calls], style="or")
        line = _("📞 Call %(numbers)s", numbers=numbers)
        if calls[0].instructions:
            line += f" · {calls[0].instructions}"
        lines.append(line)
    for contact in service.contacts:
        if contact.kind == "text":
            line = _("💬 Text %(number)s", number=code(contact.value))
            lines.append(line + (f" · {contact.instructions}" if contact.instructions else ""))
        elif contact.kind == "chat":
            lines.append(_("🗨️ Chat: %(link)s", link=contact.value))
        elif contact.kind == "web":
            lines.append(f"🌐 {contact.value}")
        elif contact.kind == "email":
            lines.append(f"✉️ {contact.value}")
    lines.append(f"🕒 {service.hours}" if service.hours_confirmed else _("🕒 Hours not confirmed"))
    if service.audience:
        # Translators: who a helpline is for, as the data says it ("young people under 25").
        lines.append(_("👤 For %(audience)s", audience=service.audience))
    if service.languages:
        spoken = [str(_.babel.languages.get(code) or code) for code in service.languages]
        lines.append(_("🗣️ Languages: %(languages)s", languages=_.listing(spoken)))
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


def _resource_fields(fields: _Fields, resources: Sequence[LocalResource], _: Language) -> None:
    if not resources:
        return
    fields.add(_("In this community"), _("Resources this server's moderators recommend:"))
    for resource in resources:
        fields.add(f"🏠 {resource.name}", f"{resource.reach}\n{resource.description}")


def _footer(words: Language, private_note: bool) -> str:
    return words(ONLY_YOU if private_note else PEERS_NOT_SERVICE)


def card_embed(
    card: CrisisCard,
    resources: Sequence[LocalResource] = (),
    *,
    private_note: bool = True,
    intro: str | None = None,
    words: Language | None = None,
) -> discord.Embed:
    """Render a country's card: warm line, emergency number, verified lines, local, fallback."""
    _ = words or english()
    country = country_name(card.country_code, card.country_name, _)
    description = [
        intro or _(WARM_LINE),
        "",
        _("**If you are in immediate danger, call %(number)s.**", number=code(card.emergency)),
    ]
    if not card.groups:
        description += [
            "",
            _(
                "I don't have a checked helpline for %(country)s yet. "
                "The links at the bottom list helplines around the world.",
                country=country,
            ),
        ]
    embed = discord.Embed(
        title=_("Support in %(country)s", country=country),
        description="\n".join(description),
        colour=WARM,
    )
    footer = _footer(_, private_note)
    fields = _Fields(
        embed, used=len(embed.title or "") + len(embed.description or "") + len(footer)
    )
    fields.reserved.append(
        (
            _("Somewhere else?"),
            _("Helplines in other countries: %(links)s", links=_fallback_text(card.fallback)),
        )
    )
    for group in card.groups:
        if group.is_pair:
            name = " · ".join(service.name for service in group.services)
            value = "\n".join(
                f"**{service.name}**\n" + "\n".join(service_lines(service, _))
                for service in group.services
            )
        else:
            service = group.services[0]
            name, value = service.name, "\n".join(service_lines(service, _))
        fields.add(name, value)
    _resource_fields(fields, resources, _)
    if fields.dropped:
        fields.add(_("More"), _("There are more lines than fit here: see the links below."))
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
    words: Language | None = None,
) -> discord.Embed:
    """Render the card for a member whose country is not known: ask for it, show the links."""
    _ = words or english()
    lines = [intro or _(WARM_LINE), ""]
    if answer.not_found:
        shown = discord.utils.escape_mentions(discord.utils.escape_markdown(answer.not_found))
        lines += [_("I couldn't find “%(country)s” in my list.", country=shown), ""]
    lines += [
        _("**If you are in immediate danger, call your local emergency number.**"),
        "",
        _("Choose your country below and I'll show you helplines you can call, text or chat with."),
    ]
    if truncated:
        lines.append(_("Not in the lists? Type it instead: `/crisis country:<your country>`."))
    embed = discord.Embed(
        title=_("Let's find support near you"), description="\n".join(lines), colour=WARM
    )
    footer = _footer(_, private_note)
    fields = _Fields(
        embed, used=len(embed.title or "") + len(embed.description or "") + len(footer)
    )
    fields.reserved.append((_("Helplines around the world"), _fallback_text(fallback)))
    _resource_fields(fields, answer.resources, _)
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
    """Builds the crisis card for a member, wherever it is shown, in the reader's language."""

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
        words: Language | None = None,
    ) -> CardMessage:
        """Return the card for the member: the country asked for, saved, or the server's."""
        answer = await self.crisis.answer(user_id, guild_id, query=query, code=code)
        return self.render(
            answer, shared=shared, private_note=private_note, intro=intro, words=words
        )

    def render(
        self,
        answer: CrisisAnswer,
        *,
        shared: bool = False,
        private_note: bool = True,
        intro: str | None = None,
        words: Language | None = None,
    ) -> CardMessage:
        """Render an answer: the country's card, or the country picker with the fallback links."""
        words = words or english()
        guild_id = answer.guild_id
        items: list[discord.ui.Item[Any]] = []
        if answer.card is not None:
            embed = card_embed(
                answer.card,
                answer.resources,
                private_note=private_note,
                intro=intro,
                words=words,
            )
            code: str | None = answer.card.country_code
            items.append(CHOOSE.button(guild_id, shared, words=words))
        else:
            countries = self.crisis.directory.countries
            pages = country_pages(countries, words)
            truncated = sum(len(page) for page in pages) < len(countries)
            embed = picker_embed(
                answer,
                self.crisis.directory.fallback,
                private_note=private_note,
                intro=intro,
                truncated=truncated,
                words=words,
            )
            code = None
            for number, page in enumerate(pages):
                items.append(country_select(guild_id, shared, number, page, words))
        if guild_id is not None:
            items.append(ASK.button(guild_id, code, words=words))
        if shared:
            items.append(OPT_OUT.button(words=words))
        return CardMessage(embed, carried(*items))

    def picker(
        self,
        guild_id: int | None,
        *,
        shared: bool,
        private_note: bool = True,
        words: Language | None = None,
    ) -> CardMessage:
        """Return the country picker on its own (for "Choose another country")."""
        answer = CrisisAnswer(None, "none", None, (), guild_id)
        return self.render(answer, shared=shared, private_note=private_note, words=words)
