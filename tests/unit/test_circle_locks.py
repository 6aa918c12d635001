"""Locks per message or meeting: one holder at a time, and none kept once unused."""

from __future__ import annotations

import asyncio

from bot.services.circles._locks import KeyedLocks


async def test_a_key_has_one_holder_at_a_time_and_others_wait_in_turn() -> None:
    """Two edits of the same message run one after the other; another message's runs beside."""
    locks = KeyedLocks()
    order: list[str] = []

    async def edit(key: int, name: str) -> None:
        async with locks.hold(key):
            order.append(f"{name} in")
            await asyncio.sleep(0)
            order.append(f"{name} out")

    await asyncio.gather(edit(1, "a"), edit(1, "b"), edit(2, "c"))
    assert order.index("a out") < order.index("b in")
    assert order.index("c in") < order.index("a out")


async def test_no_lock_is_kept_once_nobody_holds_or_waits_for_it() -> None:
    """A thousand messages edited once leave nothing behind."""
    locks = KeyedLocks()
    for key in range(1000):
        async with locks.hold(key):
            assert locks.locked(key) and locks.any_locked()
    assert len(locks) == 0 and not locks.any_locked() and not locks.locked(0)
