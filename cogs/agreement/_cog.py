"""The group agreement: members read and accept it; moderators write, version and follow it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HearthBot
from bot.errors import InvalidInput
from bot.services.agreement import (
    MATERIAL,
    MINOR,
    AgreementService,
    AgreementText,
    ReacceptanceAsk,
)
from bot.services.settings import SettingsService
from bot.ui import (
    NO_MENTIONS,
    WARM,
    HearthModal,
    guarded,
    guild_of,
    open_modal,
    persistent_button,
    reply_private,
    require_moderator,
    send,
    update,
)

log = logging.getLogger(__name__)

REACCEPT_JOB = "agreement.reaccept"
GRACE_JOB = "agreement.grace"
QUIET_AFTER = ("agreement", "crisis", "mydata", "privacy")
KIND_LABELS = {"initial": "first version", MINOR: "minor wording fix", MATERIAL: "material change"}


def agreement_embed(version: AgreementText) -> discord.Embed:
    """Render one version of the agreement."""
    embed = discord.Embed(title=version.title, description=version.rendered, colour=WARM)
    embed.set_footer(text=f"Version {version.number}")
    embed.timestamp = version.created_at
    return embed


def ask_embed(ask: ReacceptanceAsk, guild_name: str) -> discord.Embed:
    """Render a re-acceptance request with what changed."""
    deadline = (
        f"\n\nYour member role stays until <t:{int(ask.grace_until.timestamp())}:D>; "
        "accepting before then keeps everything as it is."
        if ask.grace_until
        else ""
    )
    embed = discord.Embed(
        title=f"The group agreement in {guild_name} has changed",
        description=(
            "The moderators made a change that matters, so everyone is asked to read it again."
            f"\n\n**What changed**\n```diff\n{ask.diff[:3000]}\n```{deadline}"
        ),
        colour=WARM,
    )
    return embed


class AgreementCog(
    commands.GroupCog, group_name="agreement", group_description="The group agreement"
):
    """Reading, accepting and managing the group agreement."""

    quiz = app_commands.Group(
        name="quiz", description="An optional question asked before accepting"
    )

    def __init__(
        self, bot: HearthBot, agreement: AgreementService, settings: SettingsService
    ) -> None:
        self.bot = bot
        self.agreement = agreement
        self.settings = settings
        self._tasks: set[asyncio.Task[None]] = set()
        self.read_button, self.accept_button, self.not_now_button, self.quiz_select = _make_items(
            self
        )
        super().__init__()

    @property
    def persistent_items(self) -> tuple[type[discord.ui.DynamicItem[Any]], ...]:
        """Return the component classes to register with the bot."""
        return self.read_button, self.accept_button, self.not_now_button, self.quiz_select

    # ----- showing -------------------------------------------------------------------------
    def card_view(self, guild_id: int, number: int) -> discord.ui.View:
        """Return Accept / Not now buttons for one version."""
        view = discord.ui.View(timeout=None)
        view.add_item(self.accept_button(guild_id, number))
        view.add_item(self.not_now_button())
        return view

    async def show_agreement(self, interaction: discord.Interaction, guild_id: int) -> None:
        """Show the current agreement privately with Accept and Not now."""
        version = await self.agreement.require_current(guild_id)
        accepted = await self.agreement.has_accepted_current(guild_id, interaction.user.id)
        if accepted and not await self._missing_member_role(interaction, guild_id):
            await reply_private(
                interaction,
                "You've already accepted this version. Here it is again, for reference.",
                embed=agreement_embed(version),
            )
            return
        await reply_private(
            interaction,
            "Please read our group agreement. When you're ready, press **Accept**.",
            embed=agreement_embed(version),
            view=self.card_view(guild_id, version.number),
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
            await reply_private(interaction, "Please use `/agreement read` inside the server.")
            return
        await self.show_agreement(interaction, guild_id)

    async def not_now(self, interaction: discord.Interaction) -> None:
        """Say kindly that there is no hurry, and change nothing."""
        await update(
            interaction,
            content=(
                "That's okay — take your time. Nothing has changed, and you can come "
                "back to it whenever you're ready with `/agreement read`."
            ),
            embed=None,
            view=None,
        )

    # ----- accepting -----------------------------------------------------------------------
    async def start_accept(
        self, interaction: discord.Interaction, guild_id: int, number: int
    ) -> None:
        """Ask the quiz question if there is one, otherwise accept."""
        quiz = await self.agreement.quiz(guild_id)
        if quiz is None:
            await self.finish_accept(interaction, guild_id, number)
            return
        view = discord.ui.View(timeout=None)
        view.add_item(self.quiz_select(guild_id, number, quiz.options))
        await update(
            interaction,
            content=f"One quick question before you join in:\n**{quiz.question}**",
            embed=None,
            view=view,
        )

    async def answer(
        self, interaction: discord.Interaction, guild_id: int, number: int, choice: int
    ) -> None:
        """Check the quiz answer, then accept or gently point back to the agreement."""
        passed = await self.agreement.answer_quiz(guild_id, interaction.user.id, number, choice)
        if passed:
            await self.finish_accept(interaction, guild_id, number)
            return
        view = discord.ui.View(timeout=None)
        view.add_item(self.read_button(guild_id))
        await update(
            interaction,
            content=(
                "Not quite — that's okay. Have another look at the agreement and try again "
                "whenever you like."
            ),
            view=view,
        )

    async def finish_accept(
        self, interaction: discord.Interaction, guild_id: int, number: int
    ) -> None:
        """Record acceptance and grant the member role once."""
        await interaction.response.defer()
        outcome = await self.agreement.accept(guild_id, interaction.user.id, number)
        note = ""
        if outcome.grant_role and outcome.member_role_id is not None:
            try:
                await self.bot.http.add_role(
                    guild_id,
                    interaction.user.id,
                    outcome.member_role_id,
                    reason="Accepted the group agreement",
                )
            except discord.HTTPException:
                await self.agreement.grant_failed(guild_id, interaction.user.id)
                log.warning("Could not grant the member role in guild %s", guild_id)
                note = (
                    "\n\nYour acceptance is saved, but I couldn't give you the member role. "
                    "A moderator can fix this with `/setup show`; press Accept again after that."
                )
        elif outcome.member_role_id is None:
            note = "\n\n(This server hasn't chosen a member role yet, so nothing else changes for now.)"
        await update(
            interaction,
            content=f"Thank you for accepting the group agreement. Welcome in. 💛{note}",
            embed=None,
            view=None,
        )

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
        await open_modal(interaction, AgreementEditor(self, current, change.value))

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
        version = outcome.version
        lines = [f"Saved version {version.number} ({KIND_LABELS[version.change_kind]})."]
        if outcome.needs_reacceptance:
            lines.append(
                f"{outcome.members_to_ask} member(s) who accepted an earlier version will be asked "
                "privately to read it again."
            )
            if outcome.grace_until:
                lines.append(
                    f"Their member role stays until <t:{int(outcome.grace_until.timestamp())}:D>."
                )
            self._spawn(self.bot.scheduler.run_now(REACCEPT_JOB))
        await reply_private(interaction, " ".join(lines), embed=agreement_embed(version))

    @app_commands.command(name="status", description="Acceptances per version (moderators)")
    @app_commands.guild_only()
    async def status(self, interaction: discord.Interaction) -> None:
        """Show acceptance counts privately."""
        guild_id = await self.require_moderator(interaction)
        status = await self.agreement.status(guild_id)
        if status.current is None:
            await reply_private(
                interaction, "There is no agreement yet. Write one with `/agreement edit`."
            )
            return
        lines = [
            f"**Current version**: {status.current} · members need version {status.required} or later",
            f"**Up to date**: {status.up_to_date} · **Pending re-acceptance**: {status.pending}",
        ]
        if status.grace_until:
            lines.append(f"**Grace period ends**: <t:{int(status.grace_until.timestamp())}:f>")
        if status.roles_removed:
            lines.append(
                f"**Member role taken back (not yet re-accepted)**: {status.roles_removed}"
            )
        lines.append("")
        lines += [
            f"Version {v.number} ({KIND_LABELS[v.change_kind]}): {v.accepted} accepted"
            for v in status.per_version
        ]
        await reply_private(interaction, "\n".join(lines))

    @app_commands.command(
        name="history", description="Every version with its author and date (moderators)"
    )
    @app_commands.guild_only()
    async def history(self, interaction: discord.Interaction) -> None:
        """List versions privately."""
        guild_id = await self.require_moderator(interaction)
        versions = await self.agreement.history(guild_id)
        if not versions:
            await reply_private(
                interaction, "There is no agreement yet. Write one with `/agreement edit`."
            )
            return
        lines = [
            f"**Version {v.number}** · {KIND_LABELS[v.change_kind]} · "
            f"{f'<@{v.author_id}>' if v.author_id else 'a former moderator'} · "
            f"<t:{int(v.created_at.timestamp())}:f>"
            for v in versions[:25]
        ]
        await reply_private(interaction, "\n".join(lines))

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
        await reply_private(
            interaction,
            f"Saved. Members will be asked **{quiz.question}** before accepting; "
            "only whether they got it right is kept.",
        )

    @quiz.command(name="clear", description="Stop asking the question (moderators)")
    async def quiz_clear(self, interaction: discord.Interaction) -> None:
        """Remove the comprehension question."""
        guild_id = await self.require_moderator(interaction)
        removed = await self.agreement.clear_quiz(guild_id, interaction.user.id)
        await reply_private(
            interaction, "Removed the question." if removed else "There was no question set."
        )

    # ----- re-acceptance -------------------------------------------------------------------
    def _spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def ask_again(self) -> None:
        """Privately ask members to re-accept after a material change (each once per version)."""
        while asks := await self.agreement.claim_reacceptance_asks(limit=50):
            for ask in asks:
                delivered = await self._send_ask(ask)
                await self.agreement.record_ask_delivery(ask.guild_id, ask.user_id, delivered)
                if self.bot.settings.dm_interval_seconds:
                    await asyncio.sleep(self.bot.settings.dm_interval_seconds)

    async def _send_ask(self, ask: ReacceptanceAsk) -> bool:
        guild = self.bot.get_guild(ask.guild_id)
        name = guild.name if guild else "your community"
        view = discord.ui.View(timeout=None)
        view.add_item(self.read_button(ask.guild_id))
        try:
            channel = await self.bot.create_dm(discord.Object(id=ask.user_id))
            await send(channel, embed=ask_embed(ask, name), view=view, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            return False
        return True

    async def take_back_roles(self) -> None:
        """Remove the member role where the grace period ended without re-acceptance."""
        for removal in await self.agreement.claim_role_removals():
            try:
                await self.bot.http.remove_role(
                    removal.guild_id,
                    removal.user_id,
                    removal.role_id,
                    reason="Grace period ended before the new agreement was accepted",
                )
            except discord.HTTPException:
                log.warning("Could not take back a member role in guild %s", removal.guild_id)

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
        view = discord.ui.View(timeout=None)
        view.add_item(self.read_button(ask.guild_id))
        name = interaction.guild.name if interaction.guild else "this server"
        await reply_private(interaction, embed=ask_embed(ask, name), view=view)


class AgreementEditor(HearthModal, title="Group agreement"):
    """The moderators' editor: a title and one point per line."""

    def __init__(self, cog: AgreementCog, current: AgreementText | None, kind: str) -> None:
        # No fixed custom_id: discord.py keys open modals by it, so two moderators editing at
        # once would otherwise take each other's editor.
        super().__init__(timeout=30 * 60)
        self.cog, self.kind = cog, kind
        self.heading = discord.ui.TextInput(
            max_length=100,
            default=current.title if current else "Our group agreement",
            custom_id="title",
        )
        self.body = discord.ui.TextInput(
            style=discord.TextStyle.paragraph,
            max_length=4000,
            default="\n".join(current.points) if current else None,
            placeholder="We listen without judging.\nWhat is shared here stays here.",
            custom_id="points",
        )
        self.add_item(discord.ui.Label(text="Title", component=self.heading))
        self.add_item(
            discord.ui.Label(text="Points (one per line; markdown is fine)", component=self.body)
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Save the new version."""
        await self.cog.saved(interaction, self.heading.value, self.body.value, self.kind)


def _make_items(cog: AgreementCog) -> tuple[type[discord.ui.DynamicItem[Any]], ...]:
    """Build the persistent components, bound to the loaded cog."""
    read = persistent_button(
        "hearth:agreement:read",
        label="Read the agreement",
        style=discord.ButtonStyle.primary,
        on_click=cog.read_clicked,
        fields=("guild",),
        optional=("guild",),
    )
    accept = persistent_button(
        "hearth:agreement:accept",
        label="Accept",
        style=discord.ButtonStyle.success,
        on_click=cog.start_accept,
        fields=("guild", "number"),
    )
    not_now = persistent_button(
        "hearth:agreement:notnow",
        label="Not now",
        style=discord.ButtonStyle.secondary,
        on_click=cog.not_now,
    )

    class Quiz(
        discord.ui.DynamicItem[discord.ui.Select],
        template=r"hearth:agreement:quiz:(?P<guild>\d+):(?P<number>\d+)",
    ):
        def __init__(self, guild_id: int, number: int, options: tuple[str, ...] = ()) -> None:
            select: discord.ui.Select = discord.ui.Select(
                custom_id=f"hearth:agreement:quiz:{guild_id}:{number}",
                placeholder="Choose an answer",
                options=[
                    discord.SelectOption(label=o[:100], value=str(i)) for i, o in enumerate(options)
                ]
                or [discord.SelectOption(label="-", value="0")],
            )
            super().__init__(select)
            self.guild_id, self.number = guild_id, number

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Select, match: Any
        ) -> Quiz:
            made = cls(int(match["guild"]), int(match["number"]))
            made.item.options = item.options
            return made

        async def callback(self, interaction: discord.Interaction) -> None:
            await guarded(interaction, self._answer(interaction))

        async def _answer(self, interaction: discord.Interaction) -> None:
            values = self.item.values
            if not values or not values[0].isdigit():
                raise InvalidInput("Please choose one of the answers.")
            await cog.answer(interaction, self.guild_id, self.number, int(values[0]))

    return read, accept, not_now, Quiz


async def setup(bot: HearthBot) -> None:
    """Load the agreement cog, its persistent buttons and its jobs."""
    cog = AgreementCog(bot, bot.services.agreement, bot.services.settings)
    bot.add_dynamic_items(*cog.persistent_items)
    bot.scheduler.every(REACCEPT_JOB, 60, cog.ask_again)
    bot.scheduler.every(GRACE_JOB, 300, cog.take_back_roles)
    await bot.add_cog(cog)
