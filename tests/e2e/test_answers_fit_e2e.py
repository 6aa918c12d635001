"""Hostile input gets a kind private answer that Discord accepts (issue 11, findings 1 and 2)."""

from __future__ import annotations

import pytest

from bot.app import Hearth
from emulator import Emulator
from tests.e2e.conftest import Community
from tests.e2e.test_agreement_e2e import accept

EPHEMERAL = 64
LONG = "a" * 6000


async def private_answer(
    emu: Emulator, c: Community, who: int, command: str, **options: str
) -> str:
    """Run a command; return its answer's text after checking it was private and fits."""
    h = await emu.slash(who, command, guild_id=c.guild.id, **options)
    answer = await h.original()
    assert answer["flags"] & EPHEMERAL
    assert len(answer["content"]) <= 2000
    return answer["content"]


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("checkin reminder set", {"time": "18:00", "timezone": LONG}),
        ("pair join", {"timezone": LONG}),
        ("checkin reminder set", {"time": "18:00", "timezone": "../../../etc/passwd"}),
        ("pair join", {"timezone": "Europe/London\u202e"}),
    ],
)
async def test_an_overlong_or_odd_time_zone_gets_the_kind_answer(
    emu: Emulator, configured: Community, hearth: Hearth, command: str, options: dict[str, str]
) -> None:
    """6,000 letters or a path as a zone: "I don't know the time zone", privately, no error."""
    c = configured
    await accept(emu, c, c.alice.id)
    content = await private_answer(emu, c, c.alice.id, command, **options)
    assert "know the time zone" in content
    assert len(content) < 400


async def test_an_unreadable_day_list_is_answered_without_repeating_all_of_it(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """6,000 letters as days: the answer quotes a short excerpt and reaches the member."""
    c = configured
    await accept(emu, c, c.alice.id)
    content = await private_answer(
        emu,
        c,
        c.alice.id,
        "checkin reminder set",
        time="18:00",
        timezone="Europe/London",
        days=LONG,
    )
    assert "couldn't read" in content
    assert "a" * 41 not in content
