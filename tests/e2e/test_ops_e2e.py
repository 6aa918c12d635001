"""The operator's port: /healthz says whether Hearth is well, /metrics counts without naming."""

from __future__ import annotations

import re

import aiohttp

from bot.app import Hearth
from emulator import Emulator
from tests.e2e.checkin_helpers import make_ready, share
from tests.e2e.conftest import Community, StartHearth, configure

NOTE = "a note nobody else should see 9917"


async def get(hearth: Hearth, path: str) -> tuple[int, str]:
    """Fetch a page from Hearth's operator port."""
    assert hearth.ops is not None and hearth.ops.port
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{hearth.ops.port}{path}") as response,
    ):
        return response.status, await response.text()


async def test_healthz_is_ok_while_connected_and_503_with_the_reason_when_not(
    emu: Emulator, community: Community, start_hearth: StartHearth
) -> None:
    """200 "ok" when gateway, database and jobs are well; 503 naming the gateway while cut off."""
    hearth = await start_hearth(http_port=0)
    await hearth.serve_ops()
    assert await get(hearth, "/healthz") == (200, "ok\n")
    await emu.disconnect_gateway(reconnect=False)
    await emu.wait_until(lambda: not hearth.bot.gateway_connected, 5, "cut off")
    status, text = await get(hearth, "/healthz")
    assert status == 503 and "gateway" in text
    # discord.py identifies again after a few seconds, and Hearth is well again.
    await emu.wait_until(lambda: hearth.bot.gateway_connected, 15, "connected again")
    await emu.wait_until_guild_available(community.guild.id, timeout=5)
    assert await get(hearth, "/healthz") == (200, "ok\n")


async def test_metrics_count_interactions_and_never_name_anyone(
    emu: Emulator, community: Community, start_hearth: StartHearth
) -> None:
    """After a full flow, /metrics has counts by command and outcome, and no id or text."""
    hearth = await start_hearth(http_port=0)
    await hearth.serve_ops()
    await configure(emu, community)
    c = await make_ready(emu, community)
    await share(emu, c, c.alice.id, note=NOTE)
    h = await emu.slash(c.bob.id, "crisis", guild_id=c.guild.id, country="GB")
    await h.response()
    refused = await emu.slash(
        c.bob.id, "checkin reminder set", guild_id=c.guild.id, time="25:99", timezone="Mars/Olympus"
    )
    await refused.original()
    status, text = await get(hearth, "/metrics")
    assert status == 200
    assert 'hearth_interactions_total{command="crisis",kind="command"} 1.0' in text
    assert re.search(
        r'hearth_interaction_outcomes_total\{command="checkin reminder set",'
        r'kind="command",outcome="refused"\} 1.0',
        text,
    )
    assert "hearth_interaction_answer_seconds_bucket" in text
    ids = {str(x) for x in (c.guild.id, c.alice.id, c.bob.id, c.moderator.id, c.checkins.id)}
    ids |= {m["id"] for m in emu.channel_messages(c.checkins.id)}
    assert not any(i in text for i in ids)
    assert NOTE not in text and "alice" not in text
