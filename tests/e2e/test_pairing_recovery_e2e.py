"""Pairing messages a stopped process claimed: each reaches its member once, never twice."""

from __future__ import annotations

from datetime import timedelta

import discord
import pytest

from bot.app import Hearth
from bot.clock import FakeClock
from bot.services.pairing import FOLLOWUP_JOB, ROUNDS_JOB
from cogs.pairing._views import ACCEPT, CONNECTED, SKIP
from emulator import Emulator
from tests.e2e.conftest import Community, StartHearth
from tests.e2e.test_pairing_e2e import FIRST_SLOT, Pairing, run_round

ASKED = "meet them?"
CONNECT = "Did you connect?"


@pytest.fixture
async def pairing(emu: Emulator, configured: Community, hearth: Hearth) -> Pairing:
    """A server with pairing set up (channel, Monday 18:00 London), alice and bob accepted."""
    p = Pairing(emu, configured, hearth)
    await p.add("alice", "bob")
    await p.settings(channel=p.channel.id, weekday=0, time="18:00", timezone="Europe/London")
    return p


def dms_with(emu: Emulator, user_id: int, text: str) -> list[dict]:
    """Return the private messages a member got that contain `text`."""
    return [m for m in emu.dm_messages(user_id) if text in (m.get("content") or "")]


async def claim_round_invitations(p: Pairing, clock: FakeClock) -> list:
    """Start the round and claim its invitations, as a process that then stopped would."""
    clock.set(FIRST_SLOT + timedelta(minutes=1))
    services = p.hearth.services
    [(guild_id, slot)] = await services.pairing.due_rounds()
    round_id = await services.pairing.start_round(guild_id, slot)
    assert round_id is not None
    return await services.pairing.claim_invitations(round_id)


async def send_as_before_the_stop(hearth: Hearth, user_id: int, text: str, *items: object) -> None:
    """Send a member a private message with buttons, as the stopped process did."""
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)  # type: ignore[arg-type]
    user = await hearth.bot.fetch_user(user_id)
    await user.send(text, view=view)


async def test_invitations_claimed_before_a_stop_still_go_out(
    emu: Emulator, pairing: Pairing, clock: FakeClock, start_hearth: StartHearth
) -> None:
    """A stop right after the claim used to lose both invitations; now each arrives once."""
    p = pairing
    await p.settings(double_opt_in=True)
    await p.join("alice")
    await p.join("bob")
    assert len(await claim_round_invitations(p, clock)) == 2
    restarted = await start_hearth()
    await restarted.scheduler.run_now(ROUNDS_JOB)
    await restarted.scheduler.run_now(ROUNDS_JOB)
    for name in ("alice", "bob"):
        assert len(dms_with(emu, p.members[name], ASKED)) == 1


async def test_an_invitation_sent_before_a_stop_is_found_not_sent_twice(
    emu: Emulator, pairing: Pairing, clock: FakeClock, start_hearth: StartHearth
) -> None:
    """Bob's invitation got out before the stop: he keeps that one; alice gets hers."""
    p = pairing
    await p.settings(double_opt_in=True)
    await p.join("alice")
    await p.join("bob")
    invitations = await claim_round_invitations(p, clock)
    bobs = next(i for i in invitations if i.user_id == p.members["bob"])
    await send_as_before_the_stop(
        p.hearth,
        bobs.user_id,
        f"You've been matched — {ASKED}",
        ACCEPT.button(bobs.row_id),
        SKIP.button(bobs.row_id),
    )
    restarted = await start_hearth()
    await restarted.scheduler.run_now(ROUNDS_JOB)
    await restarted.scheduler.run_now(ROUNDS_JOB)
    assert len(dms_with(emu, p.members["bob"], ASKED)) == 1
    assert len(dms_with(emu, p.members["alice"], ASKED)) == 1
    for name in ("alice", "bob"):
        [invitation] = dms_with(emu, p.members[name], ASKED)
        yes = await emu.click(p.members[name], invitation, label="Yes, let's meet")
        await yes.response()
    await emu.wait_until(
        lambda: p.threads() and emu.channel_messages(p.threads()[0].id), 3, "the introduction"
    )
    assert p.groups() == [p.ids("alice", "bob")]


async def test_a_follow_up_sent_before_a_stop_is_not_asked_again(
    emu: Emulator, pairing: Pairing, clock: FakeClock, start_hearth: StartHearth
) -> None:
    """Follow-ups claimed, alice's sent, then a stop: each member is asked exactly once."""
    p = pairing
    await p.settings(followup_days=2)
    await p.join("alice")
    await p.join("bob")
    await run_round(p, clock, FIRST_SLOT)
    clock.advance(days=2, minutes=5)
    followups = await p.hearth.services.pairing.claim_due_followups()
    alices = next(f for f in followups if f.user_id == p.members["alice"])
    await send_as_before_the_stop(
        p.hearth,
        alices.user_id,
        f"A few days ago you were introduced to a peer. {CONNECT}",
        *(spec.button(alices.row_id) for spec in CONNECTED.values()),
    )
    restarted = await start_hearth()
    await restarted.scheduler.run_now(FOLLOWUP_JOB)
    await restarted.scheduler.run_now(FOLLOWUP_JOB)
    for name in ("alice", "bob"):
        assert len(dms_with(emu, p.members[name], CONNECT)) == 1
