"""The in-memory cache of database reads: age limit, forgetting, and no stale value coming back."""

from __future__ import annotations

from bot.services.cache import TimedCache


class Ticks:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_dropped_once_it_is_ttl_seconds_old() -> None:
    """Another process's change is seen at the latest `ttl` seconds after the read."""
    ticks = Ticks()
    cache: TimedCache[int, str] = TimedCache(30, ticks)
    cache.put(1, "read", cache.generation(1))
    ticks.now = 29.9
    assert cache.get(1) == "read"
    ticks.now = 30
    assert cache.get(1) is None


def test_a_read_that_started_before_a_change_is_never_stored() -> None:
    """A value read before this process changed it cannot come back after `forget`."""
    cache: TimedCache[int, str] = TimedCache(30, Ticks())
    before = cache.generation(1)
    cache.forget(1)  # a change committed while the read was under way
    cache.put(1, "stale", before)
    assert cache.get(1) is None
    cache.put(1, "fresh", cache.generation(1))
    assert cache.get(1) == "fresh"


def test_clear_drops_everything_and_stops_reads_under_way() -> None:
    """After clear, nothing is held, and reads that began before it store nothing."""
    cache: TimedCache[int, str] = TimedCache(30, Ticks())
    cache.put(1, "one", cache.generation(1))
    before = cache.generation(2)
    cache.clear()
    cache.put(2, "stale", before)
    assert cache.get(1) is None and cache.get(2) is None


def test_replace_keeps_the_age_of_the_value_it_updates() -> None:
    """Adding this process's own writes never makes a value look freshly read."""
    ticks = Ticks()
    cache: TimedCache[int, str] = TimedCache(30, ticks)
    cache.put(1, "read", cache.generation(1))
    ticks.now = 20
    cache.replace(1, "read + mine", cache.generation(1))
    assert cache.get(1) == "read + mine"
    ticks.now = 30
    assert cache.get(1) is None
    cache.replace(1, "gone", cache.generation(1))  # nothing held: nothing to update
    assert cache.get(1) is None
