"""Where a round's matching runs: off the event loop, so interactions never wait for it.

`match_round` is pure Python and holds the GIL: inline it stalls the loop for the whole round
(0.5 s at 10,000 members), and in a thread the loop still waits up to 5 ms at a time and stalls
for 0.1-0.3 s (bench/pairing_lag.py). `ProcessMatcher` runs it in one worker process, started
on first use and stopped with `close()` when Hearth closes; tests pass `inline_matcher` (or their
own `Matcher`) instead.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.domain.pairing import MatchingInput, MatchingResult, match_round

log = logging.getLogger(__name__)

Matcher = Callable[[MatchingInput], Awaitable[MatchingResult]]
"""Runs `match_round` somewhere and returns its result."""


async def inline_matcher(matching: MatchingInput) -> MatchingResult:
    """Match on the event loop itself (tests and tiny rounds: nothing to start or stop)."""
    return match_round(matching)


async def thread_matcher(matching: MatchingInput) -> MatchingResult:
    """Match in a thread (the GIL still stalls the loop: kept for the bench's comparison)."""
    return await asyncio.to_thread(match_round, matching)


class ProcessMatcher:
    """Matches in one worker process, made on first use ("spawn": no forked state)."""

    def __init__(self, context: str = "spawn") -> None:
        self._context = context
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False

    def _executor(self) -> ProcessPoolExecutor:
        if self._closed:
            raise RuntimeError("the pairing matcher is closed")
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context(self._context)
            )
        return self._pool

    async def __call__(self, matching: MatchingInput) -> MatchingResult:
        """Run `match_round` in the worker; a worker that died is replaced once."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor(), match_round, matching)
        except BrokenProcessPool:
            log.warning("The pairing worker stopped; starting a new one")
            await self._shutdown()
            return await loop.run_in_executor(self._executor(), match_round, matching)

    async def _shutdown(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)

    async def close(self) -> None:
        """Stop the worker (waiting for it to exit); later rounds are refused."""
        self._closed = True
        await self._shutdown()
