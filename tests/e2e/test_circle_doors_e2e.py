"""Closing a circle gives the voice room back exactly as it was before it opened."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.app import Hearth
from bot.clock import FakeClock
from emulator import Emulator
from tests.e2e.conftest import BOT_PERMISSIONS, Community, StartHearth
from tests.e2e.test_circle_room_e2e import VIEW_CHANNEL, settled, slash
from tests.e2e.test_circles_e2e import CONNECT, FIRST, NOW, VOICE, create_circle, the_circle

SEND_MESSAGES = 1 << 11


@pytest.fixture
def clock() -> FakeClock:
    """Start the clock a week before the first meeting."""
    return FakeClock(NOW)


@pytest.fixture(autouse=True)
async def settle_talking_order(emu: Emulator, hearth: Hearth) -> AsyncIterator[None]:
    """After each test, let talking-order edits finish before Hearth stops (if it still runs)."""
    yield
    if hearth.bot.get_cog("CirclesCog") is not None:
        await settled(emu, hearth)


def ow(target: Any, allow: int = 0, deny: int = 0, kind: int = 0) -> dict:
    """Build an overwrite as Discord serialises it."""
    return {"id": str(target), "type": kind, "allow": str(allow), "deny": str(deny)}


def overwrites(emu: Emulator, channel_id: int) -> list[dict]:
    """Return a channel's overwrites, in a stable order."""
    found = emu.world.channels[channel_id].permission_overwrites
    return sorted(({**o, "type": int(o["type"])} for o in found), key=lambda o: int(o["id"]))


def hidden_room(emu: Emulator, c: Community, *extra: dict) -> Any:
    """Make the voice room moderators keep hidden: @everyone and the member role can't see it."""
    emu.set_role_permissions(c.guild.id, c.guild.bot_role.id, BOT_PERMISSIONS | CONNECT)
    return emu.create_channel(
        c.guild.id,
        "Circle room",
        type=VOICE,
        overwrites=[
            ow(c.guild.id, deny=VIEW_CHANNEL),
            ow(c.member_role.id, deny=VIEW_CHANNEL),
            ow(c.guild.bot_role.id, allow=VIEW_CHANNEL | CONNECT),
            *extra,
        ],
    )


async def yes_only_circle(emu: Emulator, c: Community, hearth: Hearth, voice: Any) -> int:
    """Create a yes-only circle in the room; alice says yes; return the circle's id."""
    await create_circle(emu, c, voice.id, yes_only=True)
    post = await emu.wait_for_message(c.circles.id)
    await hearth.services.agreement.accept(c.guild.id, c.alice.id, 1)
    await (await emu.click(c.alice.id, post, label="I'll be there")).original()
    return await the_circle(hearth, c)


async def open_now(emu: Emulator, c: Community, clock: FakeClock, circle: int) -> None:
    """Open the first meeting ten minutes before it starts."""
    clock.advance(FIRST - clock.now() - timedelta(minutes=10))
    opened = await slash(emu, c.moderator.id, "circle open", c, circle=circle)
    assert "is open" in opened["content"]


async def close_now(emu: Emulator, c: Community, clock: FakeClock, circle: int) -> None:
    """Close the meeting after it ended."""
    clock.set(FIRST + timedelta(hours=2))
    closed = await slash(emu, c.moderator.id, "circle close", c, circle=circle)
    assert "closed again" in closed["content"]


async def test_closing_a_yes_only_circle_hides_the_room_again(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """A hidden room opened to those who said yes is hidden again when it closes, exactly."""
    c = configured
    voice = hidden_room(emu, c)
    before = overwrites(emu, voice.id)
    circle = await yes_only_circle(emu, c, hearth, voice)
    await open_now(emu, c, clock, circle)
    assert overwrites(emu, voice.id) != before
    await close_now(emu, c, clock, circle)
    assert overwrites(emu, voice.id) == before


async def test_a_restart_between_open_and_close_changes_nothing(
    emu: Emulator, configured: Community, clock: FakeClock, start_hearth: StartHearth
) -> None:
    """What opening changed is in the database: a new process closes the room just as well."""
    c = configured
    hearth = await start_hearth()
    voice = hidden_room(emu, c)
    before = overwrites(emu, voice.id)
    circle = await yes_only_circle(emu, c, hearth, voice)
    await open_now(emu, c, clock, circle)
    restarted = await start_hearth()
    await close_now(emu, c, clock, circle)
    assert overwrites(emu, voice.id) == before
    await settled(emu, restarted)


async def test_a_late_yes_and_a_member_with_their_own_overwrite_get_theirs_back(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """Bob, who moderators already let see the room, says yes after it opened: close restores his."""
    c = configured
    bobs = ow(c.bob.id, allow=VIEW_CHANNEL, deny=SEND_MESSAGES, kind=1)
    voice = hidden_room(emu, c, bobs)
    before = overwrites(emu, voice.id)
    circle = await yes_only_circle(emu, c, hearth, voice)
    await open_now(emu, c, clock, circle)
    await hearth.services.agreement.accept(c.guild.id, c.bob.id, 1)
    post = emu.channel_messages(c.circles.id)[0]
    await (await emu.click(c.bob.id, post, label="I'll be there")).original()
    expected = ow(c.bob.id, allow=VIEW_CHANNEL | CONNECT, deny=SEND_MESSAGES, kind=1)
    await emu.wait_until(
        lambda: expected in overwrites(emu, voice.id), 5, "bob let in, his own deny kept"
    )
    await close_now(emu, c, clock, circle)
    assert overwrites(emu, voice.id) == before


async def test_what_a_moderator_changed_meanwhile_stays_as_they_set_it(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """Close undoes only what opening did: a moderator's changes during the circle are kept."""
    c = configured
    voice = hidden_room(emu, c)
    circle = await yes_only_circle(emu, c, hearth, voice)
    await open_now(emu, c, clock, circle)
    during = overwrites(emu, voice.id)
    role = next(o for o in during if o["id"] == str(c.member_role.id))
    role = {**role, "deny": str(int(role["deny"]) | SEND_MESSAGES)}  # quiet chat, for now
    carol = emu.add_member(c.guild.id, emu.create_user("carol").id)
    carols = ow(carol.id, deny=CONNECT, kind=1)
    changed = [o for o in during if o["id"] != role["id"]] + [role, carols]
    emu.set_channel_overwrites(voice.id, changed)
    await close_now(emu, c, clock, circle)
    assert overwrites(emu, voice.id) == sorted(
        [
            ow(c.guild.id, deny=VIEW_CHANNEL),
            ow(c.member_role.id, deny=VIEW_CHANNEL | SEND_MESSAGES),
            ow(c.guild.bot_role.id, allow=VIEW_CHANNEL | CONNECT),
            carols,
        ],
        key=lambda o: int(o["id"]),
    )


async def test_opening_twice_still_gives_back_the_room_from_before_the_first(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """A second /circle open while open doesn't mistake the open room for the original."""
    c = configured
    voice = hidden_room(emu, c)
    before = overwrites(emu, voice.id)
    circle = await yes_only_circle(emu, c, hearth, voice)
    await open_now(emu, c, clock, circle)
    again = await slash(emu, c.moderator.id, "circle open", c, circle=circle)
    assert "is open" in again["content"]
    await close_now(emu, c, clock, circle)
    assert overwrites(emu, voice.id) == before
