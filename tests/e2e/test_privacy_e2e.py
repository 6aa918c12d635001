"""Data rights end to end: what is stored is explained, exported and erased."""

from __future__ import annotations

import json

from bot.app import Hearth
from emulator import Emulator
from tests.e2e.checkin_helpers import make_ready, share
from tests.e2e.conftest import Community
from tests.e2e.test_agreement_e2e import accept

EPHEMERAL = 64


async def test_privacy_explains_every_part(emu: Emulator, configured: Community) -> None:
    """/privacy explains privately what each part of Hearth stores."""
    h = await emu.slash(configured.alice.id, "privacy", guild_id=configured.guild.id)
    data = (await h.response())["data"]
    assert data["flags"] & EPHEMERAL
    text = json.dumps(data["embeds"])
    assert "Group agreement" in text and "/mydata delete" in text


async def export(emu: Emulator, who: int, guild_id: int | None, **options: bool) -> dict:
    """Run /mydata export and return the parsed JSON file."""
    h = await emu.slash(who, "mydata export", guild_id=guild_id, **options)
    await h.response()
    message = await h.followup(0)
    assert message["flags"] & EPHEMERAL
    files = h.followup_files(0) if hasattr(h, "followup_files") else None
    assert files, "the export should come as a file"
    name, content = files[0]
    assert name == "hearth-my-data.json"
    return json.loads(content)


async def test_round_trip_created_exported_deleted_gone(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Data created, exported, deleted after confirmation, and gone from a second export."""
    c = configured
    await accept(emu, c, c.alice.id)
    before = await export(emu, c.alice.id, c.guild.id)
    assert before["data"]["agreement"]["acceptances"][0]["version"] == 1
    h = await emu.slash(c.alice.id, "mydata delete", guild_id=c.guild.id)
    ask = await h.response()
    assert ask["data"]["flags"] & EPHEMERAL and "can't be undone" in ask["data"]["content"]
    confirm = await emu.click(c.alice.id, h.message, label="Yes, erase my data")
    done = await confirm.original()
    assert "has been erased" in done["content"]
    after = await export(emu, c.alice.id, c.guild.id)
    assert after["data"]["agreement"] == {
        "acceptances": [],
        "quiz_results": [],
        "standing": [],
        "versions_written": [],
    }
    assert not await hearth.services.agreement.has_accepted_current(c.guild.id, c.alice.id)


async def test_cancel_keeps_everything(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Choosing to keep the data erases nothing."""
    c = configured
    await accept(emu, c, c.alice.id)
    h = await emu.slash(c.alice.id, "mydata delete", guild_id=c.guild.id)
    await h.response()
    kept = await emu.click(c.alice.id, h.message, label="No, keep it")
    assert "nothing was erased" in (await kept.response())["data"]["content"]
    assert await hearth.services.agreement.has_accepted_current(c.guild.id, c.alice.id)


async def test_moderator_export_includes_their_actions(
    emu: Emulator, configured: Community
) -> None:
    """A moderator's export lists the actions they took and the versions they wrote."""
    data = await export(emu, configured.moderator.id, configured.guild.id)
    assert data["data"]["moderator_actions"]
    assert data["data"]["agreement"]["versions_written"][0]["version"] == 1


async def test_export_works_in_direct_messages(emu: Emulator, configured: Community) -> None:
    """/mydata export also works in a DM with the bot."""
    data = await export(emu, configured.alice.id, None)
    assert data["user_id"] == str(configured.alice.id)


async def test_export_leaves_out_what_would_prove_authorship_unless_asked(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """By default the file counts check-ins and moods per day; the words only when chosen."""
    c = await make_ready(emu, configured)
    await share(emu, c, c.alice.id, mood=2, note="a note only I wrote")
    plain = await export(emu, c.alice.id, c.guild.id)
    text = json.dumps(plain)
    assert "a note only I wrote" not in text
    [day] = plain["data"]["checkins"]["recent_checkins_per_day"]
    assert day["count"] == 1 and day["moods"] == ["low"]
    assert "recent_checkins" not in plain["data"]["checkins"]
    for key in ("ref", "pseudonym", "note"):
        assert f'"{key}"' not in json.dumps(plain["data"]["checkins"])
    full = await export(emu, c.alice.id, c.guild.id, include_checkin_words=True)
    [mine] = full["data"]["checkins"]["recent_checkins"]
    assert mine["note"] == "a note only I wrote" and mine["pseudonym"] and mine["ref"]


async def test_the_export_choice_is_explained_in_the_answer_and_in_privacy(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """The answer says what was left out and how to include it; /privacy says so too."""
    c = configured
    h = await emu.slash(c.alice.id, "mydata export", guild_id=c.guild.id)
    await h.response()
    assert "include_checkin_words:True" in (await h.followup(0))["content"]
    shown = await emu.slash(c.alice.id, "privacy", guild_id=c.guild.id)
    await shown.response()
    rights = shown.embeds[0]["fields"][-1]["value"]
    assert "which posts are yours" in rights
