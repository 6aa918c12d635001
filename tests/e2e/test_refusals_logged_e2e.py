"""Discord's refusals are logged as one line with the route and the code, never as a bug."""

from __future__ import annotations

import logging

import pytest

from bot.app import Hearth
from emulator import Emulator, Permissions, overwrite
from tests.e2e.checkin_helpers import set_checkins
from tests.e2e.conftest import Community


async def test_a_moderator_log_hearth_may_not_post_in_is_one_warning_line(
    emu: Emulator, configured: Community, hearth: Hearth, caplog: pytest.LogCaptureFixture
) -> None:
    """403 50013 on the moderator log: one WARNING naming the route and code, no traceback,
    no member id; the moderator's change itself is saved and answered."""
    c = configured
    emu.set_channel_overwrites(
        c.modlog.id, [overwrite(c.guild.bot_role, deny=Permissions.SEND_MESSAGES)]
    )
    caplog.set_level(logging.WARNING)
    answer = await set_checkins(emu, c, delay_minutes=0)
    assert answer["type"] == 4
    [line] = [r for r in caplog.records if "moderator log" in r.getMessage()]
    said = line.getMessage()
    assert line.levelno == logging.WARNING and line.exc_info is None
    assert "403 50013 Missing Permissions on POST /api/v10/channels/{id}/messages" in said
    assert str(c.moderator.id) not in said and str(c.modlog.id) not in said
