"""Check-ins in the reader's language, end to end: the form, the receipt, posts, reminders."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.app import Hearth
from bot.clock import FakeClock
from emulator import Emulator
from tests.e2e.checkin_helpers import EPHEMERAL, labels, make_ready, set_checkins, share
from tests.e2e.conftest import Community

DELIVER, REMIND = "checkins.deliver", "checkins.remind"


def member(emu: Emulator, c: Community, name: str, locale: str) -> Any:
    """Add a member to the community whose Discord client speaks `locale`."""
    return emu.add_member(c.guild.id, emu.create_user(name, locale=locale).id)


async def opened_form(emu: Emulator, c: Community, user_id: int) -> dict[str, Any]:
    """Open /checkin share; return the form Hearth answered with."""
    opened = await emu.slash(user_id, "checkin share", guild_id=c.guild.id)
    body = await opened.response()
    assert body["type"] == 9, body
    return body["data"]


def form_words(form: dict[str, Any]) -> tuple[list[str], list[str], str]:
    """Return a form's field labels, its mood options, and its closing text."""
    rows = form["components"]
    fields = [row["label"] for row in rows if row.get("type") == 18]
    moods = [option["label"] for option in rows[0]["component"]["options"]]
    [closing] = [row["content"] for row in rows if row.get("type") == 10]
    return fields, moods, closing


def channel_posts(emu: Emulator, channel_id: int) -> list[dict[str, Any]]:
    """Return Hearth's posts with an embed in a channel (in any language)."""
    return [m for m in emu.channel_messages(channel_id) if m.get("embeds")]


async def test_a_spanish_member_gets_the_check_in_form_in_spanish(
    emu: Emulator, configured: Community
) -> None:
    """es-ES: the form's title, labels, moods, options and the reveal line are Spanish."""
    c = await make_ready(emu, configured)
    lucia = member(emu, c, "lucia", "es-ES")
    await make_ready(emu, c, lucia)
    form = await opened_form(emu, c, lucia.id)
    assert form["title"] == "Check-in"
    fields, moods, closing = form_words(form)
    assert fields == [
        "¿Cómo estás?",
        "Unas palabras (opcional)",
        "¿Te gustaría que alguien te escriba?",
    ]
    assert moods == ["Me está costando", "Con el ánimo bajo", "Más o menos", "Bien", "Muy bien"]
    assert form["components"][0]["component"]["placeholder"] == "Elige una opción"
    reach = form["components"][2]["component"]["options"]
    assert [o["label"] for o in reach] == ["No, gracias", "Sí, por favor, que alguien me escriba"]
    assert closing.startswith("Se publica con un seudónimo")
    assert "**Revelar está desactivado aquí**" in closing


async def test_a_brazilian_member_gets_the_receipt_in_portuguese(
    emu: Emulator, configured: Community
) -> None:
    """pt-BR: the private receipt (title, fields, Undo) is Portuguese; the undo answer too."""
    c = await make_ready(emu, configured)
    joao = member(emu, c, "joao", "pt-BR")
    await make_ready(emu, c, joao)
    submitted = await share(emu, c, joao.id, mood=4, note="um dia bom")
    receipt = submitted.message
    assert receipt["flags"] & EPHEMERAL
    embed = receipt["embeds"][0]
    assert embed["title"] == "Na fila, de forma anônima"
    assert embed["description"].startswith("Seu check-in (🌤️ Bem) está na fila")
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert list(fields) == ["O que fica guardado", "Por quanto tempo", "Revelação: desativada"]
    assert fields["Por quanto tempo"] == "Sua nota é apagada do Hearth depois de 30 dias."
    assert embed["footer"]["text"].startswith("Check-in ")
    assert labels(receipt) == ["Desfazer"]
    undone = await emu.click(joao.id, receipt, label="Desfazer")
    await undone.response()
    assert (await undone.original())["content"].startswith("Desfeito. Nada foi publicado")


async def test_a_french_server_posts_in_french_while_an_english_member_reads_english(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Server set to French: the post and its thread are French; Alice's receipt stays English."""
    c = await make_ready(emu, configured)
    await hearth.services.settings.set_language(c.guild.id, c.moderator.id, "fr")
    await set_checkins(emu, c, delay_minutes=0)
    submitted = await share(emu, c, c.alice.id, mood=1, note="une journée difficile")
    receipt = submitted.message["embeds"][0]
    assert receipt["title"] == "Queued, anonymously"
    assert receipt["description"].startswith("Your check-in (🌧️ Struggling) is safely queued")
    assert labels(submitted.message) == ["Undo"]
    pseudonym = receipt["description"].split("**")[1]

    await hearth.scheduler.run_now(DELIVER)
    [post] = channel_posts(emu, c.checkins.id)
    shown = post["embeds"][0]
    assert shown["title"] == "🌧️ C'est dur"
    assert shown["author"]["name"] == f"{pseudonym} a fait un check-in"
    assert shown["footer"]["text"].startswith("Check-in anonyme ")
    assert shown["footer"]["text"].endswith(" · réponds avec bienveillance dans le fil")
    thread = emu.world.threads[int(post["id"])]
    assert thread.name == f"{pseudonym} · C'est dur"


async def test_a_reminder_speaks_the_language_it_was_set_in(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """A German member's reminder DM (the nudge and its buttons) is German, in an English server."""
    c = await make_ready(emu, configured)
    jonas = member(emu, c, "jonas", "de")
    await make_ready(emu, c, jonas)
    saved = await emu.slash(
        jonas.id,
        "checkin reminder set",
        guild_id=c.guild.id,
        time="09:00",
        timezone="Europe/Berlin",
        days="mon, thu",
    )
    answer = (await saved.response())["data"]["content"]
    assert answer.startswith("Gespeichert. Ich schicke dir eine private Erinnerung um 09:00")
    assert "am Mo. und Do." in answer
    clock.set(datetime(2026, 1, 8, 8, 0, 30, tzinfo=UTC))  # Thursday, 09:00 in Berlin
    await hearth.scheduler.run_now(REMIND)
    [nudge] = emu.dm_messages(jonas.id)
    assert nudge["embeds"][0]["title"] == "Eine kleine Erinnerung"
    assert labels(nudge) == ["Einchecken", "Diese Erinnerungen stoppen"]


async def test_a_member_types_the_days_in_their_own_language(
    emu: Emulator, configured: Community
) -> None:
    """A Spanish member types "lunes, jueves" or "entre semana"; the days are suggested in Spanish."""
    c = await make_ready(emu, configured)
    lucia = member(emu, c, "lucia", "es-ES")
    await make_ready(emu, c, lucia)
    for typed, said in (("lunes, jueves", "los lun y jue"), ("entre semana", "entre semana")):
        saved = await emu.slash(
            lucia.id,
            "checkin reminder set",
            guild_id=c.guild.id,
            time="09:00",
            timezone="Europe/Madrid",
            days=typed,
        )
        answer = (await saved.response())["data"]["content"]
        assert answer.startswith("Guardado"), answer
        assert said in answer, answer
    suggested = await emu.autocomplete(
        lucia.id,
        "checkin reminder set",
        focused="days",
        guild_id=c.guild.id,
        time="09:00",
        timezone="Europe/Madrid",
    )
    assert [choice["name"] for choice in suggested][:3] == [
        "a diario",
        "entre semana",
        "fines de semana",
    ]


async def test_an_unsupported_locale_gets_english(emu: Emulator, configured: Community) -> None:
    """A Japanese client (no catalog yet): the form and the refusals are English, never mixed."""
    c = await make_ready(emu, configured)
    yuki = member(emu, c, "yuki", "ja")
    await make_ready(emu, c, yuki)
    form = await opened_form(emu, c, yuki.id)
    assert form["title"] == "Check in"
    fields, moods, _closing = form_words(form)
    assert fields[0] == "How are you doing?"
    assert moods == ["Struggling", "Low", "Okay", "Good", "Doing well"]
    stopped = await emu.slash(yuki.id, "checkin reminder off", guild_id=c.guild.id)
    assert (await stopped.response())["data"]["content"] == "You had no reminder here."


async def test_a_refusal_is_in_the_members_language(emu: Emulator, configured: Community) -> None:
    """es-419: the daily limit's refusal is Spanish, with its values filled in."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, daily_limit=1)
    sofia = member(emu, c, "sofia", "es-419")
    await make_ready(emu, c, sofia)
    await share(emu, c, sofia.id)
    refused = await emu.slash(sofia.id, "checkin share", guild_id=c.guild.id)
    text = (await refused.response())["data"]["content"]
    assert text.startswith("Has compartido 1 check-ins en el último día")
    assert "`/crisis`" in text
