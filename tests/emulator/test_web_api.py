"""The practice page's API: what a user sees, the commands they may use, and acting through it."""

from __future__ import annotations

import asyncio
import json
import tomllib
from collections.abc import AsyncIterator
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from emulator import Emulator, Permissions, overwrite
from emulator.enums import CallbackType, OverwriteType
from emulator.web import WebUI
from emulator.web.server import STATIC
from tests.emulator.conftest import SmallWorld
from tests.emulator.testbot import ProbeBot, running

ROOT = Path(__file__).resolve().parents[2]


class Page:
    """A tiny HTTP client for the page's API, as one user."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base

    async def get(self, path: str, **params: Any) -> Any:
        """GET a JSON endpoint."""
        async with self.session.get(self.base + path, params=params) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def act(self, user_id: int, **body: Any) -> tuple[int, dict[str, Any]]:
        """POST an action and return (status, answer)."""
        async with self.session.post(
            f"{self.base}/ui/api/act", params={"as": str(user_id)}, json=body
        ) as response:
            return response.status, await response.json()


@pytest.fixture
async def page(emu: Emulator) -> AsyncIterator[Page]:
    """Serve the page for the emulator on a free port."""
    web = WebUI(emu)
    await web.start(0)
    async with aiohttp.ClientSession() as session:
        yield Page(session, f"http://127.0.0.1:{web.port}")
    await web.stop()


@pytest.fixture
async def bot(emu: Emulator, world: SmallWorld) -> AsyncIterator[ProbeBot]:
    """Run the test bot until the test ends."""
    async with running(emu, ProbeBot(world.guild.id)) as started:
        yield started


async def test_the_page_and_its_files_are_served(page: Page) -> None:
    """/ serves the page and every file it loads from /static is there."""
    async with page.session.get(page.base + "/") as response:
        html = await response.text()
    assert response.status == 200 and "/static/app.js" in html
    for name in sorted(p.name for p in STATIC.iterdir()):
        async with page.session.get(f"{page.base}/static/{name}") as response:
            assert response.status == 200, name


async def test_other_sites_and_hosts_are_refused(page: Page, world: SmallWorld) -> None:
    """A request from another origin, for another host name, or not in JSON is refused."""
    url = f"{page.base}/ui/api/act?as={world.river.id}"
    body = {"kind": "dismiss", "message_id": "1"}
    async with page.session.post(url, json=body, headers={"Origin": "http://evil.example"}) as r:
        assert r.status == 403
    async with page.session.post(url, json=body, headers={"Host": "evil.example"}) as r:
        assert r.status == 403
    async with page.session.post(url, data=json.dumps(body)) as r:
        assert r.status == 415


async def test_a_user_sees_only_channels_they_may_view(
    emu: Emulator, world: SmallWorld, page: Page
) -> None:
    """A channel hidden from @everyone is listed for a role that may see it, and marked private."""
    secret = emu.create_channel(
        world.guild.id,
        "staff",
        overwrites=[
            overwrite(world.guild.id, deny=Permissions.VIEW_CHANNEL, type=OverwriteType.ROLE),
            overwrite(
                world.member_role.id, allow=Permissions.VIEW_CHANNEL, type=OverwriteType.ROLE
            ),
        ],
    )
    river = (await page.get("/ui/api/view", **{"as": str(world.river.id)}))["state"]
    sky = (await page.get("/ui/api/view", **{"as": str(world.sky.id)}))["state"]
    assert str(secret.id) not in {c["id"] for c in river["guilds"][0]["channels"]}
    [listed] = [c for c in sky["guilds"][0]["channels"] if c["id"] == str(secret.id)]
    assert listed["private"] is True


async def test_ephemeral_answers_are_shown_only_to_their_user(
    emu: Emulator, world: SmallWorld, bot: ProbeBot, page: Page
) -> None:
    """A slash command run from the page answers privately: its user sees it, nobody else."""
    status, answer = await page.act(
        world.river.id, kind="slash", command="ping", channel_id=str(world.channel.id)
    )
    assert status == 200 and answer["type"] == CallbackType.CHANNEL_MESSAGE

    async def shown(user_id: int) -> list[str]:
        data = await page.get(
            "/ui/api/view", **{"as": str(user_id), "channel": str(world.channel.id)}
        )
        return [m["content"] for m in data["channel"]["messages"]]

    assert await shown(world.river.id) == ["pong"]
    assert await shown(world.sky.id) == []


async def test_commands_are_the_registered_ones_this_user_may_use(
    emu: Emulator, world: SmallWorld, bot: ProbeBot, page: Page
) -> None:
    """The command list follows the bot's registration and default_member_permissions."""
    for cmd in emu.world.commands[world.guild.id]:
        if cmd["name"] == "panel":
            cmd["default_member_permissions"] = str(Permissions.MANAGE_GUILD)
    found = await page.get(
        "/ui/api/commands", **{"as": str(world.river.id), "channel": str(world.channel.id)}
    )
    names = {c["name"] for c in found["commands"]}
    assert {"ping", "setup", "crisis", "Report message"} <= names
    assert "panel" not in names


async def test_modal_autocomplete_and_select_through_the_page(
    emu: Emulator, world: SmallWorld, bot: ProbeBot, page: Page
) -> None:
    """A modal opens and is submitted, autocomplete suggests, a select answers: all via the page."""
    where = str(world.channel.id)
    status, opened = await page.act(
        world.river.id, kind="slash", command="checkin", channel_id=where
    )
    assert status == 200 and opened["type"] == CallbackType.MODAL
    modal = opened["modal"]
    status, submitted = await page.act(
        world.river.id,
        kind="modal",
        interaction_id=modal["interaction_id"],
        values={"mood": ["low"], "words": "tired"},
    )
    assert status == 200 and submitted["type"] == CallbackType.CHANNEL_MESSAGE
    status, suggested = await page.act(
        world.river.id,
        kind="autocomplete",
        command="crisis",
        channel_id=where,
        focused="country",
        options={"country": "ire"},
    )
    assert [c["value"] for c in suggested["choices"]] == ["ireland"]
    status, _ = await page.act(world.river.id, kind="slash", command="mood", channel_id=where)
    assert status == 200
    [message] = [
        m
        for m in emu.world.message_index.values()
        if emu.ephemeral_owners.get(int(m["id"])) == world.river.id
        and m["content"] == "how are you?"
    ]
    status, picked = await page.act(
        world.river.id,
        kind="select",
        message_id=message["id"],
        custom_id="mood-select",
        values=["calm"],
    )
    assert status == 200 and picked["type"] == CallbackType.UPDATE_MESSAGE
    assert emu.world.message_index[int(message["id"])]["content"] == "picked calm"


async def test_a_modal_opened_by_someone_else_cannot_be_submitted(
    emu: Emulator, world: SmallWorld, bot: ProbeBot, page: Page
) -> None:
    """Another user's open form is not theirs to submit: a kind error, nothing sent."""
    _, opened = await page.act(
        world.river.id, kind="slash", command="checkin", channel_id=str(world.channel.id)
    )
    status, answer = await page.act(
        world.sky.id,
        kind="modal",
        interaction_id=opened["modal"]["interaction_id"],
        values={"mood": ["ok"]},
    )
    assert status == 400 and "closed" in answer["error"]


async def test_people_post_messages_where_they_may_send(
    emu: Emulator, world: SmallWorld, page: Page
) -> None:
    """Writing a message posts it as that person; where they may not send, it is refused."""
    status, _ = await page.act(
        world.river.id, kind="message", channel_id=str(world.channel.id), content="hello all"
    )
    assert status == 200
    assert emu.channel_messages(world.channel.id)[-1]["content"] == "hello all"
    emu.set_channel_overwrites(
        world.channel.id,
        [overwrite(world.guild.id, deny=Permissions.SEND_MESSAGES, type=OverwriteType.ROLE)],
    )
    status, answer = await page.act(
        world.river.id, kind="message", channel_id=str(world.channel.id), content="again"
    )
    assert status == 400 and "permission" in answer["error"]


async def test_changes_are_pushed_to_open_pages(
    emu: Emulator, world: SmallWorld, page: Page
) -> None:
    """A change in the world sends a `changed` event on the live websocket."""
    async with page.session.ws_connect(page.base.replace("http", "ws") + "/ui/api/live") as ws:
        first = json.loads((await ws.receive(timeout=5)).data)
        assert first["type"] == "status"
        emu.post_message(world.river.id, world.channel.id, "something new")
        pushed = json.loads((await asyncio.wait_for(ws.receive(), 5)).data)
        assert pushed["type"] == "changed"


def test_the_page_ships_in_the_package() -> None:
    """pyproject's package data covers every file of the page, so an installed copy has it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["emulator.web"]
    for path in STATIC.iterdir():
        relative = path.relative_to(STATIC.parent).as_posix()
        assert any(fnmatch(relative, p) for p in patterns), relative
