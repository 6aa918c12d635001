"""The group agreement, end to end through the emulator."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.app import Hearth
from bot.clock import FakeClock
from bot.ui.replies import ANSWER_WITHIN
from emulator import Emulator
from tests.e2e.conftest import Community, StartHearth, write_agreement

DEFERRED_UPDATE = 6

EPHEMERAL = 64


def labels(message: dict) -> list[str]:
    """Return the labels of every button on a message."""
    return [
        c.get("label") for row in message.get("components", []) for c in row.get("components", [])
    ]


async def read_card(emu: Emulator, c: Community, who: int) -> tuple[object, dict]:
    """Run /agreement read as a member and return the handle and the private card."""
    h = await emu.slash(who, "agreement read", guild_id=c.guild.id)
    body = await h.response()
    return h, body["data"]


async def test_read_shows_current_version_privately_with_accept_and_not_now(
    emu: Emulator, configured: Community
) -> None:
    """/agreement read answers privately with the numbered points and two buttons."""
    c = configured
    _h, card = await read_card(emu, c, c.alice.id)
    assert card["flags"] & EPHEMERAL
    assert "1. We listen without judging." in card["embeds"][0]["description"]
    assert labels(card) == ["Accept", "Not now"]
    assert card["allowed_mentions"]["parse"] == []


async def test_accept_grants_member_role_and_records_the_version(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Accept records a ledger row and the member role appears in the emulator's world."""
    c = configured
    h, _card = await read_card(emu, c, c.alice.id)
    clicked = await emu.click(c.alice.id, h.message, label="Accept")
    await clicked.response()
    final = await clicked.original()
    assert "Thank you for accepting" in final["content"]
    assert emu.member_has_role(c.guild.id, c.alice.id, c.member_role.id)
    assert await hearth.services.agreement.has_accepted_current(c.guild.id, c.alice.id)


async def test_not_now_changes_nothing(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Not now answers kindly and grants nothing."""
    c = configured
    h, _ = await read_card(emu, c, c.bob.id)
    clicked = await emu.click(c.bob.id, h.message, label="Not now")
    body = await clicked.response()
    assert body["type"] == 7
    assert "take your time" in body["data"]["content"]
    assert not emu.member_has_role(c.guild.id, c.bob.id, c.member_role.id)
    assert not await hearth.services.agreement.has_accepted_current(c.guild.id, c.bob.id)


async def test_twenty_concurrent_accepts_give_one_row_and_one_role_grant(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Twenty clicks at once give one ledger row and one role grant request."""
    c = configured
    h, _ = await read_card(emu, c, c.alice.id)
    before = len(emu.requests)
    clicks = await asyncio.gather(
        *(emu.click(c.alice.id, h.message, label="Accept") for _ in range(20))
    )
    await asyncio.gather(*(click.original() for click in clicks))
    grants = [
        r
        for r in emu.requests[before:]
        if r.method == "PUT" and r.path.endswith(f"/members/{c.alice.id}/roles/{c.member_role.id}")
    ]
    assert len(grants) == 1
    export = await hearth.services.data_rights.export(c.alice.id)
    assert len(export["data"]["agreement"]["acceptances"]) == 1


async def test_member_who_has_not_accepted_never_gets_the_role(
    emu: Emulator, configured: Community
) -> None:
    """Reading the agreement without accepting never grants the role."""
    c = configured
    await read_card(emu, c, c.bob.id)
    assert not any(r.method == "PUT" and "/roles/" in r.path for r in emu.requests)


async def test_require_agreement_points_to_the_agreement(
    emu: Emulator, configured: Community
) -> None:
    """A feature gated by require_agreement points a new member to the agreement, privately."""
    c = configured
    h = await emu.slash(c.bob.id, "gated", guild_id=c.guild.id)
    body = await h.response()
    assert body["data"]["flags"] & EPHEMERAL
    assert "/agreement read" in body["data"]["content"]
    assert labels(body["data"]) == ["Read the agreement"]
    h, _ = await read_card(emu, c, c.bob.id)
    await (await emu.click(c.bob.id, h.message, label="Accept")).original()
    h = await emu.slash(c.bob.id, "gated", guild_id=c.guild.id)
    assert (await h.response())["data"]["content"] == "You're in."


async def test_welcome_button_works_after_a_restart(
    emu: Emulator, configured: Community, start_hearth: StartHearth
) -> None:
    """The welcome message's button keeps working after the bot restarts on the same database."""
    c = configured
    h = await emu.slash(c.moderator.id, "setup welcome", guild_id=c.guild.id)
    assert "Posted the welcome message" in (await h.response())["data"]["content"]
    welcome = emu.channel_messages(c.welcome.id)[-1]
    assert labels(welcome) == ["Read the agreement"]
    await start_hearth()  # a new process on the same database
    clicked = await emu.click(c.alice.id, welcome, label="Read the agreement")
    body = await clicked.response()
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert labels(body["data"]) == ["Accept", "Not now"]
    accept = await emu.click(c.alice.id, clicked.message, label="Accept")
    await accept.original()
    assert emu.member_has_role(c.guild.id, c.alice.id, c.member_role.id)


async def test_editor_saves_versions_with_author_and_kind(
    emu: Emulator, configured: Community
) -> None:
    """Every save is a new version; history shows author, date and kind of change."""
    c = configured
    answer = await write_agreement(
        emu,
        c,
        "Our group agreement",
        "We listen without judging!\nWhat is shared here stays here.",
        "minor",
    )
    assert "Saved version 2 (minor wording fix)" in answer["data"]["content"]
    h = await emu.slash(c.moderator.id, "agreement history", guild_id=c.guild.id)
    content = (await h.response())["data"]["content"]
    assert "**Version 2** · minor wording fix" in content
    assert "**Version 1** · first version" in content
    assert f"<@{c.moderator.id}>" in content


async def test_editor_refuses_an_empty_agreement_kindly(
    emu: Emulator, configured: Community
) -> None:
    """An agreement with no points is refused with a private explanation."""
    c = configured
    answer = await write_agreement(emu, c, "Our group agreement", "   \n  ", "minor")
    assert answer["data"]["flags"] & EPHEMERAL
    assert "at least one point" in answer["data"]["content"]


async def test_members_cannot_use_moderator_subcommands(
    emu: Emulator, configured: Community
) -> None:
    """A member who is not a moderator is told plainly what is needed."""
    c = configured
    for path in ("agreement status", "agreement history"):
        h = await emu.slash(c.alice.id, path, guild_id=c.guild.id)
        body = await h.response()
        assert body["data"]["flags"] & EPHEMERAL
        assert "for moderators" in body["data"]["content"]


async def accept(emu: Emulator, c: Community, who: int) -> None:
    """Read and accept the current agreement as a member (in whatever language they read it)."""
    h, _ = await read_card(emu, c, who)
    [button] = [
        b["custom_id"]
        for row in h.message["components"]
        for b in row["components"]
        if b.get("custom_id", "").startswith("hearth:agreement:accept:")
    ]
    await (await emu.click(who, h.message, custom_id=button)).original()


async def test_material_change_asks_again_by_dm_once_with_a_diff(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """After a material change, earlier acceptors get one private DM showing what changed."""
    c = configured
    await accept(emu, c, c.alice.id)
    answer = await write_agreement(
        emu,
        c,
        "Our group agreement",
        "We listen without judging.\nNo advice unless asked.",
        "material",
    )
    assert "1 member who accepted an earlier version will be asked" in answer["data"]["content"]
    await emu.wait_for_dm(c.alice.id)  # saving starts the job at once
    await hearth.scheduler.run_now("agreement.reaccept")
    dms = emu.dm_messages(c.alice.id)
    assert len(dms) == 1
    description = dms[0]["embeds"][0]["description"]
    assert "- What is shared here stays here." in description
    assert "+ No advice unless asked." in description
    assert labels(dms[0]) == ["Read the agreement"]
    status = await emu.slash(c.moderator.id, "agreement status", guild_id=c.guild.id)
    assert "Pending re-acceptance**: 1" in (await status.response())["data"]["content"]


async def test_reaccepting_from_the_dm_restores_standing(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """The DM's button opens the new version and Accept works from the DM."""
    c = configured
    await accept(emu, c, c.alice.id)
    await write_agreement(
        emu, c, "Our group agreement", "We listen.\nNo advice unless asked.", "material"
    )
    dm = await emu.wait_for_dm(c.alice.id)
    opened = await emu.click(c.alice.id, dm, label="Read the agreement")
    assert labels((await opened.response())["data"]) == ["Accept", "Not now"]
    await (await emu.click(c.alice.id, opened.message, label="Accept")).original()
    assert await hearth.services.agreement.has_accepted_current(c.guild.id, c.alice.id)


async def test_closed_dms_mean_a_notice_at_next_use(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """If the DM cannot be delivered, the member is told once at their next use of Hearth."""
    c = configured
    await accept(emu, c, c.alice.id)
    emu.close_dms(c.alice.id)
    await write_agreement(
        emu, c, "Our group agreement", "We listen.\nNo advice unless asked.", "material"
    )
    await emu.wait_for_request(lambda r: r.method == "POST" and r.status == 403)
    await hearth.scheduler.run_now("agreement.reaccept")
    assert emu.dm_messages(c.alice.id) == []
    h = await emu.slash(c.alice.id, "noop", guild_id=c.guild.id)
    await h.response()
    notice = await h.followup(0)
    assert notice["flags"] & EPHEMERAL
    assert "has changed" in notice["embeds"][0]["title"]
    again = await emu.slash(c.alice.id, "noop", guild_id=c.guild.id)
    await again.response()
    await asyncio.sleep(0.05)
    assert again.followups == []


async def test_grace_period_end_takes_the_role_back_until_accepted(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """When the grace period ends without re-acceptance, the member role is removed."""
    c = configured
    await accept(emu, c, c.alice.id)
    assert emu.member_has_role(c.guild.id, c.alice.id, c.member_role.id)
    await write_agreement(
        emu, c, "Our group agreement", "We listen.\nNo advice unless asked.", "material"
    )
    clock.advance(timedelta(days=7, minutes=1))
    await hearth.scheduler.run_now("agreement.grace")
    assert not emu.member_has_role(c.guild.id, c.alice.id, c.member_role.id)
    logged = await emu.wait_for_message(c.modlog.id, lambda m: "grace period" in m["content"])
    assert logged["content"].startswith("📝 Hearth took back the member role from 1 member(s)")
    await accept(emu, c, c.alice.id)
    assert emu.member_has_role(c.guild.id, c.alice.id, c.member_role.id)


async def test_quiz_pass_accepts_and_fail_keeps_only_the_result(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """With a quiz, a wrong answer gets a gentle retry; a right one accepts; only pass/fail is kept."""
    c = configured
    h = await emu.slash(
        c.moderator.id,
        "agreement quiz set",
        guild_id=c.guild.id,
        question="What happens to what is shared here?",
        answer1="It stays here",
        answer2="I can repost it",
        correct=1,
    )
    await h.response()
    card, _ = await read_card(emu, c, c.alice.id)
    asked = await emu.click(c.alice.id, card.message, label="Accept")
    body = await asked.response()
    assert "What happens to what is shared here?" in body["data"]["content"]
    wrong = await emu.select(c.alice.id, asked.message, values=["1"])
    assert "Not quite" in (await wrong.response())["data"]["content"]
    assert not emu.member_has_role(c.guild.id, c.alice.id, c.member_role.id)
    card, _ = await read_card(emu, c, c.alice.id)
    asked = await emu.click(c.alice.id, card.message, label="Accept")
    await asked.response()
    right = await emu.select(c.alice.id, asked.message, values=["0"])
    await right.original()
    assert emu.member_has_role(c.guild.id, c.alice.id, c.member_role.id)
    exported = await hearth.services.data_rights.export(c.alice.id)
    results = exported["data"]["agreement"]["quiz_results"]
    assert [r["passed"] for r in results] == [False, True]
    assert all(set(r) == {"server_id", "version", "passed", "at"} for r in results)


async def test_reacceptance_dms_survive_discord_rate_limits(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """A 429 on a re-acceptance DM is waited out; the member still gets exactly one message."""
    c = configured
    await accept(emu, c, c.alice.id)
    await accept(emu, c, c.bob.id)
    # Only the DMs should meet the rate limit in this test, so the mod log stays quiet.
    await hearth.services.settings.update(c.guild.id, c.moderator.id, "", modlog_channel_id=None)
    emu.inject_fault(
        method="POST",
        route="/channels/{channel_id}/messages",
        status=429,
        times=2,
        retry_after=0.02,
    )
    await write_agreement(
        emu, c, "Our group agreement", "We listen.\nNo advice unless asked.", "material"
    )
    await emu.wait_for_dm(c.alice.id)
    await emu.wait_for_dm(c.bob.id)
    await hearth.scheduler.run_now("agreement.reaccept")
    assert len(emu.dm_messages(c.alice.id)) == 1
    assert len(emu.dm_messages(c.bob.id)) == 1
    dm_channels = {emu.world.dm_channels[u].id for u in (c.alice.id, c.bob.id)}
    limited = [
        r for r in emu.requests if r.status == 429 and int(r.path.split("/")[-2]) in dm_channels
    ]
    assert limited, "the test should have rate-limited at least one DM"


async def test_bad_quiz_is_refused_kindly(emu: Emulator, configured: Community) -> None:
    """A quiz whose right answer does not exist is refused with a private explanation."""
    c = configured
    h = await emu.slash(
        c.moderator.id,
        "agreement quiz set",
        guild_id=c.guild.id,
        question="Is this safe?",
        answer1="Yes",
        answer2="No",
        correct=4,
    )
    body = await h.response()
    assert body["data"]["flags"] & EPHEMERAL
    assert "a number from 1 to 2" in body["data"]["content"]


async def test_agreement_read_before_any_agreement_is_explained(
    emu: Emulator, hearth: Hearth, community: Community
) -> None:
    """Asking for the agreement before moderators wrote one gets a kind explanation."""
    h = await emu.slash(community.alice.id, "agreement read", guild_id=community.guild.id)
    body = await h.response()
    assert body["data"]["flags"] & EPHEMERAL
    assert "hasn't written its group agreement yet" in body["data"]["content"]


async def test_no_agreement_notice_after_crisis(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Someone looking for crisis help never gets an agreement notice tacked on."""
    c = configured
    await accept(emu, c, c.alice.id)
    emu.close_dms(c.alice.id)
    await write_agreement(
        emu, c, "Our group agreement", "We listen.\nNo advice unless asked.", "material"
    )
    await emu.wait_for_request(lambda r: r.method == "POST" and r.status == 403)
    h = await emu.slash(c.alice.id, "crisis", guild_id=c.guild.id, country="GB")
    await h.response()
    later = await emu.slash(c.alice.id, "noop", guild_id=c.guild.id)
    await later.response()
    notice = await later.followup(0)
    assert "has changed" in notice["embeds"][0]["title"]
    assert h.followups == []


async def test_accept_again_after_the_role_could_not_be_granted(
    emu: Emulator, configured: Community
) -> None:
    """If Discord refused the role, the member is told, and Accept works again once it is fixed."""
    c = configured
    emu.set_role_position(c.guild.id, c.member_role.id, c.guild.bot_role.position + 1)
    h, _ = await read_card(emu, c, c.alice.id)
    first = await (await emu.click(c.alice.id, h.message, label="Accept")).original()
    assert "couldn't give you the member role" in first["content"]
    assert not emu.member_has_role(c.guild.id, c.alice.id, c.member_role.id)
    emu.set_role_position(c.guild.id, c.member_role.id, 1)
    h, card = await read_card(emu, c, c.alice.id)
    assert labels(card) == ["Accept", "Not now"]
    await (await emu.click(c.alice.id, h.message, label="Accept")).original()
    assert emu.member_has_role(c.guild.id, c.alice.id, c.member_role.id)


async def test_a_slow_quiz_answer_still_accepts(
    emu: Emulator, configured: Community, hearth: Hearth, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A right answer checked after the deadline watchdog deferred it still accepts, once."""
    c = configured
    h = await emu.slash(
        c.moderator.id,
        "agreement quiz set",
        guild_id=c.guild.id,
        question="What happens to what is shared here?",
        answer1="It stays here",
        answer2="I can repost it",
        correct=1,
    )
    await h.response()
    agreement = hearth.services.agreement
    answer_quiz = agreement.answer_quiz

    async def slow_answer(*args: int) -> bool:
        await asyncio.sleep(ANSWER_WITHIN + 0.3)
        return await answer_quiz(*args)

    monkeypatch.setattr(agreement, "answer_quiz", slow_answer)
    card, _ = await read_card(emu, c, c.alice.id)
    asked = await emu.click(c.alice.id, card.message, label="Accept")
    await asked.response()
    right = await emu.select(c.alice.id, asked.message, values=["0"])
    assert (await right.response(timeout=3))["type"] == DEFERRED_UPDATE
    answer = await right.original(timeout=5)
    assert "Thank you for accepting" in answer["content"]
    assert emu.member_has_role(c.guild.id, c.alice.id, c.member_role.id)
