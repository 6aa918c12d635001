"""The check-in forms and persistent buttons (their state lives in the custom_id).

Forms and buttons are built in the reader's words: the member's for what only they see, the
server's for the buttons on a moderators' card.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.checkins import MOODS
from bot.errors import InvalidInput
from bot.i18n import N_, NC_, Language
from bot.services.checkins import Opening
from bot.ui import HearthModal
from bot.ui.components import ButtonSpec
from cogs.checkins import _render as render

if TYPE_CHECKING:
    from cogs.checkins._cog import CheckinsCog
    from cogs.checkins._moderation import CheckinModerators

_GREY, _PRIMARY, _DANGER = (
    discord.ButtonStyle.secondary,
    discord.ButtonStyle.primary,
    discord.ButtonStyle.danger,
)
UNDO = ButtonSpec("hearth:checkin:undo", NC_("button", "Undo"), _GREY, ("guild", "id"))
KEEP = ButtonSpec(
    "hearth:checkin:keep", NC_("button", "Keep my history"), _PRIMARY, ("guild", "on")
)
OPEN = ButtonSpec("hearth:checkin:open", NC_("button", "Check in"), _PRIMARY, ("guild",))
REMIND_OFF = ButtonSpec(
    "hearth:checkin:remind_off", NC_("button", "Stop these reminders"), _GREY, ("guild",)
)
REMOVE = ButtonSpec(
    "hearth:checkin:remove", NC_("button", "Remove check-in"), _DANGER, ("guild", "id")
)
PAUSE = ButtonSpec("hearth:checkin:pause", NC_("button", "Pause author"), _GREY, ("guild", "id"))
REVEAL = ButtonSpec("hearth:checkin:reveal", NC_("button", "Ask to reveal"), _GREY, ("guild", "id"))
APPROVE = ButtonSpec(
    "hearth:checkin:approve", NC_("button", "Approve reveal"), _DANGER, ("guild", "id")
)
DECLINE = ButtonSpec("hearth:checkin:decline", NC_("button", "Decline"), _GREY, ("guild", "id"))
STOP_KEEPING = NC_("button", "Stop and erase my history")


def keep_button(guild_id: int, keep: bool, _: Language) -> discord.ui.Button[Any]:
    """Return the button that starts keeping history (keep) or stops and erases it."""
    if keep:
        return KEEP.button(guild_id, 1, words=_)
    return KEEP.button(guild_id, 0, label=_.context("button", STOP_KEEPING))


def persistent_items(
    cog: CheckinsCog, moderators: CheckinModerators
) -> list[type[discord.ui.DynamicItem[discord.ui.Button[Any]]]]:
    """Return the handlers of every persistent check-in button, to register at start-up."""
    return [
        UNDO.handled_by(cog.undo),
        KEEP.handled_by(cog.keep_history),
        OPEN.handled_by(cog.open_form),
        REMIND_OFF.handled_by(cog.stop_reminders),
        REMOVE.handled_by(moderators.ask_to_remove),
        PAUSE.handled_by(moderators.ask_to_pause),
        REVEAL.handled_by(moderators.ask_to_reveal),
        APPROVE.handled_by(moderators.approve_reveal),
        DECLINE.handled_by(moderators.decline_reveal),
    ]


def modal_id(kind: str) -> str:
    """Return a fresh custom id for a form: discord.py tracks open forms by custom id alone,
    so two members filling in the same form at once must not share one (nor carry who they are).
    """
    return f"hearth:checkin:{kind}:{secrets.token_hex(8)}"


class CheckinForm(HearthModal):
    """The check-in form: mood, an optional note, and whether someone should reach out."""

    def __init__(self, cog: CheckinsCog, guild_id: int, opening: Opening, _: Language) -> None:
        super().__init__(
            title=_.context("form title", "Check in"),
            timeout=20 * 60,
            custom_id=modal_id("form"),
        )
        self.cog, self.guild_id = cog, guild_id
        self.mood: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="mood",
            placeholder=_.context("placeholder", "Choose one"),
            options=[
                discord.SelectOption(
                    label=render.mood_word(m.value, _), value=str(m.value), emoji=m.emoji
                )
                for m in MOODS
            ],
        )
        self.note: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="note",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=1000,
            placeholder=_.context(
                "placeholder", "A few words, if you like. Your name isn't shown."
            ),
        )
        self.reach: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="reach",
            required=False,
            min_values=0,
            options=[
                discord.SelectOption(label=_.context("select option", "No, thank you"), value="no"),
                discord.SelectOption(
                    label=_.context("select option", "Yes, please reach out to me"), value="yes"
                ),
            ],
        )
        self.add_item(
            discord.ui.Label(
                text=_.context("field label", "How are you doing?"), component=self.mood
            )
        )
        self.add_item(
            discord.ui.Label(
                text=_.context("field label", "A few words (optional)"), component=self.note
            )
        )
        self.add_item(
            discord.ui.Label(
                text=_.context("field label", "Would you like someone to reach out?"),
                description=_.context(
                    "field description", "If yes, the moderators get your name, not this check-in."
                ),
                component=self.reach,
            )
        )
        self.add_item(
            discord.ui.TextDisplay(
                _(
                    "Posted under a pseudonym after a short random delay. **Reveal is on "
                    "here**: for a short time, two moderators together could find out who wrote "
                    "it, for someone's safety (you would be told)."
                )
                if opening.reveal_enabled
                else _(
                    "Posted under a pseudonym after a short random delay. **Reveal is off "
                    "here**: nobody, moderators included, can find out who wrote it."
                )
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Queue the check-in."""
        values = self.mood.values
        if not values or not values[0].isdigit():
            raise InvalidInput(N_("Please choose how you're doing."))
        await self.cog.submitted(
            interaction,
            self.guild_id,
            int(values[0]),
            self.note.value or None,
            self.reach.values == ["yes"],
        )


class ReportForm(HearthModal):
    """A member's report: an optional reason; who reports is not kept."""

    def __init__(
        self, moderators: CheckinModerators, guild_id: int, message_id: int, _: Language
    ) -> None:
        super().__init__(
            title=_.context("form title", "Report a check-in"),
            timeout=10 * 60,
            custom_id=modal_id("report"),
        )
        self.moderators, self.guild_id, self.message_id = moderators, guild_id, message_id
        self.reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="reason",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=300,
        )
        self.add_item(
            discord.ui.Label(
                text=_.context("field label", "What worries you? (optional)"),
                component=self.reason,
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Pass the report on."""
        await self.moderators.reported(
            interaction, self.guild_id, self.message_id, self.reason.value
        )


REASON_TITLES = {
    "remove": NC_("form title", "Remove this check-in"),
    "pause": NC_("form title", "Pause its author"),
    "reveal": NC_("form title", "Ask to reveal"),
}


class ReasonForm(HearthModal):
    """A moderator's reason (and, to pause, how many days)."""

    def __init__(
        self,
        moderators: CheckinModerators,
        action: str,
        guild_id: int,
        target_id: int,
        _: Language,
        *,
        ask_days: bool = False,
    ) -> None:
        super().__init__(
            title=_.context("form title", REASON_TITLES[action]),
            timeout=10 * 60,
            custom_id=modal_id(action),
        )
        self.moderators, self.action = moderators, action
        self.guild_id, self.target_id = guild_id, target_id
        self.days: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="days", default="3", max_length=1
        )
        if ask_days:
            self.add_item(
                discord.ui.Label(
                    text=_.context("field label", "For how many days? (1 to 7)"),
                    component=self.days,
                )
            )
        self.reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="reason",
            style=discord.TextStyle.paragraph,
            required=action == "reveal",
            max_length=300,
        )
        self.add_item(
            discord.ui.Label(
                text=_.context("field label", "Reason (the author is told; it is logged)"),
                component=self.reason,
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Carry out the moderator's action."""
        moderators, guild_id, target_id = self.moderators, self.guild_id, self.target_id
        await moderators.require_moderator(interaction)
        if self.action == "remove":
            await moderators.remove(interaction, guild_id, target_id, self.reason.value)
        elif self.action == "pause":
            if not (self.days.value.isascii() and self.days.value.isdigit()):
                raise InvalidInput(N_("Please give the number of days, 1 to 7."))
            days = int(self.days.value)
            await moderators.pause(interaction, guild_id, target_id, days, self.reason.value)
        else:
            await moderators.request_reveal(interaction, guild_id, target_id, self.reason.value)
