"""Where a pairing round is matched: through the injected matcher, off the loop; the worker stops."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading

import pytest

from bot.app import Hearth
from bot.clock import FakeClock
from bot.domain.pairing import MatchingInput, MatchingResult, match_round
from emulator import Emulator
from tests.e2e.conftest import Community, StartHearth
from tests.e2e.test_pairing_e2e import FIRST_SLOT, Pairing, run_round


@pytest.fixture
async def pairing(emu: Emulator, configured: Community, hearth: Hearth) -> Pairing:
    """A server with pairing set up (channel, Monday 18:00 London), alice and bob accepted."""
    p = Pairing(emu, configured, hearth)
    await p.add("alice", "bob")
    await p.settings(channel=p.channel.id, weekday=0, time="18:00", timezone="Europe/London")
    return p


async def test_a_round_is_matched_by_the_injected_matcher_off_the_loop(
    pairing: Pairing, clock: FakeClock, start_hearth: StartHearth
) -> None:
    """The rounds job hands the matching to Hearth's matcher, which runs it in another thread."""
    ran_in: list[int] = []

    async def matcher(matching: MatchingInput) -> MatchingResult:
        def work() -> MatchingResult:
            ran_in.append(threading.get_ident())
            return match_round(matching)

        return await asyncio.to_thread(work)

    p = pairing
    p.hearth = await start_hearth(matcher=matcher)
    await p.join("alice")
    await p.join("bob")
    await run_round(p, clock, FIRST_SLOT)
    assert p.groups() == [p.ids("alice", "bob")]
    assert len(ran_in) == 1 and ran_in[0] != threading.get_ident()


async def test_the_matching_worker_stops_when_hearth_closes(
    pairing: Pairing, clock: FakeClock, start_hearth: StartHearth
) -> None:
    """By default a round is matched in a worker process, which is gone once Hearth closed."""
    before = set(multiprocessing.active_children())
    p = pairing
    p.hearth = await start_hearth(matcher=None)
    await p.join("alice")
    await p.join("bob")
    await run_round(p, clock, FIRST_SLOT)
    assert p.groups() == [p.ids("alice", "bob")]
    assert set(multiprocessing.active_children()) - before  # the worker that matched it
    await p.hearth.close()
    assert set(multiprocessing.active_children()) <= before
