"""Circles in the reader's language, end to end: posts in the server's, answers in the member's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from bot.app import Hearth
from bot.clock import FakeClock
from bot.db.models import CircleRsvp
from bot.services.circles import REMIND_JOB
from emulator import Emulator
from tests.e2e.conftest import Community
from tests.e2e.test_circles_e2e import EPHEMERAL, FIRST, NOW, VOICE, create_circle, labels


@pytest.fixture
def clock() -> FakeClock:
    """Start the clock a week before the first meeting."""
    return FakeClock(NOW)


def member(emu: Emulator, c: Community, name: str, locale: str) -> Any:
    """Add a member to the community whose Discord client speaks `locale`."""
    return emu.add_member(c.guild.id, emu.create_user(name, locale=locale).id)


async def answer(
    emu: Emulator, hearth: Hearth, c: Community, post: dict, who: int, label: str
) -> str:
    """Accept the agreement as the member, press an RSVP button and return the private answer."""
    await hearth.services.agreement.accept(c.guild.id, who, 1)
    click = await emu.click(who, post, label=label)
    data = await click.original()
    assert data["flags"] & EPHEMERAL
    return str(data["content"])


async def headcount_shows(emu: Emulator, c: Community, words: str) -> None:
    """Wait until the announcement's headcount says these words (it is edited after answers)."""
    await emu.wait_until(
        lambda: words in emu.channel_messages(c.circles.id)[0]["embeds"][0]["description"],
        5,
        f"the headcount to show {words}",
    )


async def reminder_to(emu: Emulator, hearth: Hearth, clock: FakeClock, user_id: int) -> str:
    """Let the day-before reminder go out and return the one the member got."""
    clock.advance(FIRST - clock.now() - timedelta(hours=24) + timedelta(minutes=1))
    await hearth.scheduler.run_now(REMIND_JOB)
    return str((await emu.wait_for_dm(user_id))["content"])


async def test_a_french_server_announces_in_french_while_english_answers_stay_english(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """/setup language fr: the announcement and its buttons are French; en-US answers English."""
    c = configured
    await hearth.services.settings.set_language(c.guild.id, c.moderator.id, "fr")
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    created = await create_circle(emu, c, voice.id)
    assert created["content"].startswith(
        "Created **Tuesday evening circle**: Every Tuesday at 19:00 (Europe/London) for "
        "1 hour 30 minutes, 6 meetings in all."
    )
    post = await emu.wait_for_message(c.circles.id)
    embed = post["embeds"][0]
    assert embed["title"] == "Tuesday evening circle"  # the facilitator's words stay as written
    assert f"**Quand :** <t:{int(FIRST.timestamp())}:F>" in embed["description"]
    assert "**Réponses :** 0 participent sur" not in embed["description"]
    assert "**Réponses :** 0 participe" in embed["description"]
    assert embed["footer"]["text"] == "Ta réponse est privée ; seule l'animation voit qui vient."
    assert labels(post) == ["Je serai là", "Je ne peux pas venir"]
    said = await answer(emu, hearth, c, post, c.alice.id, "Je serai là")
    assert said.startswith("You're in for **Tuesday evening circle**")
    await emu.wait_until(
        lambda: (
            "**Réponses :** 1 participe"
            in emu.channel_messages(c.circles.id)[0]["embeds"][0]["description"]
        ),
        5,
        "the French headcount to settle",
    )


async def test_a_spanish_member_gets_her_rsvp_answer_in_spanish(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """es-ES: the answer to I'll be there is Spanish, on an English server's announcement."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id)
    post = await emu.wait_for_message(c.circles.id)
    assert labels(post) == ["I'll be there", "Can't make it"]
    lucia = member(emu, c, "lucia", "es-ES")
    said = await answer(emu, hearth, c, post, lucia.id, "I'll be there")
    assert said == (
        f"Te apuntamos a **Tuesday evening circle** el <t:{int(FIRST.timestamp())}:F>. "
        "Nos vemos allí. 💛"
    )
    await headcount_shows(emu, c, "1 going")
    said = await answer(emu, hearth, c, post, lucia.id, "Can't make it")
    assert said.startswith("Gracias por avisar.")
    await headcount_shows(emu, c, "0 going")


async def test_a_spanish_facilitator_reads_the_schedule_and_errors_in_spanish(
    emu: Emulator, configured: Community
) -> None:
    """es-ES: /circle create answers with the schedule in Spanish words, and explains in Spanish."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    created = await create_circle(emu, c, voice.id, locale="es-ES")
    assert created["content"].startswith(
        "Has creado **Tuesday evening circle**: Cada martes a las 19:00 (Europe/London) "
        "durante 1 hora 30 minutos, 6 encuentros en total."
    )
    wrong = await create_circle(emu, c, voice.id, first_date="15/01/2030", locale="es-ES")
    assert wrong["content"] == (
        "No pude leer la primera fecha «15/01/2030». Escríbela así: 2026-03-17."
    )


async def test_the_reminder_follows_the_language_of_the_rsvp(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """A yes given in es-ES gets its reminder in Spanish; an en-US yes on a French server, English."""
    c = configured
    await hearth.services.settings.set_language(c.guild.id, c.moderator.id, "fr")
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id)
    post = await emu.wait_for_message(c.circles.id)
    lucia = member(emu, c, "lucia", "es-ES")
    await answer(emu, hearth, c, post, lucia.id, "Je serai là")
    await answer(emu, hearth, c, post, c.bob.id, "Je serai là")
    spanish = await reminder_to(emu, hearth, clock, lucia.id)
    assert spanish.startswith("Un recordatorio amable: **Tuesday evening circle** empieza")
    assert "**No puedo ir**" in spanish
    english = str((await emu.wait_for_dm(c.bob.id))["content"])
    assert english.startswith("A gentle reminder: **Tuesday evening circle** starts")


async def test_a_reminder_without_a_known_language_is_in_the_servers(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """An RSVP stored before Hearth kept its language gets the reminder in the server's (French)."""
    c = configured
    await hearth.services.settings.set_language(c.guild.id, c.moderator.id, "fr")
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id)
    post = await emu.wait_for_message(c.circles.id)
    await answer(emu, hearth, c, post, c.alice.id, "Je serai là")
    await forget_rsvp_languages(hearth)
    french = await reminder_to(emu, hearth, clock, c.alice.id)
    assert french.startswith("Un petit rappel : **Tuesday evening circle** commence")


async def test_an_unsupported_locale_falls_back_to_english(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """ja: the RSVP answer and the reminder are English, never half-translated."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id)
    post = await emu.wait_for_message(c.circles.id)
    yuki = member(emu, c, "yuki", "ja")
    said = await answer(emu, hearth, c, post, yuki.id, "I'll be there")
    assert said.startswith("You're in for **Tuesday evening circle**")
    reminder = await reminder_to(emu, hearth, clock, yuki.id)
    assert reminder.startswith("A gentle reminder: **Tuesday evening circle** starts")


async def forget_rsvp_languages(hearth: Hearth) -> None:
    """Clear every RSVP's stored locale, as rows written before migration 0011 have none."""
    async with hearth.engine.begin() as connection:
        await connection.execute(update(CircleRsvp).values(locale=None))
