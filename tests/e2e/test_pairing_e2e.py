"""Peer pairing, end to end through the emulator: join, rounds, private threads, safety."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app import Hearth
from bot.clock import FakeClock
from bot.services.pairing import FOLLOWUP_JOB, ROUNDS_JOB, thread_name
from emulator import Emulator
from tests.e2e.conftest import BOT_PERMISSIONS, Community, StartHearth
from tests.e2e.test_crisis_e2e import make_alerts_private

EPHEMERAL = 64
PRIVATE_THREAD = 12
MANAGE_THREADS = 1 << 34
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # a Monday; London is on UTC in winter
FIRST_SLOT = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    """Start on a Monday at noon, before the first 18:00 round."""
    return FakeClock(NOW)


class Pairing:
    """A configured server with a pairing channel and some members who accepted the agreement."""

    def __init__(self, emu: Emulator, c: Community, hearth: Hearth) -> None:
        self.emu, self.c, self.hearth = emu, c, hearth
        self.channel = emu.create_channel(c.guild.id, "pairing")
        self.members: dict[str, int] = {"alice": c.alice.id, "bob": c.bob.id}

    async def add(self, *names: str) -> None:
        """Add members to the server and let them accept the agreement."""
        for name in names:
            if name not in self.members:
                user = self.emu.create_user(name)
                self.emu.add_member(self.c.guild.id, user.id)
                self.members[name] = user.id
            await self.hearth.services.agreement.accept(self.c.guild.id, self.members[name], 1)

    async def settings(self, **options: Any) -> dict:
        """Change pairing settings as the moderator; return the private answer."""
        h = await self.emu.slash(
            self.c.moderator.id, "pair settings", guild_id=self.c.guild.id, options=options
        )
        await h.response()
        return await h.original()

    async def slash(self, who: str | int, command: str, **options: Any) -> dict:
        """Run a pairing command as a member; return the private answer."""
        user_id = self.members[who] if isinstance(who, str) else who
        h = await self.emu.slash(user_id, command, guild_id=self.c.guild.id, **options)
        await h.response()
        return await h.original()

    async def join(self, who: str, zone: str = "Europe/London", **options: Any) -> dict:
        """Join as a member; return the first private answer."""
        return await self.slash(who, "pair join", timezone=zone, **options)

    def threads(self) -> list[Any]:
        """Return the pair threads in the pairing channel, oldest first."""
        return sorted(
            (t for t in self.emu.world.channels.values() if t.parent_id == self.channel.id),
            key=lambda t: t.id,
        )

    def groups(self, threads: list[Any] | None = None) -> list[set[int]]:
        """Return who (apart from the bot) is in each pair thread."""
        bot_id = self.emu.bot_user.id
        return [
            set(self.emu.world.thread_members[t.id]) - {bot_id}
            for t in (self.threads() if threads is None else threads)
        ]

    def ids(self, *names: str) -> set[int]:
        """Return member ids by name."""
        return {self.members[n] for n in names}


@pytest.fixture
async def pairing(emu: Emulator, configured: Community, hearth: Hearth) -> Pairing:
    """A server with pairing set up (channel, topics, Monday 18:00 London), alice and bob in."""
    p = Pairing(emu, configured, hearth)
    await p.add("alice", "bob")
    await p.settings(
        channel=p.channel.id,
        topics="grief, sleep, music",
        weekday=0,
        time="18:00",
        timezone="Europe/London",
    )
    return p


async def run_round(p: Pairing, clock: FakeClock, when: datetime) -> None:
    """Move the clock to a round's slot and run the rounds job."""
    clock.set(when + timedelta(minutes=1))
    await p.hearth.scheduler.run_now(ROUNDS_JOB)


async def test_join_round_threads_hold_exactly_each_pair(
    emu: Emulator, pairing: Pairing, clock: FakeClock
) -> None:
    """Four members join; the scheduled round makes two private threads with exactly each pair."""
    p = pairing
    await p.add("cara", "dan")
    first = await p.join("alice", line="I love long walks <@everyone>")
    assert first["flags"] & EPHEMERAL and "You're in" in first["content"]
    assert f"<t:{int(FIRST_SLOT.timestamp())}:F>" in first["content"]
    for name in ("bob", "cara", "dan"):
        await p.join(name)
    await run_round(p, clock, FIRST_SLOT - timedelta(hours=1))
    assert p.threads() == []
    await run_round(p, clock, FIRST_SLOT)
    threads = p.threads()
    assert len(threads) == 2 and all(t.type == PRIVATE_THREAD for t in threads)
    groups = p.groups()
    assert all(len(g) == 2 for g in groups)
    assert set().union(*groups) == p.ids("alice", "bob", "cara", "dan")
    for thread, members in zip(threads, groups, strict=True):
        [intro] = emu.channel_messages(thread.id)
        assert all(f"<@{u}>" in intro["content"] for u in members)
        assert intro["content"].count("• ") >= 4  # two starters and at least two times
        assert "<t:" in intro["content"]
        allowed = intro["allowed_mentions"]
        assert {int(u) for u in allowed["users"]} == members
        assert not allowed.get("parse")
    alice_thread = next(t for t, g in zip(threads, groups, strict=True) if p.members["alice"] in g)
    alice_intro = emu.channel_messages(alice_thread.id)[0]["content"]
    assert "I love long walks" in alice_intro
    assert "<@everyone>" not in alice_intro  # mention syntax a member wrote is made inert
    await run_round(p, clock, FIRST_SLOT + timedelta(minutes=30))
    assert len(p.threads()) == 2  # the slot runs once


async def test_topics_are_picked_privately_after_joining(emu: Emulator, pairing: Pairing) -> None:
    """Joining offers the moderators' topics as a private multi-select; choices show in status."""
    p = pairing
    h = await emu.slash(
        p.members["alice"], "pair join", guild_id=p.c.guild.id, timezone="Asia/Tokyo"
    )
    await h.response()
    offer = await h.followup(0)
    assert offer["flags"] & EPHEMERAL
    options = [o["value"] for o in offer["components"][0]["components"][0]["options"]]
    assert options == ["grief", "sleep", "music"]
    picked = await emu.select(p.members["alice"], offer, ["sleep", "music"])
    await picked.response()
    assert "sleep, music" in (await picked.original())["content"]
    status = await p.slash("alice", "pair status")
    description = status["embeds"][0]["description"]
    assert "Asia/Tokyo" in description and "sleep, music" in description
    assert f"<t:{int(FIRST_SLOT.timestamp())}:F>" in description


async def test_bad_input_gets_kind_private_answers(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Not set up, unknown zone, past pause date, no topics, not a moderator: all explained."""
    p = Pairing(emu, configured, hearth)
    await p.add("alice")
    answer = await p.join("alice")
    assert answer["flags"] & EPHEMERAL and "isn't set up" in answer["content"]
    await p.settings(channel=p.channel.id)
    answer = await p.join("alice", zone="Mars/Olympus")
    assert "know the time zone" in answer["content"]
    await p.join("alice")
    h = await emu.slash(p.members["alice"], "pair topics", guild_id=p.c.guild.id)
    await h.response()
    assert "haven't listed any topics" in (await h.original())["content"]
    answer = await p.slash("alice", "pair pause", until="2020-02-02")
    assert "already come" in answer["content"]
    answer = await p.slash("alice", "pair round now")
    assert "for moderators" in answer["content"]
    answer = await p.slash("alice", "pair block")
    assert "Pick the member" in answer["content"]
    answer = await p.slash("bob", "pair leave")
    assert "weren't in pairing" in answer["content"]


async def test_pause_leave_and_block_hold_over_several_rounds(
    emu: Emulator, pairing: Pairing, clock: FakeClock
) -> None:
    """A block made in a thread, a pause and a leave are all respected in the rounds after."""
    p = pairing
    await p.settings(repeat_rounds=0, trios=True)
    names = ("alice", "bob", "cara", "dan", "eve", "finn")
    await p.add(*names)
    for name in names:
        await p.join(name)
    await run_round(p, clock, FIRST_SLOT)
    groups = p.groups()
    assert sorted(len(g) for g in groups) == [2, 2, 2]
    alice = p.members["alice"]
    thread = next(t for t, g in zip(p.threads(), groups, strict=True) if alice in g)
    [blocked] = set(emu.world.thread_members[thread.id]) - {alice, emu.bot_user.id}
    answer = await p.slash("alice", "pair block", channel_id=thread.id)
    assert answer["flags"] & EPHEMERAL and "nobody is told" in answer["content"]
    dm_channel = emu.world.dm_channels.get(blocked)
    assert dm_channel is None or emu.channel_messages(dm_channel.id) == []
    assert emu.channel_messages(thread.id)[-1]["author"]["id"] == str(emu.bot_user.id)
    await p.slash("bob", "pair pause")
    await p.slash("cara", "pair leave")
    seen = len(p.threads())
    for week in (1, 2, 3):
        await run_round(p, clock, FIRST_SLOT + timedelta(weeks=week))
        new = p.threads()[seen:]
        seen += len(new)
        groups = p.groups(new)
        placed = set().union(*groups)
        assert not placed & p.ids("bob", "cara")
        assert all(not {alice, blocked} <= g for g in groups)
        assert placed == p.ids(*names) - p.ids("bob", "cara")
    await p.slash("bob", "pair resume")
    await run_round(p, clock, FIRST_SLOT + timedelta(weeks=4))
    assert p.members["bob"] in set().union(*p.groups(p.threads()[seen:]))


async def test_odd_one_out_is_told_privately_and_goes_first(
    emu: Emulator, pairing: Pairing, clock: FakeClock
) -> None:
    """Three members without trios: one pair; the third is told by DM and placed next round."""
    p = pairing
    await p.settings(trios=False, repeat_rounds=0)
    await p.add("cara")
    for name in ("alice", "bob", "cara"):
        await p.join(name)
    await run_round(p, clock, FIRST_SLOT)
    [pair] = p.groups()
    [left] = p.ids("alice", "bob", "cara") - pair
    told = await emu.wait_for_dm(left)
    assert "first in line next round" in told["content"]
    assert not told["content"].count("<@")
    status = await p.slash(left, "pair status")
    assert "first in line" in status["embeds"][0]["description"]
    await run_round(p, clock, FIRST_SLOT + timedelta(weeks=1))
    [second] = p.groups(p.threads()[1:])
    assert left in second


async def test_trios_take_the_odd_one_in(pairing: Pairing, clock: FakeClock) -> None:
    """Three members with trios allowed make one private thread of three."""
    p = pairing
    await p.settings(trios=True)
    await p.add("cara")
    for name in ("alice", "bob", "cara"):
        await p.join(name)
    await run_round(p, clock, FIRST_SLOT)
    assert p.groups() == [p.ids("alice", "bob", "cara")]


async def test_double_opt_in_opens_the_thread_only_when_both_accept(
    emu: Emulator, pairing: Pairing, clock: FakeClock
) -> None:
    """Each is asked privately first; the thread appears only after both say yes."""
    p = pairing
    await p.settings(double_opt_in=True)
    await p.join("alice")
    await p.join("bob", line="Gardener, tea drinker <@everyone>")
    await run_round(p, clock, FIRST_SLOT)
    ask_alice = await emu.wait_for_dm(p.members["alice"])
    ask_bob = await emu.wait_for_dm(p.members["bob"])
    assert "meet them?" in ask_alice["content"]
    assert "Gardener, tea drinker" in ask_alice["content"]
    assert "Gardener" not in ask_bob["content"]
    assert f"<@{p.members['bob']}>" not in ask_alice["content"]
    assert ask_alice["allowed_mentions"]["parse"] == []
    assert p.threads() == []
    yes = await emu.click(p.members["alice"], ask_alice, label="Yes, let's meet")
    await yes.response()
    assert p.threads() == []
    yes = await emu.click(p.members["bob"], ask_bob, label="Yes, let's meet")
    await yes.response()
    await emu.wait_until(lambda: p.threads(), 3, "the pair thread")
    await emu.wait_until(lambda: emu.channel_messages(p.threads()[0].id), 3, "the introduction")
    assert p.groups() == [p.ids("alice", "bob")]


async def test_a_skip_is_not_named_and_the_other_goes_first(
    emu: Emulator, pairing: Pairing, clock: FakeClock
) -> None:
    """When one skips, no thread is made; the other is told kindly, without a name."""
    p = pairing
    await p.settings(double_opt_in=True)
    await p.join("alice")
    await p.join("bob")
    await run_round(p, clock, FIRST_SLOT)
    ask_bob = await emu.wait_for_dm(p.members["bob"])
    ask_alice = await emu.wait_for_dm(p.members["alice"])
    skip = await emu.click(p.members["bob"], ask_bob, label="Skip this round")
    await skip.response()
    told = await emu.wait_for_dm(p.members["alice"])
    assert "can't go ahead" in told["content"] and "<@" not in told["content"]
    late = await emu.click(p.members["alice"], ask_alice, label="Yes, let's meet")
    await late.response()
    assert p.threads() == []
    status = await p.slash("alice", "pair status")
    assert "first in line" in status["embeds"][0]["description"]


async def test_followup_asks_privately_and_moderators_see_counts(
    emu: Emulator, pairing: Pairing, clock: FakeClock
) -> None:
    """Days after the intro each is asked "Did you connect?"; stats show counts, not names."""
    p = pairing
    await p.settings(followup_days=2)
    await p.join("alice")
    await p.join("bob")
    await run_round(p, clock, FIRST_SLOT)
    await p.hearth.scheduler.run_now(FOLLOWUP_JOB)
    assert emu.world.dm_channels.get(p.members["alice"]) is None
    clock.advance(days=2, minutes=5)
    await p.hearth.scheduler.run_now(FOLLOWUP_JOB)
    asked = await emu.wait_for_dm(p.members["alice"])
    assert "Did you connect?" in asked["content"]
    answer = await emu.click(p.members["alice"], asked, label="Yes")
    await answer.response()
    await p.hearth.scheduler.run_now(FOLLOWUP_JOB)
    stats = await p.slash(p.c.moderator.id, "pair round stats")
    assert stats["flags"] & EPHEMERAL
    description = stats["embeds"][0]["description"]
    assert "asked 2, answered 1 — yes 1, not yet 0, no 0" in description
    assert "<@" not in description


async def test_report_from_the_thread_reaches_moderators_only(
    emu: Emulator, pairing: Pairing, clock: FakeClock
) -> None:
    """The thread's report button opens a private form; the card lands in moderator alerts."""
    p = pairing
    make_alerts_private(emu, p.c)
    await p.join("alice")
    await p.join("bob")
    await run_round(p, clock, FIRST_SLOT)
    [thread] = p.threads()
    [intro] = emu.channel_messages(thread.id)
    h = await emu.click(p.members["alice"], intro, label="Tell a moderator")
    await h.response()
    assert h.modal is not None
    sent = await emu.submit_modal(
        p.members["alice"],
        h.modal,
        values={"what": "They said something unkind @everyone"},
        guild_id=p.c.guild.id,
    )
    await sent.response()
    assert "moderators have your note" in (await sent.original())["content"]
    card = await emu.wait_for_message(p.c.alerts.id)
    assert "something unkind" in card["embeds"][0]["description"]
    assert f"<@{p.members['bob']}>" in str(card["embeds"][0]["fields"])
    assert card["allowed_mentions"]["parse"] == []
    assert len(emu.channel_messages(thread.id)) == 1


async def test_preview_and_round_now_for_moderators(
    emu: Emulator, pairing: Pairing, clock: FakeClock
) -> None:
    """The preview gives counts only; round now introduces at once."""
    p = pairing
    await p.add("cara")
    for name in ("alice", "bob", "cara"):
        await p.join(name)
    await p.slash("cara", "pair pause", until="2026-02-01")
    preview = await p.slash(p.c.moderator.id, "pair round preview")
    assert preview["flags"] & EPHEMERAL
    assert "3 opted in, 2 taking part (1 paused" in preview["content"]
    assert "1 pairs" in preview["content"] and "<@" not in preview["content"]
    assert p.threads() == []
    now = await p.slash(p.c.moderator.id, "pair round now")
    assert "Round 1 is under way: 1 groups" in now["content"]
    await emu.wait_until(lambda: p.threads(), 3, "the pair thread")
    await emu.wait_until(lambda: emu.channel_messages(p.threads()[0].id), 3, "the introduction")
    assert p.groups() == [p.ids("alice", "bob")]


async def test_restart_mid_round_neither_doubles_nor_drops(
    emu: Emulator, pairing: Pairing, clock: FakeClock, start_hearth: StartHearth
) -> None:
    """Thread creation fails after the first group; after a restart every group has one thread."""
    p = pairing
    names = ("alice", "bob", "cara", "dan", "eve", "finn")
    await p.add(*names)
    for name in names:
        await p.join(name)
    emu.inject_fault(method="POST", route="/channels/{channel_id}/threads", status=403, after=1)
    await run_round(p, clock, FIRST_SLOT)
    assert len(p.threads()) == 1
    emu.clear_faults()
    hearth = await start_hearth()
    await hearth.scheduler.run_now(ROUNDS_JOB)
    await hearth.scheduler.run_now(ROUNDS_JOB)
    groups = p.groups()
    assert len(groups) == 3 and sorted(len(g) for g in groups) == [2, 2, 2]
    assert set().union(*groups) == p.ids(*names)
    assert all(len(emu.channel_messages(t.id)) == 1 for t in p.threads())
    assert await hearth.services.pairing.unfinished_rounds() == []


async def _crash_after_making_the_thread(
    emu: Emulator, p: Pairing, clock: FakeClock, name: str
) -> Any:
    """Start alice and bob's round, then leave a thread made but not recorded, as a crash would."""
    await p.join("alice")
    await p.join("bob")
    clock.set(FIRST_SLOT + timedelta(minutes=1))
    services = p.hearth.services
    [(guild_id, slot)] = await services.pairing.due_rounds()
    round_id = await services.pairing.start_round(guild_id, slot)
    assert round_id is not None
    [group] = (await services.pairing.round_plan(round_id)).groups
    await services.pairing.request_thread(group.id)
    return emu.create_thread(
        p.channel.id,
        name,
        type=PRIVATE_THREAD,
        owner_id=emu.bot_user.id,
        members=[emu.bot_user.id],
    )


async def test_resume_finds_a_thread_made_just_before_a_crash(
    emu: Emulator, pairing: Pairing, clock: FakeClock, start_hearth: StartHearth
) -> None:
    """A thread created but not recorded (crash in between) is found by name, not made twice."""
    p = pairing
    orphan = await _crash_after_making_the_thread(emu, p, clock, thread_name(1, 1))
    hearth = await start_hearth()
    await hearth.scheduler.run_now(ROUNDS_JOB)
    assert [t.id for t in p.threads()] == [orphan.id]
    assert p.groups() == [p.ids("alice", "bob")]
    assert len(emu.channel_messages(orphan.id)) == 1


async def test_resume_finds_a_thread_named_in_the_servers_language(
    emu: Emulator, pairing: Pairing, clock: FakeClock, start_hearth: StartHearth
) -> None:
    """In a French server the thread is named in French, and a resume finds it by that name."""
    p = pairing
    await p.hearth.services.settings.set_language(p.c.guild.id, p.c.moderator.id, "fr")
    orphan = await _crash_after_making_the_thread(emu, p, clock, "Binôme · tour 1 · #1")
    hearth = await start_hearth()
    await hearth.scheduler.run_now(ROUNDS_JOB)
    assert [t.id for t in p.threads()] == [orphan.id]
    assert len(emu.channel_messages(orphan.id)) == 1


async def test_a_member_who_left_the_server_is_not_introduced(
    emu: Emulator, pairing: Pairing, clock: FakeClock
) -> None:
    """If a matched member has left the server, no thread is made; the other is told kindly."""
    p = pairing
    await p.join("alice")
    await p.join("bob")
    emu.remove_member(p.c.guild.id, p.members["bob"])
    await run_round(p, clock, FIRST_SLOT)
    assert p.threads() == []
    told = await emu.wait_for_dm(p.members["alice"])
    assert "can't go ahead" in told["content"]
    assert await p.hearth.services.pairing.profile(p.c.guild.id, p.members["bob"]) is None
    assert await p.hearth.services.pairing.unfinished_rounds() == []


async def test_double_opt_in_with_closed_dms_falls_through_kindly(
    emu: Emulator, pairing: Pairing, clock: FakeClock
) -> None:
    """A member who can't be asked (DMs closed) is treated as a skip; the other goes first."""
    p = pairing
    await p.settings(double_opt_in=True)
    await p.join("alice")
    await p.join("bob")
    emu.close_dms(p.members["bob"])
    await run_round(p, clock, FIRST_SLOT)
    told = await emu.wait_for_dm(
        p.members["alice"], predicate=lambda m: "can't go ahead" in m["content"]
    )
    assert "<@" not in told["content"]
    assert p.threads() == []
    status = await p.slash("alice", "pair status")
    assert "first in line" in status["embeds"][0]["description"]


async def test_with_manage_threads_members_cannot_invite_others(
    emu: Emulator, pairing: Pairing, clock: FakeClock
) -> None:
    """Where Hearth may manage threads, the pair's thread is not open to invitations."""
    p = pairing
    emu.set_role_permissions(p.c.guild.id, p.c.guild.bot_role.id, BOT_PERMISSIONS | MANAGE_THREADS)
    await p.join("alice")
    await p.join("bob")
    await run_round(p, clock, FIRST_SLOT)
    [thread] = p.threads()
    assert not thread.invitable
    assert p.groups() == [p.ids("alice", "bob")]


async def test_block_by_member_is_silent_and_holds(
    emu: Emulator, pairing: Pairing, clock: FakeClock
) -> None:
    """Blocking by member keeps the two apart; the other hears nothing about a block."""
    p = pairing
    await p.join("alice")
    await p.join("bob")
    answer = await p.slash("alice", "pair block", member=p.members["bob"])
    assert answer["flags"] & EPHEMERAL and "nobody is told" in answer["content"]
    await run_round(p, clock, FIRST_SLOT)
    assert p.threads() == []
    told = await emu.wait_for_dm(p.members["bob"])
    assert "block" not in told["content"].lower()
    assert "alice" not in told["content"] and "<@" not in told["content"]


async def test_settings_show_and_need_the_whole_schedule(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Settings show privately; a day without a time and zone is explained; bad zones too."""
    p = Pairing(emu, configured, hearth)
    shown = await p.settings()
    assert shown["flags"] & EPHEMERAL
    assert "no weekly time set" in shown["embeds"][0]["description"]
    partial = await p.settings(weekday=2)
    assert "day, the time and the time zone together" in partial["content"]
    bad = await p.settings(weekday=2, time="25:00", timezone="Europe/London")
    assert "could not read the time" in bad["content"]
    saved = await p.settings(
        weekday=2, time="19:30", timezone="America/Chicago", topics="grief, grief, music"
    )
    description = saved["embeds"][0]["description"]
    assert "every Wednesday at 19:30 (America/Chicago)" in description
    assert "grief, music" in description
    zones = await emu.autocomplete(
        p.c.moderator.id, "pair join", guild_id=p.c.guild.id, focused="timezone", timezone="chica"
    )
    assert "America/Chicago" in [choice["value"] for choice in zones]
