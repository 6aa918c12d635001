"""Messages with Hearth's buttons leave nothing behind in memory: no view is kept per message.

Every button and select Hearth sends is a persistent DynamicItem registered once at start-up,
which answers clicks on any message; a view that would be stored for each message sent (the
re-consent DMs after an agreement change go to every member) would grow without bound.
"""

from __future__ import annotations

from bot.app import Hearth
from emulator import Emulator
from tests.e2e.conftest import Community


async def test_cards_forms_and_confirmations_keep_no_view(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """The agreement card, the crisis card and picker, /mydata delete and the welcome keep none."""
    c = configured
    for command, options in (
        ("agreement read", {}),
        ("crisis", {"country": "GB"}),
        ("crisis", {}),
        ("mydata delete", {}),
    ):
        h = await emu.slash(c.alice.id, command, guild_id=c.guild.id, **options)
        body = await h.response()
        assert body["data"].get("components"), command  # it did carry buttons or selects
    h = await emu.slash(c.moderator.id, "setup welcome", guild_id=c.guild.id)
    await h.response()
    assert list(hearth.bot.persistent_views) == []
