"""The group agreement: members read and accept it; moderators write, version and follow it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInput
from bot.i18n import N_, language, language_code
from bot.services.agreement import MATERIAL, MINOR, AgreementService, MemberRoles
from bot.services.settings import SettingsService
from bot.ui import defer, guild_of, open_modal, reply_private, require_moderator, update
from cogs.agreement import _render as render
from cogs.agreement._views import (
    AgreementEditor,
    card_view,
    persistent_items,
    quiz_view,
    read_view,
)

log = logging.getLogger(__name__)

QUIET_AFTER = ("agreement", "crisis", "mydata", "privacy")


class AgreementCog(
    commands.GroupCog, group_name="agreement", group_description="The group agreement"
):
    """Reading, accepting and managing the group agreement."""

    quiz = app_commands.Group(
        name="quiz", description="An optional question asked before accepting"
    )

    def __init__(
        self,
        agreement: AgreementService,
        settings: SettingsService,
        roles: MemberRoles,
        ask_again: Callable[[], Coroutine[Any, Any, None]],
    ) -> None:
        self.agreement = agreement
        self.settings = settings
        self.roles = roles
        self._ask_again = ask_again
        self._tasks: set[asyncio.Task[None]] = set()
        self.persistent_items = persistent_items(self)
        super().__init__()

    # ----- showing -------------------------------------------------------------------------

    async def show_agreement(self, interaction: discord.Interaction, guild_id: int) -> None:
        """Show the current agreement privately with Accept and Not now."""
        _ = language(interaction.locale)
        version = await self.agreement.require_current(guild_id)
        accepted = await self.agreement.has_accepted_current(guild_id, interaction.user.id)
        if accepted and not await self._missing_member_role(interaction, guild_id):
            await reply_private(
                interaction,
                _(render.ALREADY_ACCEPTED),
                embed=render.agreement_embed(version, _),
            )
            return
        await reply_private(
            interaction,
            _(render.PLEASE_READ),
            embed=render.agreement_embed(version, _),
            view=card_view(guild_id, version.number, _),
        )

    async def _missing_member_role(self, interaction: discord.Interaction, guild_id: int) -> bool:
        """Say whether the member visibly lacks the member role (so Accept can grant it again)."""
        member = interaction.user
        if not isinstance(member, discord.Member) or member.guild.id != guild_id:
            return False
        role_id = (await self.settings.get_or_default(guild_id)).member_role_id
        return role_id is not None and member.get_role(role_id) is None

    @app_commands.command(name="read", description="Read the group agreement and accept it")
    @app_commands.guild_only()
    async def read(self, interaction: discord.Interaction) -> None:
        """Show the current agreement privately."""
        guild_id = guild_of(interaction).id
        await self.show_agreement(interaction, guild_id)

    async def read_clicked(self, interaction: discord.Interaction, guild_id: int | None) -> None:
        """Show the agreement from a button (in the server, or from a DM naming the server)."""
        guild_id = guild_id or interaction.guild_id
        if guild_id is None:
            await reply_private(interaction, language(interaction.locale)(render.USE_IN_SERVER))
            return
        await self.show_agreement(interaction, guild_id)

    async def not_now(self, interaction: discord.Interaction) -> None:
        """Say kindly that there is no hurry, and change nothing."""
        _ = language(interaction.locale)
        await update(interaction, content=_(render.NOT_NOW), embed=None, view=None)

    # ----- accepting -----------------------------------------------------------------------
    async def start_accept(
        self, interaction: discord.Interaction, guild_id: int, number: int
    ) -> None:
        """Ask the quiz question if there is one, otherwise accept."""
        quiz = await self.agreement.quiz(guild_id)
        if quiz is None:
            await self.finish_accept(interaction, guild_id, number)
            return
        _ = language(interaction.locale)
        asked = _("One quick question before you join in:")
        await update(
            interaction,
            content=f"{asked}\n**{quiz.question}**",
            embed=None,
            view=quiz_view(guild_id, number, quiz.options, _),
        )

    async def answer(
        self, interaction: discord.Interaction, picked: list[str], guild_id: int, number: int
    ) -> None:
        """Check the quiz answer, then accept or gently point back to the agreement."""
        if not picked or not picked[0].isdigit():
            raise InvalidInput(N_("Please choose one of the answers."))
        choice = int(picked[0])
        passed = await self.agreement.answer_quiz(guild_id, interaction.user.id, number, choice)
        if passed:
            await self.finish_accept(interaction, guild_id, number)
            return
        _ = language(interaction.locale)
        await update(interaction, content=_(render.TRY_AGAIN), view=read_view(guild_id, _))

    async def finish_accept(
        self, interaction: discord.Interaction, guild_id: int, number: int
    ) -> None:
        """Record acceptance and grant the member role once."""
        await defer(interaction, thinking=False)
        code = language_code(interaction.locale)
        outcome = await self.agreement.accept(guild_id, interaction.user.id, number, code)
        grant = await self.roles.grant(guild_id, interaction.user.id, outcome)
        _ = language(interaction.locale)
        await update(interaction, content=render.accepted(grant, _), embed=None, view=None)

    # ----- moderators ----------------------------------------------------------------------
    async def require_moderator(self, interaction: discord.Interaction) -> int:
        """Return the guild id if the member may manage the agreement; otherwise explain."""
        return (await require_moderator(interaction, self.settings)).guild_id

    @app_commands.command(
        name="edit", description="Write or change the group agreement (moderators)"
    )
    @app_commands.describe(change="Does this change what members agree to?")
    @app_commands.choices(
        change=[
            app_commands.Choice(name="Minor wording fix (no re-acceptance)", value=MINOR),
            app_commands.Choice(name="Material change (members accept again)", value=MATERIAL),
        ]
    )
    @app_commands.guild_only()
    async def edit(
        self, interaction: discord.Interaction, change: app_commands.Choice[str]
    ) -> None:
        """Open the editor, filled with the current text."""
        guild_id = await self.require_moderator(interaction)
        current = await self.agreement.current(guild_id)
        words = language(interaction.locale)
        await open_modal(interaction, AgreementEditor(self, current, change.value, words))

    async def saved(
        self, interaction: discord.Interaction, title: str, body: str, kind: str
    ) -> None:
        """Save a new version from the editor and say what happens next."""
        guild_id = guild_of(interaction).id
        outcome = await self.agreement.save(
            guild_id=guild_id,
            author_id=interaction.user.id,
            title=title,
            body=body,
            change_kind=kind,
        )
        _ = language(interaction.locale)
        version = outcome.version
        grace = outcome.grace_until
        said = render.saved_text(
            version.number,
            version.change_kind,
            outcome.members_to_ask if outcome.needs_reacceptance else None,
            int(grace.timestamp()) if grace else None,
            _,
        )
        if outcome.needs_reacceptance:
            self._spawn(self._ask_again())
        await reply_private(interaction, said, embed=render.agreement_embed(version, _))

    @app_commands.command(name="status", description="Acceptances per version (moderators)")
    @app_commands.guild_only()
    async def status(self, interaction: discord.Interaction) -> None:
        """Show acceptance counts privately."""
        guild_id = await self.require_moderator(interaction)
        _ = language(interaction.locale)
        status = await self.agreement.status(guild_id)
        if status.current is None:
            await reply_private(interaction, _(render.NO_AGREEMENT))
            return
        await reply_private(interaction, render.status_text(status, _))

    @app_commands.command(
        name="history", description="Every version with its author and date (moderators)"
    )
    @app_commands.guild_only()
    async def history(self, interaction: discord.Interaction) -> None:
        """List versions privately."""
        guild_id = await self.require_moderator(interaction)
        _ = language(interaction.locale)
        versions = await self.agreement.history(guild_id)
        if not versions:
            await reply_private(interaction, _(render.NO_AGREEMENT))
            return
        await reply_private(interaction, render.history_text(versions, _))

    @quiz.command(name="set", description="Ask a question before members accept (moderators)")
    @app_commands.describe(correct="The number of the right answer (1, 2, 3 or 4)")
    async def quiz_set(
        self,
        interaction: discord.Interaction,
        question: str,
        answer1: str,
        answer2: str,
        correct: app_commands.Range[int, 1, 4],
        answer3: str | None = None,
        answer4: str | None = None,
    ) -> None:
        """Set the comprehension question."""
        guild_id = await self.require_moderator(interaction)
        answers = [a for a in (answer1, answer2, answer3, answer4) if a]
        quiz = await self.agreement.set_quiz(
            guild_id, interaction.user.id, question, answers, correct
        )
        _ = language(interaction.locale)
        await reply_private(
            interaction,
            _(
                "Saved. Members will be asked **%(question)s** before accepting; "
                "only whether they got it right is kept.",
                question=quiz.question,
            ),
        )

    @quiz.command(name="clear", description="Stop asking the question (moderators)")
    async def quiz_clear(self, interaction: discord.Interaction) -> None:
        """Remove the comprehension question."""
        guild_id = await self.require_moderator(interaction)
        removed = await self.agreement.clear_quiz(guild_id, interaction.user.id)
        _ = language(interaction.locale)
        await reply_private(
            interaction, _("Removed the question.") if removed else _("There was no question set.")
        )

    # ----- re-acceptance -------------------------------------------------------------------
    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @commands.Cog.listener()
    async def on_app_command_completion(
        self, interaction: discord.Interaction, command: app_commands.Command[Any, ..., Any]
    ) -> None:
        """Tell a member once, privately, about a change they could not be messaged about."""
        # Never add a notice to the agreement itself, nor to someone looking for crisis help.
        if interaction.guild_id is None or command.qualified_name.startswith(QUIET_AFTER):
            return
        ask = await self.agreement.claim_in_app_notice(interaction.guild_id, interaction.user.id)
        if ask is None:
            return
        _ = language(interaction.locale)
        name = interaction.guild.name if interaction.guild else _("this server")
        await reply_private(
            interaction, embed=render.ask_embed(ask, name, _), view=read_view(ask.guild_id, _)
        )
