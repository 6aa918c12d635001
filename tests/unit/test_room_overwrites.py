"""Opening a room and giving it back: overwrites as bits, merged three ways at close."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.room_overwrites import (
    CONNECT,
    ROOM_BITS,
    VIEW_CHANNEL,
    Overwrite,
    opened,
    restored,
)

SPEAK = 1 << 21
BITS = 0b11 << 10 | 0b111 << 19  # a few permission bits around View Channel and Connect


@st.composite
def overwrites(draw: st.DrawFn) -> Overwrite:
    """Draw an overwrite over a handful of bits, never allowing and denying the same one."""
    allow = draw(st.integers(0, BITS)) & BITS
    deny = draw(st.integers(0, BITS)) & BITS & ~allow
    return Overwrite(allow, deny)


maybe = st.none() | overwrites()
room_bits = st.sampled_from([(VIEW_CHANNEL | CONNECT, 0), (VIEW_CHANNEL, CONNECT)])


def test_an_overwrite_cannot_allow_and_deny_one_permission() -> None:
    """Allowing and denying the same bit is refused."""
    with pytest.raises(ValueError, match="both allow and deny"):
        Overwrite(CONNECT, CONNECT)


def test_opening_a_hidden_role_changes_only_view_and_connect() -> None:
    """The member role's other denies stay; view and connect become what opening needs."""
    hidden = Overwrite(0, VIEW_CHANNEL | SPEAK)
    assert opened(hidden, VIEW_CHANNEL | CONNECT, 0) == Overwrite(VIEW_CHANNEL | CONNECT, SPEAK)
    assert opened(None, VIEW_CHANNEL, CONNECT) == Overwrite(VIEW_CHANNEL, CONNECT)


def test_an_overwrite_opening_added_is_removed_at_close() -> None:
    """Nothing before, untouched since: there is nothing to put back."""
    written = opened(None, VIEW_CHANNEL | CONNECT, 0)
    assert restored(None, written, written) is None


def test_a_moderator_removing_it_meanwhile_is_respected() -> None:
    """An overwrite deleted during the circle stays deleted."""
    before = Overwrite(0, VIEW_CHANNEL)
    assert restored(before, opened(before, VIEW_CHANNEL | CONNECT, 0), None) is None


@given(before=maybe, bits=room_bits)
def test_untouched_since_opening_gives_back_exactly_what_was_there(
    before: Overwrite | None, bits: tuple[int, int]
) -> None:
    """If nobody changed the room while it was open, close restores the overwrite exactly."""
    written = opened(before, *bits)
    assert restored(before, written, written) == before


@given(before=maybe, bits=room_bits, current=overwrites())
def test_what_opening_never_touched_is_left_as_it_is_now(
    before: Overwrite | None, bits: tuple[int, int], current: Overwrite
) -> None:
    """Bits outside View Channel and Connect always keep their current state."""
    result = restored(before, opened(before, *bits), current) or Overwrite(0, 0)
    assert result.allow & ~ROOM_BITS == current.allow & ~ROOM_BITS
    assert result.deny & ~ROOM_BITS == current.deny & ~ROOM_BITS


@given(before=maybe, bits=room_bits, current=overwrites())
def test_a_touched_bit_someone_changed_meanwhile_stays_as_they_set_it(
    before: Overwrite | None, bits: tuple[int, int], current: Overwrite
) -> None:
    """Each room bit goes back to how it was only if it is still as opening wrote it."""
    written = opened(before, *bits)
    was = before or Overwrite(0, 0)
    result = restored(before, written, current) or Overwrite(0, 0)
    for bit in (VIEW_CHANNEL, CONNECT):
        state_now = (bool(current.allow & bit), bool(current.deny & bit))
        state_written = (bool(written.allow & bit), bool(written.deny & bit))
        source = was if state_now == state_written else current
        assert (bool(result.allow & bit), bool(result.deny & bit)) == (
            bool(source.allow & bit),
            bool(source.deny & bit),
        )
