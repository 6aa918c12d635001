"""Opening a circle's voice room and giving it back as it was: permission overwrites as bits.

Opening changes only two permissions (View Channel and Connect) in the overwrites it touches,
and remembers each overwrite as it was. Closing puts back, bit by bit, what opening changed:
a touched bit that is still as opening wrote it goes back to how it was before; one someone
changed meanwhile (a moderator) is left as they set it, and so is every bit opening never
touched. An overwrite that did not exist before and has nothing left in it is removed.
"""

from __future__ import annotations

from dataclasses import dataclass

VIEW_CHANNEL = 1 << 10
CONNECT = 1 << 20
ROOM_BITS = VIEW_CHANNEL | CONNECT  # all that opening a room changes


@dataclass(frozen=True)
class Overwrite:
    """One permission overwrite: the bits it allows and the bits it denies."""

    allow: int
    deny: int

    def __post_init__(self) -> None:
        if self.allow < 0 or self.deny < 0 or self.allow & self.deny:
            raise ValueError("an overwrite cannot both allow and deny the same permission")


def opened(before: Overwrite | None, allow: int, deny: int) -> Overwrite:
    """Return `before` with `allow` bits allowed and `deny` bits denied, every other bit kept."""
    base = before or Overwrite(0, 0)
    touched = allow | deny
    return Overwrite((base.allow & ~touched) | allow, (base.deny & ~touched) | deny)


def restored(
    before: Overwrite | None,
    written: Overwrite,
    current: Overwrite | None,
    bits: int = ROOM_BITS,
) -> Overwrite | None:
    """Return the overwrite to put back at close (None: there should be none).

    `before` is how it was when the room opened, `written` what opening set, `current` how it
    is now. For each bit in `bits` still as opening wrote it, take the state before; otherwise
    (and for every bit outside `bits`) keep the current state.
    """
    now = current or Overwrite(0, 0)
    was = before or Overwrite(0, 0)
    unchanged = bits & ~((now.allow ^ written.allow) | (now.deny ^ written.deny))
    allow = (now.allow & ~unchanged) | (was.allow & unchanged)
    deny = (now.deny & ~unchanged) | (was.deny & unchanged)
    if current is None and not unchanged:
        return None  # someone removed it meanwhile: that is how it stays
    if before is None and allow == 0 and deny == 0:
        return None
    return Overwrite(allow, deny)
