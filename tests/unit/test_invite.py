"""The README's invite asks for exactly the permissions Hearth names, bit by bit."""

from __future__ import annotations

import re
from pathlib import Path

import discord

from bot.invite import INVITE_PERMISSIONS, REASONS, invite_url

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
# discord.py's names for the permissions whose Discord name differs from the flag's words.
DISPLAY = {"view_channel": "View Channels"}


def _display(flag: str) -> str:
    return DISPLAY.get(flag) or " ".join(word.capitalize() for word in flag.split("_")).replace(
        " In ", " in "
    )


def test_the_readme_integer_and_link_are_the_code_s() -> None:
    """The integer in the text and the one in the link are Hearth's own."""
    assert f"**{INVITE_PERMISSIONS.value}**" in README
    assert invite_url() in README
    assert re.findall(r"permissions=(\d+)", README) == [str(INVITE_PERMISSIONS.value)]


def test_the_table_names_every_bit_and_only_those() -> None:
    """Each row of the permissions table is one bit of the integer, with its reason."""
    rows = re.findall(r"^\| ([A-Z][^|]+?) \| ([^|]+?) \|$", README, flags=re.M)
    table = {name: reason for name, reason in rows if name != "permission"}
    wanted = {_display(flag): reason for flag, reason in REASONS.items()}
    assert {k: v for k, v in table.items() if k in wanted} == wanted
    bits = [discord.Permissions(**{flag: True}).value for flag in REASONS]
    assert sum(bits) == INVITE_PERMISSIONS.value  # one distinct bit per row, no other bit
    assert all(bit & (bit - 1) == 0 for bit in bits)


def test_circle_rooms_and_events_can_be_opened() -> None:
    """Connect and Create Events are asked for (Discord requires them for rooms and events)."""
    assert INVITE_PERMISSIONS.connect and INVITE_PERMISSIONS.create_events
    assert INVITE_PERMISSIONS.value & discord.Permissions(connect=True).value
