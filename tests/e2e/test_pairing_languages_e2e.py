"""Pairing in the reader's language, end to end: answers in the member's, threads in the server's."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bot.app import Hearth
from bot.clock import FakeClock
from bot.db.models import PairingProfile
from bot.services.pairing import FOLLOWUP_JOB
from emulator import Emulator
from tests.e2e.conftest import Community
from tests.e2e.test_pairing_e2e import EPHEMERAL, FIRST_SLOT, NOW, Pairing, run_round


@pytest.fixture
def clock() -> FakeClock:
    """Start on a Monday at noon, before the first 18:00 round."""
    return FakeClock(NOW)


async def speaker(p: Pairing, name: str, locale: str) -> int:
    """Add a member whose Discord client speaks `locale`, who accepted the agreement."""
    user = p.emu.create_user(name, locale=locale)
    p.emu.add_member(p.c.guild.id, user.id)
    p.members[name] = user.id
    await p.add(name)
    return user.id


@pytest.fixture
async def pairing(emu: Emulator, configured: Community, hearth: Hearth) -> Pairing:
    """A server with pairing set up (channel, topics, Monday 18:00 London), alice and bob in."""
    p = Pairing(emu, configured, hearth)
    await p.add("alice", "bob")
    await p.settings(
        channel=p.channel.id,
        topics="grief, sleep, music",
        weekday=0,
        time="18:00",
        timezone="Europe/London",
    )
    return p


def labels(message: dict) -> list[str]:
    """Return the labels of a message's buttons, in order."""
    return [b["label"] for row in message.get("components", []) for b in row["components"]]


async def test_a_spanish_member_joins_in_spanish(emu: Emulator, pairing: Pairing) -> None:
    """es-ES: the join answer, the topic picker and a mistake are all in Spanish."""
    p = pairing
    who = await speaker(p, "lucia", "es-ES")
    h = await emu.slash(who, "pair join", guild_id=p.c.guild.id, timezone="Europe/Madrid")
    await h.response()
    joined = await h.original()
    assert joined["flags"] & EPHEMERAL
    assert joined["content"].startswith(
        "Ya estás dentro. 💛 Te buscaré pareja cada ronda y te presentaré en un hilo privado."
    )
    assert f"<t:{int(FIRST_SLOT.timestamp())}:F>" in joined["content"]
    offer = await h.followup(0)
    assert offer["content"].startswith("¿De qué temas te gustaría hablar?")
    assert offer["components"][0]["components"][0]["placeholder"] == "Elige tus temas"
    picked = await emu.select(who, offer, ["sleep"])
    await picked.response()
    assert (await picked.original())["content"] == (
        "Guardado: sleep. Puedes cambiarlos con `/pareja temas`."
    )
    paused = await p.slash("lucia", "pair pause", options={"until": "pronto"})
    assert paused["content"] == "No pude leer la fecha «pronto». Escríbela así: 2026-03-17."
    status = await p.slash("lucia", "pair status")
    embed = status["embeds"][0]
    assert embed["title"] == "Tu emparejamiento"
    assert "**Estás** participando." in embed["description"]
    assert "**Con qué frecuencia:** cada ronda" in embed["description"]


async def test_a_french_server_introduces_in_french_while_english_answers_stay_english(
    emu: Emulator, pairing: Pairing, hearth: Hearth, clock: FakeClock
) -> None:
    """/setup language fr: the pair thread's intro and button are French; en-US answers English."""
    p = pairing
    await hearth.services.settings.set_language(p.c.guild.id, p.c.moderator.id, "fr")
    joined = await p.join("alice")
    assert joined["content"].startswith("You're in. 💛 I'll match you every round")
    await p.join("bob")
    await run_round(p, clock, FIRST_SLOT)
    [thread] = p.threads()
    assert thread.name == "Binôme · tour 1 · #1"
    [intro] = emu.channel_messages(thread.id)
    alice, bob = p.members["alice"], p.members["bob"]
    assert intro["content"].startswith("Bonjour <@")
    assert f"<@{alice}>" in intro["content"] and f"<@{bob}>" in intro["content"]
    assert " et <@" in intro["content"]
    assert "Vous avez été mis en binôme pour un échange à deux ce tour-ci." in intro["content"]
    assert "**Si tu veux une façon de commencer**" in intro["content"]
    assert labels(intro) == ["Prévenir la modération"]
    status = await p.slash("alice", "pair status")
    assert status["embeds"][0]["title"] == "Your pairing"


async def test_invitations_follow_the_language_each_member_joined_in(
    emu: Emulator, pairing: Pairing, hearth: Hearth, clock: FakeClock
) -> None:
    """Double opt-in on a French server: a de member is asked in German, an en-US one in English."""
    p = pairing
    await hearth.services.settings.set_language(p.c.guild.id, p.c.moderator.id, "fr")
    await p.settings(double_opt_in=True)
    await speaker(p, "jonas", "de")
    await p.join("jonas")
    await p.join("alice")
    await run_round(p, clock, FIRST_SLOT)
    german = await emu.wait_for_dm(p.members["jonas"])
    english = await emu.wait_for_dm(p.members["alice"])
    assert german["content"].startswith("Diese Runde hast du auf **")
    assert "Möchtest du die Person kennenlernen?" in german["content"]
    assert labels(german) == ["Ja, lass uns reden", "Diese Runde aussetzen"]
    assert "meet them?" in english["content"]
    assert labels(english) == ["Yes, let's meet", "Skip this round"]
    clicked = await emu.click(p.members["jonas"], german, label="Ja, lass uns reden")
    await clicked.response()
    said = await clicked.original()
    assert said["content"] == (
        "Danke! Ich öffne euren privaten Thread, sobald alle geantwortet haben."
    )


async def test_followups_without_a_stored_language_use_the_servers(
    emu: Emulator, pairing: Pairing, hearth: Hearth, clock: FakeClock
) -> None:
    """Profiles from before migration 0013 have no locale: "Did you connect?" comes in French."""
    p = pairing
    await hearth.services.settings.set_language(p.c.guild.id, p.c.moderator.id, "fr")
    await p.settings(followup_days=2)
    await p.join("alice")
    await p.join("bob")
    async with hearth.engine.begin() as connection:
        await connection.execute(update(PairingProfile).values(locale=None))
    await run_round(p, clock, FIRST_SLOT)
    clock.advance(days=2, minutes=5)
    await hearth.scheduler.run_now(FOLLOWUP_JOB)
    asked = await emu.wait_for_dm(p.members["alice"])
    assert asked["content"].startswith("Il y a quelques jours, tu as été présenté·e à un pair")
    assert labels(asked) == ["Oui", "Pas encore", "Non"]


async def test_an_unsupported_locale_falls_back_to_english(emu: Emulator, pairing: Pairing) -> None:
    """ja: Hearth has no Japanese, so the member reads English, not half a translation."""
    p = pairing
    await speaker(p, "haruto", "ja")
    joined = await p.join("haruto")
    assert joined["content"].startswith("You're in. 💛 I'll match you every round")
    left = await p.slash("haruto", "pair leave")
    assert left["content"].startswith("Done: your pairing profile is gone")
