"""The crisis cog's persistent components: the card's buttons and selects, asking, the alerts.

Every one is built by the factory in `bot.ui.components`, so its custom_id carries its state
and it keeps working after restarts. The card's own components (`CHOOSE`, `PICK`, `ASK`,
`OPT_OUT`) and the moderators' card (`CLAIM`, `BACKUP`, `THREAD`) are described in `bot.ui`,
because other features show them too; the crisis cog registers every handler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.i18n import NC_, Language
from bot.ui.alerts import BACKUP, CLAIM, THREAD
from bot.ui.components import ButtonSpec, carried
from bot.ui.crisis_card import ASK, CHOOSE, CODE, OPT_OUT, PICK

if TYPE_CHECKING:
    from cogs.crisis._cog import CrisisCog

SEND_NAMED = ButtonSpec(
    "hearth:crisis:send:named",
    NC_("button", "Yes, share my name"),
    discord.ButtonStyle.primary,
    ("guild", CODE),
)
SEND_ANONYMOUS = ButtonSpec(
    "hearth:crisis:send:anon",
    NC_("button", "No, stay anonymous"),
    discord.ButtonStyle.secondary,
    ("guild", CODE),
)
NOT_NOW = ButtonSpec(
    "hearth:crisis:askcancel", NC_("button", "Not now"), discord.ButtonStyle.secondary
)


def ask_choices(guild_id: int, code: str | None, words: Language) -> discord.ui.View:
    """Return Share my name / Stay anonymous / Not now, in the member's language."""
    return carried(
        SEND_NAMED.button(guild_id, code, words=words),
        SEND_ANONYMOUS.button(guild_id, code, words=words),
        NOT_NOW.button(words=words),
    )


def persistent_items(cog: CrisisCog) -> tuple[type[discord.ui.DynamicItem[Any]], ...]:
    """Return the component classes to register, each bound to the cog's handler."""
    return (
        CHOOSE.handled_by(cog.show_picker),
        PICK.handled_by(cog.picked),
        ASK.handled_by(cog.offer_ask),
        SEND_NAMED.handled_by(cog.send_named),
        SEND_ANONYMOUS.handled_by(cog.send_anonymous),
        NOT_NOW.handled_by(cog.not_now),
        OPT_OUT.handled_by(cog.opt_out),
        CLAIM.handled_by(cog.claim),
        BACKUP.handled_by(cog.backup),
        THREAD.handled_by(cog.open_thread),
    )
