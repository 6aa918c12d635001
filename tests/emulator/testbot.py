"""A tiny discord.py bot used to exercise the emulator with the real library."""

# ruff: noqa: ASYNC109  (the driver API takes timeout= by contract, see SPEC.md)

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections.abc import AsyncIterator
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from emulator import Emulator
from emulator.client import pointed_at

log = logging.getLogger(__name__)


class AckView(discord.ui.View):
    """A persistent view: stable custom_ids survive restarts."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Acknowledge", custom_id="test:ack", style=discord.ButtonStyle.primary)
    async def ack(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        """Replace the panel's text."""
        await interaction.response.edit_message(content="acknowledged", view=None)

    @discord.ui.button(label="Write a note", custom_id="test:write")
    async def write(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        """Open the note modal."""
        await interaction.response.send_modal(NoteModal())


class NoteModal(discord.ui.Modal, title="Leave a note"):
    """A modal with one text input."""

    note: discord.ui.TextInput = discord.ui.TextInput(
        label="Note", custom_id="note", max_length=200
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Echo the note back privately."""
        await interaction.response.send_message(f"noted: {self.note.value}", ephemeral=True)


class LabelledModal(discord.ui.Modal, title="Check in"):
    """A modal using the newer label layout with a select inside."""

    mood: discord.ui.Label = discord.ui.Label(
        text="Mood",
        component=discord.ui.Select(
            custom_id="mood",
            options=[
                discord.SelectOption(label="ok", value="ok"),
                discord.SelectOption(label="low", value="low"),
            ],
        ),
    )
    words: discord.ui.Label = discord.ui.Label(
        text="Anything else?", component=discord.ui.TextInput(custom_id="words", required=False)
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Report what was chosen."""
        select = self.mood.component
        text = self.words.component
        assert isinstance(select, discord.ui.Select)
        assert isinstance(text, discord.ui.TextInput)
        await interaction.response.send_message(
            f"mood={select.values[0]} words={text.value!r}", ephemeral=True
        )


class MoodView(discord.ui.View):
    """A short-lived view sent ephemerally, matched by message id."""

    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.select(
        custom_id="mood-select",
        options=[
            discord.SelectOption(label="calm", value="calm"),
            discord.SelectOption(label="tense", value="tense"),
        ],
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        """Show the choice in the same ephemeral message."""
        await interaction.response.edit_message(content=f"picked {select.values[0]}")

    @discord.ui.button(label="Done", custom_id="mood-done")
    async def done(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        """Acknowledge without a visible change, then edit the message."""
        await interaction.response.defer()
        await interaction.edit_original_response(content="closed", view=None)


class PairView(discord.ui.View):
    """A user select, resolved through data.resolved."""

    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.select(cls=discord.ui.UserSelect, custom_id="pair-with")
    async def pick(self, interaction: discord.Interaction, select: discord.ui.UserSelect) -> None:
        """Name the chosen peer."""
        peer = select.values[0]
        await interaction.response.send_message(
            f"paired with {peer.name} ({type(peer).__name__})", ephemeral=True
        )


setup_group = app_commands.Group(name="setup", description="Configure the bot")


@setup_group.command(name="role", description="Pick the member role")
@app_commands.describe(member="Who", role="Which role", level="How much")
async def setup_role(
    interaction: discord.Interaction,
    member: discord.Member,
    role: discord.Role,
    level: app_commands.Range[int, 1, 5],
    tone: Literal["warm", "plain"] = "warm",
    notify: bool = False,
) -> None:
    """Answer with the typed options, ephemerally."""
    await interaction.response.send_message(
        f"{member.name}|{role.name}|{level}|{tone}|{notify}|{type(member).__name__}", ephemeral=True
    )


class ProbeBot(commands.Bot):
    """The bot: guild commands for one guild, plus a persistent view."""

    def __init__(self, guild_id: int, *, intents: discord.Intents | None = None) -> None:
        super().__init__(
            command_prefix="!",
            intents=intents or discord.Intents.default(),
            guild_ready_timeout=0.05,
        )
        self.guild_id = guild_id
        self.ready_event = asyncio.Event()
        self.channel_updates: list[discord.abc.GuildChannel] = []
        # /hold's autocomplete answers with each list in turn until one is accepted, and keeps
        # what Discord said to each (None = accepted), so a test can offer choices of any size.
        self.autocomplete_script: list[list[app_commands.Choice[str]]] = []
        self.autocomplete_outcomes: list[discord.HTTPException | None] = []
        # Set once the script has run (the emulator has the answer before the bot reads the reply).
        self.autocomplete_done = asyncio.Event()

    async def setup_hook(self) -> None:  # noqa: C901 (one place registers every test command; each nested handler counts)
        """Register commands and views, then sync to the test guild."""
        self.add_view(AckView())
        guild = discord.Object(self.guild_id)
        tree = self.tree
        tree.add_command(setup_group, guild=guild)

        @tree.command(name="ping", description="No-op", guild=guild)
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong", ephemeral=True)

        @tree.command(name="panel", description="Post the panel", guild=guild)
        async def panel(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("panel", view=AckView())

        @tree.command(name="checkin", description="Open the check-in modal", guild=guild)
        async def checkin(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(LabelledModal())

        @tree.command(name="slow", description="Answers too late", guild=guild)
        async def slow(interaction: discord.Interaction) -> None:
            await asyncio.sleep(0.3)
            with contextlib.suppress(discord.NotFound):
                await interaction.response.send_message("late")

        @tree.command(name="file", description="Sends a file", guild=guild)
        async def file(interaction: discord.Interaction) -> None:
            data = discord.File(io.BytesIO(b"hello bytes"), filename="note.txt")
            await interaction.response.send_message("here", file=data, ephemeral=True)

        @tree.command(name="later", description="Defers then follows up", guild=guild)
        async def later(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.followup.send("done later")
            await interaction.followup.send("and a second one", ephemeral=True)

        async def country_complete(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            names = ["India", "Indonesia", "Ireland", "Iceland"]
            return [
                app_commands.Choice(name=n, value=n.lower())
                for n in names
                if current.lower() in n.lower()
            ]

        @tree.command(name="crisis", description="Find a helpline", guild=guild)
        @app_commands.autocomplete(country=country_complete)
        async def crisis(interaction: discord.Interaction, country: str) -> None:
            await interaction.response.send_message(f"helpline for {country}", ephemeral=True)

        async def scripted_choices(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            for choices in self.autocomplete_script:
                try:
                    await interaction.response.autocomplete(choices)
                except discord.HTTPException as refused:
                    self.autocomplete_outcomes.append(refused)
                else:
                    self.autocomplete_outcomes.append(None)
                    break
            self.autocomplete_script = []
            self.autocomplete_done.set()
            return []

        @tree.command(name="hold", description="Leaves the answer to the test", guild=guild)
        @app_commands.autocomplete(text=scripted_choices)
        async def hold(interaction: discord.Interaction, text: str = "") -> None:
            """Answer nothing: the test answers over raw REST."""

        @tree.context_menu(name="Report message", guild=guild)
        async def report(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.send_message(
                f"reported {message.id} by {message.author.id}: {message.content}", ephemeral=True
            )

        @tree.command(name="mood", description="Pick a mood privately", guild=guild)
        async def mood(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("how are you?", view=MoodView(), ephemeral=True)

        @tree.command(name="pair", description="Choose a peer", guild=guild)
        async def pair(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("who?", view=PairView(), ephemeral=True)

        @tree.command(name="anon", description="Post anonymously", guild=guild)
        async def anon(interaction: discord.Interaction, text: str) -> None:
            channel = interaction.channel
            assert isinstance(channel, discord.TextChannel)
            hook = await channel.create_webhook(name="Anonymous")
            await hook.send(
                text, username="A peer", allowed_mentions=discord.AllowedMentions.none()
            )
            await interaction.response.send_message("posted", ephemeral=True)

        @tree.command(name="hello", description="Works in DMs too")
        async def hello(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(f"hello {interaction.user.name}")

        await tree.sync(guild=guild)
        await tree.sync()

    async def on_ready(self) -> None:
        """Signal readiness to the test."""
        self.ready_event.set()

    async def on_guild_channel_update(
        self, before: discord.abc.GuildChannel, after: discord.abc.GuildChannel
    ) -> None:
        """Record channel updates seen through the gateway."""
        self.channel_updates.append(after)


class ErrorCollector(logging.Handler):
    """Collect ERROR records from discord.py (an exception in a callback is only logged)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record."""
        self.records.append(record)


@contextlib.asynccontextmanager
async def running(emu: Emulator, bot: ProbeBot, timeout: float = 5.0) -> AsyncIterator[ProbeBot]:
    """Point discord.py at the emulator, start the bot, wait for on_ready, then close it."""
    collector = ErrorCollector()
    discord_log = logging.getLogger("discord")
    with pointed_at(emu.rest_base, emu.gateway_url):
        discord_log.addHandler(collector)
        task = asyncio.create_task(bot.start(emu.token))
        try:
            ready = asyncio.create_task(bot.ready_event.wait())
            done, _ = await asyncio.wait(
                {ready, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if ready not in done:
                ready.cancel()
                if task in done:
                    task.result()
                raise TimeoutError("bot never became ready")
            yield bot
        finally:
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 5)
            discord_log.removeHandler(collector)
    errors = [r.getMessage() for r in collector.records]
    assert not errors, f"discord.py logged errors: {errors}"
