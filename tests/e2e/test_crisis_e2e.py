"""The crisis signpost, end to end through the emulator: cards, countries, asking, sharing."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.app import Hearth, drain_handlers
from bot.clock import FakeClock
from bot.db.models import Base
from emulator import Emulator, Permissions, overwrite
from tests.e2e.conftest import Community, StartHearth

EPHEMERAL = 64
ROOT = Path(__file__).resolve().parents[2]
RAW = yaml.safe_load((ROOT / "data" / "helplines.yaml").read_text(encoding="utf-8"))
ASK = "Ask someone here to check in on me"
CHOOSE = "Choose another country"


def raw_country(code: str) -> dict[str, Any]:
    """Return a country exactly as written in data/helplines.yaml."""
    return next(entry for entry in RAW["countries"] if entry["code"] == code)


def numbers_of(service: dict[str, Any]) -> list[str]:
    """Return every number of a service as written in the YAML."""
    return [
        n for n in (service.get("phone"), *service.get("phone_alt", []), service.get("sms")) if n
    ]


def card_text(data: dict[str, Any]) -> str:
    """Return all the text of a message's embeds."""
    parts = [data.get("content") or ""]
    for embed in data.get("embeds", []):
        parts += [embed.get("title", ""), embed.get("description", "")]
        for field in embed.get("fields", []):
            parts += [field["name"], field["value"]]
        parts.append(embed.get("footer", {}).get("text", ""))
    return "\n".join(parts)


def labels(message: dict[str, Any]) -> list[str]:
    """Return the labels of every button on a message."""
    return [
        c.get("label")
        for row in message.get("components", [])
        for c in row.get("components", [])
        if c.get("type") == 2
    ]


def select_values(message: dict[str, Any]) -> list[str]:
    """Return the values of every select option on a message."""
    return [
        option["value"]
        for row in message.get("components", [])
        for c in row.get("components", [])
        if c.get("type") == 3
        for option in c["options"]
    ]


async def crisis(emu: Emulator, who: int, guild_id: int | None, **options: Any) -> tuple[Any, dict]:
    """Run /crisis and return the handle and the answer's data."""
    h = await emu.slash(who, "crisis", guild_id=guild_id, **options)
    body = await h.response()
    assert body["type"] == 4
    return h, body["data"]


def make_alerts_private(emu: Emulator, c: Community) -> None:
    """Hide the moderator alerts channel from @everyone, as the README asks."""
    see = Permissions.VIEW_CHANNEL | Permissions.SEND_MESSAGES
    emu.set_channel_overwrites(
        c.alerts.id,
        [
            overwrite(c.guild.everyone_role, deny=Permissions.VIEW_CHANNEL),
            overwrite(c.mods_role, allow=see),
            overwrite(c.guild.bot_role, allow=see | Permissions.EMBED_LINKS),
        ],
    )


@pytest.fixture
def server(hearth: Hearth, community: Community) -> Community:
    """The community with Hearth running: the card needs no setup at all."""
    return community


@pytest.fixture
async def with_alerts(hearth: Hearth, community: Community) -> Community:
    """The community with a moderator role, welcome and moderator-alerts channels chosen."""
    c = community
    await hearth.services.settings.update(
        c.guild.id,
        c.moderator.id,
        "",
        moderator_role_id=c.mods_role.id,
        welcome_channel_id=c.welcome.id,
        alerts_channel_id=c.alerts.id,
    )
    return c


@pytest.fixture
def ready(emu: Emulator, with_alerts: Community) -> Community:
    """A server whose moderator alerts channel is set and private."""
    make_alerts_private(emu, with_alerts)
    return with_alerts


# ----- the card ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["US", "GB", "AU", "SG", "IN"])
async def test_card_shows_emergency_first_and_verified_lines_verbatim(
    emu: Emulator, server: Community, code: str
) -> None:
    """The private card leads with the emergency number and prints every verified line as in the data."""
    c = server
    _h, data = await crisis(emu, c.alice.id, c.guild.id, country=code)
    assert data["flags"] & EPHEMERAL
    assert data["allowed_mentions"]["parse"] == []
    country = raw_country(code)
    embed = data["embeds"][0]
    first, danger = embed["description"].split("\n\n")[:2]
    assert first.startswith("I'm really glad you reached out")
    assert danger == f"**If you are in immediate danger, call `{country['emergency']}`.**"
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    verified = [s for s in country["services"] if not s.get("verify")]
    flagged = [s for s in country["services"] if s.get("verify")]
    assert verified, "each of these countries has verified lines"
    assert list(fields)[: len(verified)] == [s["name"] for s in verified]
    for service in verified:
        value = fields[service["name"]]
        for number in numbers_of(service):
            assert f"`{number}`" in value
        assert (service.get("hours") or "Hours not confirmed") in value
        if service.get("audience"):
            assert service["audience"] in value
    text = card_text(data)
    shown = {n for s in verified for n in numbers_of(s)}
    for service in flagged:
        assert service["name"] not in text
        for number in set(numbers_of(service)) - shown:
            assert number not in text
    assert "press 3" not in text.lower()  # the closed US LGBTQ+ option is never advertised
    for link in RAW["international_fallback"]:
        assert link["url"] in text
    assert labels(data) == [CHOOSE, ASK]


async def test_country_autocomplete_and_names(emu: Emulator, server: Community) -> None:
    """The country option suggests from the dataset and accepts names as well as codes."""
    c = server
    choices = await emu.autocomplete(
        c.alice.id, "crisis", focused="country", guild_id=c.guild.id, country="ind"
    )
    assert choices[0] == {"name": "India (IN)", "value": "IN"}
    _h, data = await crisis(emu, c.alice.id, c.guild.id, country="United Kingdom")
    assert data["embeds"][0]["title"] == "Support in United Kingdom"


async def test_unknown_country_offers_a_choice_and_the_fallback_links(
    emu: Emulator, server: Community
) -> None:
    """An unknown country is said kindly, with every country to pick from and the world links."""
    c = server
    h, data = await crisis(emu, c.alice.id, c.guild.id, country="Atlantis")
    text = card_text(data)
    assert data["flags"] & EPHEMERAL
    assert "couldn't find “Atlantis”" in text
    assert "call your local emergency number" in text
    assert sorted(select_values(data)) == sorted(entry["code"] for entry in RAW["countries"])
    for link in RAW["international_fallback"]:
        assert link["url"] in text
    picked = await emu.select(
        c.alice.id, h.message, values=["SG"], custom_id=_select_with(data, "SG")
    )
    body = await picked.response()
    assert body["type"] == 7
    assert body["data"]["embeds"][0]["title"] == "Support in Singapore"
    assert "call `995`" in body["data"]["embeds"][0]["description"]


def _select_with(data: dict[str, Any], value: str) -> str:
    """Return the custom id of the select offering this value."""
    for row in data["components"]:
        for c in row["components"]:
            if c.get("type") == 3 and any(o["value"] == value for o in c["options"]):
                return c["custom_id"]
    raise AssertionError(f"no select offers {value}")


async def test_without_any_country_the_member_is_asked(emu: Emulator, server: Community) -> None:
    """With no saved country and no server default, /crisis asks, and "choose another" works later."""
    c = server
    h, data = await crisis(emu, c.alice.id, c.guild.id)
    assert data["embeds"][0]["title"] == "Let's find support near you"
    picked = await emu.select(
        c.alice.id, h.message, values=["AU"], custom_id=_select_with(data, "AU")
    )
    card = (await picked.response())["data"]
    assert "call `000`" in card["embeds"][0]["description"]
    again = await emu.click(c.alice.id, picked.message, label=CHOOSE)
    assert (await again.response())["data"]["embeds"][0]["title"] == "Let's find support near you"


async def test_server_default_then_saved_country(emu: Emulator, server: Community) -> None:
    """The server's default country is used until the member saves their own."""
    c = server
    h = await emu.slash(
        c.moderator.id, "crisis-setup settings", guild_id=c.guild.id, default_country="AU"
    )
    assert "Australia" in card_text((await h.response())["data"])
    _h, data = await crisis(emu, c.alice.id, c.guild.id)
    assert data["embeds"][0]["title"] == "Support in Australia"
    saved = await emu.slash(c.alice.id, "crisis-country set", guild_id=c.guild.id, country="GB")
    assert "Saved: **United Kingdom**" in (await saved.response())["data"]["content"]
    _h, data = await crisis(emu, c.alice.id, c.guild.id)
    assert data["embeds"][0]["title"] == "Support in United Kingdom"


async def test_saved_country_survives_a_restart_and_goes_with_mydata_delete(
    emu: Emulator, server: Community, start_hearth: StartHearth
) -> None:
    """A saved country is still there after a restart and gone after /mydata delete."""
    c = server
    h = await emu.slash(c.alice.id, "crisis-country set", guild_id=c.guild.id, country="GB")
    assert (await h.response())["data"]["flags"] & EPHEMERAL
    await start_hearth()  # a new process on the same database
    _h, data = await crisis(emu, c.alice.id, c.guild.id)
    assert data["embeds"][0]["title"] == "Support in United Kingdom"
    export = await emu.slash(c.alice.id, "mydata export", guild_id=c.guild.id)
    await export.response()
    await export.followup(0)
    exported = json.loads(export.followup_files(0)[0][1])
    assert exported["data"]["crisis"]["country"]["code"] == "GB"
    delete = await emu.slash(c.alice.id, "mydata delete", guild_id=c.guild.id)
    await delete.response()
    await (await emu.click(c.alice.id, delete.message, label="Yes, erase my data")).original()
    _h, data = await crisis(emu, c.alice.id, c.guild.id)
    assert data["embeds"][0]["title"] == "Let's find support near you"


async def test_crisis_works_in_direct_messages(emu: Emulator, server: Community) -> None:
    """In a DM with the bot, /crisis and /crisis-country work, without server-only buttons."""
    c = server
    _h, data = await crisis(emu, c.alice.id, None, country="IN")
    assert data["flags"] & EPHEMERAL
    assert "call `112`" in data["embeds"][0]["description"]
    assert labels(data) == [CHOOSE]
    h = await emu.slash(c.alice.id, "crisis-country set", country="SG")
    await h.response()
    _h, data = await crisis(emu, c.alice.id, None)
    assert data["embeds"][0]["title"] == "Support in Singapore"


async def test_commands_are_registered_as_documented(emu: Emulator, hearth: Hearth) -> None:
    """/crisis works in servers and DMs; settings are for Manage Server; the message menu exists."""
    commands = {(cmd["name"], cmd.get("type", 1)): cmd for cmd in emu.world.commands[None]}
    assert set(commands[("crisis", 1)]["contexts"]) == {0, 1}
    assert commands[("crisis-setup", 1)]["default_member_permissions"] == str(1 << 5)
    assert commands[("Share support resources", 3)]["contexts"] == [0]
    assert {"crisis-country", "crisis-shares"} <= {name for name, _ in commands}


# ----- local resources --------------------------------------------------------------------------


async def test_local_resources_show_after_the_national_lines(
    emu: Emulator, server: Community
) -> None:
    """Moderators' local resources follow the national lines; a country-specific one only there."""
    c = server
    for name, country in (
        ("Harbour peer line", None),
        ("Harbour UK group", "GB"),
        ("Harbour US group", "US"),
    ):
        options = {"name": name, "reach": "DM @harbour-team", "description": "Peers who listen."}
        if country:
            options["country"] = country
        h = await emu.slash(
            c.moderator.id, "crisis-setup resources add", guild_id=c.guild.id, **options
        )
        assert "Added" in (await h.response())["data"]["content"]
    _h, data = await crisis(emu, c.alice.id, c.guild.id, country="GB")
    names = [field["name"] for field in data["embeds"][0]["fields"]]
    national = [s["name"] for s in raw_country("GB")["services"] if not s.get("verify")]
    assert names[: len(national)] == national
    assert names[len(national) :] == [
        "In this community",
        "🏠 Harbour peer line",
        "🏠 Harbour UK group",
        "Somewhere else?",
    ]
    choices = await emu.autocomplete(
        c.moderator.id,
        "crisis-setup resources remove",
        focused="resource",
        guild_id=c.guild.id,
        resource="UK",
    )
    assert [choice["name"] for choice in choices] == ["Harbour UK group"]
    h = await emu.slash(
        c.moderator.id,
        "crisis-setup resources remove",
        guild_id=c.guild.id,
        resource=choices[0]["value"],
    )
    assert "Removed **Harbour UK group**" in (await h.response())["data"]["content"]
    listed = await emu.slash(c.moderator.id, "crisis-setup resources list", guild_id=c.guild.id)
    text = card_text((await listed.response())["data"])
    assert "Harbour peer line" in text and "Harbour UK group" not in text
    assert "Harbour US group" in text and "United States only" in text


# ----- asking for a person ----------------------------------------------------------------------


async def ask(
    emu: Emulator, c: Community, who: int, choice: str, country: str = "US"
) -> tuple[Any, dict]:
    """Open the card, press the ask button, choose, and return the final handle and message."""
    h, _data = await crisis(emu, who, c.guild.id, country=country)
    offer = await emu.click(who, h.message, label=ASK)
    offered = (await offer.response())["data"]
    assert offered["flags"] & EPHEMERAL
    assert "peers who care, not a crisis service" in offered["content"]
    assert "call `911`" in offered["content"]
    assert labels(offered) == ["Yes, share my name", "No, stay anonymous", "Not now"]
    sent = await emu.click(who, offer.message, label=choice)
    return sent, await sent.original()


async def test_named_request_reaches_only_the_moderator_channel(
    emu: Emulator, ready: Community
) -> None:
    """A named request posts a card in the private alerts channel and tells the member plainly."""
    c = ready
    before = {
        cid: len(emu.channel_messages(cid)) for cid in (c.general.id, c.welcome.id, c.checkins.id)
    }
    _sent, told = await ask(emu, c, c.alice.id, "Yes, share my name")
    assert "moderator channel" in told["content"] and "**alice**" in told["content"]
    assert "peers who care, not a crisis service" in told["content"]
    assert told["components"] == []
    alert = emu.channel_messages(c.alerts.id)[-1]
    assert f"<@{c.alice.id}>" in alert["embeds"][0]["description"]
    assert alert["content"] == f"<@&{c.mods_role.id}> someone would like a check-in."
    assert [str(r) for r in alert["allowed_mentions"]["roles"]] == [str(c.mods_role.id)]
    assert labels(alert) == ["I'll reach out", "Need backup"]
    after = {cid: len(emu.channel_messages(cid)) for cid in before}
    assert after == before


async def test_claim_and_backup_show_on_the_card(emu: Emulator, ready: Community) -> None:
    """I'll reach out records who and shows it; a second moderator is told; Need backup pings once."""
    c = ready
    await ask(emu, c, c.alice.id, "Yes, share my name")
    alert = emu.channel_messages(c.alerts.id)[-1]
    other = emu.add_member(c.guild.id, emu.create_user("kit").id, roles=[c.mods_role.id])
    first = await emu.click(c.moderator.id, alert, label="I'll reach out")
    second = await emu.click(other.id, alert, label="I'll reach out")  # both pressed at once
    bodies = {c.moderator.id: await first.response(), other.id: await second.response()}
    [winner] = [who for who, body in bodies.items() if body["type"] == 7]
    [loser] = [body["data"] for body in bodies.values() if body["type"] == 4]
    assert loser["flags"] & EPHEMERAL and f"<@{winner}> is already reaching out" in loser["content"]
    card = emu.channel_messages(c.alerts.id)[-1]
    status = card["embeds"][0]["fields"][0]["value"]
    assert f"<@{winner}> is reaching out" in status
    assert f"<@{c.alice.id}>" in card["embeds"][0]["description"]
    assert labels(card) == ["Need backup", "Open a private thread"]
    backup = await emu.click(other.id, card, label="Need backup")
    assert (await backup.response())["type"] == 7
    await drain_handlers(2.0)
    messages = emu.channel_messages(c.alerts.id)
    assert f"<@{other.id}> asked for backup" in messages[-2]["embeds"][0]["fields"][1]["value"]
    assert labels(messages[-2])[0] == "Backup asked for"
    ping = messages[-1]
    assert ping["content"].startswith(f"<@&{c.mods_role.id}> <@{other.id}> asked for backup")
    assert [str(r) for r in ping["allowed_mentions"]["roles"]] == [str(c.mods_role.id)]


async def test_claimer_opens_a_private_thread_with_exactly_the_member(
    emu: Emulator, ready: Community
) -> None:
    """A named request lets the claimer open a private thread holding just the member and them."""
    c = ready
    await ask(emu, c, c.alice.id, "Yes, share my name")
    alert = emu.channel_messages(c.alerts.id)[-1]
    await (await emu.click(c.moderator.id, alert, label="I'll reach out")).response()
    card = emu.channel_messages(c.alerts.id)[-1]
    opened = await emu.click(c.moderator.id, card, label="Open a private thread")
    told = await opened.original()
    assert told["flags"] & EPHEMERAL and "Opened <#" in told["content"]
    [thread] = [t for t in emu.world.threads.values() if t.parent_id == c.general.id]
    assert thread.type == 12
    assert emu.world.thread_members[thread.id] - {emu.bot_user.id} == {c.alice.id, c.moderator.id}
    first = emu.channel_messages(thread.id)[0]
    assert f"<@{c.alice.id}>" in first["content"] and f"<@{c.moderator.id}>" in first["content"]
    assert sorted(str(u) for u in first["allowed_mentions"]["users"]) == sorted(
        [str(c.alice.id), str(c.moderator.id)]
    )
    await emu.wait_until(
        lambda: (
            "Private thread"
            in emu.channel_messages(c.alerts.id)[-1]["embeds"][0]["fields"][0]["value"]
        ),
        2,
        "the card shows the thread",
    )


async def test_thread_for_a_member_who_left_is_explained_and_not_left_behind(
    emu: Emulator, ready: Community
) -> None:
    """If the member left, the claimer is told and no empty thread stays behind."""
    c = ready
    await ask(emu, c, c.alice.id, "Yes, share my name")
    alert = emu.channel_messages(c.alerts.id)[-1]
    await (await emu.click(c.moderator.id, alert, label="I'll reach out")).response()
    emu.remove_member(c.guild.id, c.alice.id)
    card = emu.channel_messages(c.alerts.id)[-1]
    opened = await emu.click(c.moderator.id, card, label="Open a private thread")
    told = await opened.original()
    assert told["flags"] & EPHEMERAL and "they may have left the server" in told["content"]
    assert [t for t in emu.world.threads.values() if t.parent_id == c.general.id] == []


async def stored_everywhere(hearth: Hearth, database_url: str) -> tuple[str, bytes]:
    """Return every row of every table as text, and the raw SQLite files (WAL too) if any."""
    rows = []
    async with hearth.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows += [repr(tuple(row)) for row in await connection.execute(select(table))]
    raw = b""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    return "\n".join(rows), raw


async def test_anonymous_request_carries_no_identity_anywhere(
    emu: Emulator,
    ready: Community,
    hearth: Hearth,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An anonymous request names nobody: not in what the bot sent, the database, or its logs."""
    c = ready
    caplog.set_level(logging.DEBUG)
    _sent, told = await ask(emu, c, c.alice.id, "No, stay anonymous")
    assert "doesn't say who you are" in told["content"]
    alert = emu.channel_messages(c.alerts.id)[-1]
    assert "anonymously" in alert["embeds"][0]["description"]
    await (await emu.click(c.moderator.id, alert, label="I'll reach out")).response()
    assert labels(emu.channel_messages(c.alerts.id)[-1]) == ["Need backup"]
    await drain_handlers(2.0)
    identity = [str(c.alice.id), c.alice.user.username]
    sent = [
        json.dumps([r.path, r.json, [f[0] for f in r.files]], default=str) for r in emu.requests
    ]
    for mark in identity:
        assert not [s for s in sent if mark in s], mark
    rows, raw = await stored_everywhere(hearth, database_url)
    for mark in identity:
        assert mark not in rows
        assert mark.encode() not in raw
    assert c.alice.id.to_bytes(8, "big") not in raw
    ours = [r.getMessage() for r in caplog.records if r.name.startswith(("bot", "cogs"))]
    assert not [line for line in ours for mark in identity if mark in line]


async def test_asking_is_rate_limited(emu: Emulator, ready: Community, clock: FakeClock) -> None:
    """A second request within half an hour, named or not, is declined kindly; later it works."""
    c = ready
    await ask(emu, c, c.alice.id, "No, stay anonymous")
    posted = len(emu.channel_messages(c.alerts.id))
    sent, _ = await ask(emu, c, c.alice.id, "Yes, share my name")
    declined = await sent.followup(0)
    assert declined["flags"] & EPHEMERAL and "You asked a little while ago" in declined["content"]
    assert len(emu.channel_messages(c.alerts.id)) == posted
    clock.advance(minutes=31)
    await ask(emu, c, c.alice.id, "Yes, share my name")
    assert len(emu.channel_messages(c.alerts.id)) == posted + 1


async def test_without_an_alerts_channel_the_member_is_told_kindly(
    emu: Emulator, server: Community
) -> None:
    """With no moderator channel set, asking explains that kindly and the card stays."""
    c = server
    h, card = await crisis(emu, c.alice.id, c.guild.id, country="GB")
    offer = await emu.click(c.alice.id, h.message, label=ASK)
    data = (await offer.response())["data"]
    assert data["flags"] & EPHEMERAL
    assert "hasn't set up a private moderator channel" in data["content"]
    assert "call `999`" in data["content"]
    assert h.message["embeds"] == card["embeds"]


async def test_a_public_alerts_channel_is_never_used(emu: Emulator, with_alerts: Community) -> None:
    """If @everyone can read the alerts channel, nothing is posted there."""
    c = with_alerts
    _sent, told = await ask(emu, c, c.alice.id, "Yes, share my name")
    assert "isn't private" in told["content"]
    assert emu.channel_messages(c.alerts.id) == []


# ----- sharing resources ------------------------------------------------------------------------


async def share(emu: Emulator, sender: int, message: dict) -> str:
    """Use "Share support resources" on a message and return the private answer's text."""
    h = await emu.message_command(sender, "Share support resources", target=message)
    answer = await h.original()
    assert answer["flags"] & EPHEMERAL
    await drain_handlers(2.0)
    return answer["content"]


async def test_shared_card_buttons_work_from_the_dm(emu: Emulator, ready: Community) -> None:
    """From the DM the recipient can pick a country, keeping the opt-out and the ask button."""
    c = ready
    await share(emu, c.alice.id, emu.post_message(c.bob.id, c.general.id, "hey"))
    [dm] = emu.dm_messages(c.bob.id)
    picked = await emu.select(c.bob.id, dm, values=["GB"], custom_id=_select_with(dm, "GB"))
    card = (await picked.response())["data"]
    assert "call `999`" in card["embeds"][0]["description"]
    assert labels(card) == [CHOOSE, ASK, "Don't send me these again"]
    offer = await emu.click(c.bob.id, picked.message, label=ASK)
    await offer.response()
    sent = await emu.click(c.bob.id, offer.message, label="Yes, share my name")
    await sent.original()
    assert f"<@{c.bob.id}>" in emu.channel_messages(c.alerts.id)[-1]["embeds"][0]["description"]
