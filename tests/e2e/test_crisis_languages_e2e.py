"""The crisis signpost in the reader's language, end to end: commands, card, answers, alerts."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import Hearth
from emulator import Emulator
from tests.e2e.conftest import Community, StartHearth
from tests.e2e.test_crisis_e2e import (
    EPHEMERAL,
    card_text,
    crisis,
    labels,
    make_alerts_private,
    raw_country,
)

SHIPPED_LOCALES = {"es-ES", "es-419", "fr", "de", "pt-BR"}


def member(emu: Emulator, c: Community, name: str, locale: str) -> Any:
    """Add a member to the community whose Discord client speaks `locale`."""
    return emu.add_member(c.guild.id, emu.create_user(name, locale=locale).id)


def registered(emu: Emulator, name: str, ctype: int = 1) -> dict[str, Any]:
    """Return the command Hearth registered under this (default) name."""
    return next(
        cmd
        for cmd in emu.world.commands[None]
        if cmd["name"] == name and cmd.get("type", 1) == ctype
    )


async def test_crisis_is_registered_in_every_shipped_language(
    emu: Emulator, hearth: Hearth
) -> None:
    """After start-up /crisis, its option and its message menu carry each language's words."""
    command = registered(emu, "crisis")
    assert set(command["name_localizations"]) == SHIPPED_LOCALES
    assert set(command["description_localizations"]) == SHIPPED_LOCALES
    assert command["name_localizations"]["fr"] == "crise"
    assert command["name_localizations"]["de"] == "krise"
    assert command["description_localizations"]["es-ES"].startswith("Líneas de ayuda")
    [country] = command["options"]
    assert country["name_localizations"]["pt-BR"] == "país"
    menu = registered(emu, "Share support resources", ctype=3)
    assert menu["name_localizations"]["es-419"] == "Compartir recursos de apoyo"
    shares = registered(emu, "crisis-shares")
    choices = shares["options"][0]["choices"]
    assert choices[0]["name_localizations"]["de"] == "Stopp: Schick mir keine Hilfsangebote"


async def test_a_spanish_member_gets_the_spanish_card_for_spain(
    emu: Emulator, hearth: Hearth, community: Community
) -> None:
    """es-ES: every line of the card is Spanish; helplines' names and numbers as in the data."""
    lucia = member(emu, community, "lucia", "es-ES")
    _h, data = await crisis(emu, lucia.id, community.guild.id, country="ES")
    assert data["flags"] & EPHEMERAL
    embed = data["embeds"][0]
    assert embed["title"] == "Apoyo en España"
    first, danger = embed["description"].split("\n\n")
    assert first.startswith("Me alegra de verdad que hayas dado este paso.")
    assert danger == "**Si estás en peligro inmediato, llama al `112`.**"
    verified = [s for s in raw_country("ES")["services"] if not s.get("verify")]
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert list(fields)[: len(verified)] == [s["name"] for s in verified]
    for service in verified:
        assert fields[service["name"]].startswith(f"📞 Llama al `{service['phone']}`")
    assert "¿Estás en otro lugar?" in fields
    assert fields["¿Estás en otro lugar?"].startswith("Líneas de ayuda en otros países:")
    assert embed["footer"]["text"] == (
        "Hearth lo llevan personas como tú, no un servicio de crisis. Solo tú puedes ver esto."
    )
    assert labels(data) == ["Elegir otro país", "Pedir que alguien de aquí me escriba"]
    text = card_text(data)
    for english in ("Support", "call", "Call", "Hours", "Somewhere", "Only you", "peers"):
        assert english not in text


async def test_the_country_picker_speaks_the_members_language(
    emu: Emulator, hearth: Hearth, community: Community
) -> None:
    """pt-BR: the picker's text, placeholders and country names are Portuguese."""
    ana = member(emu, community, "ana", "pt-BR")
    _h, data = await crisis(emu, ana.id, community.guild.id, country="Atlântida")
    embed = data["embeds"][0]
    assert embed["title"] == "Vamos encontrar apoio perto de você"
    assert "Não encontrei “Atlântida” na minha lista." in embed["description"]
    selects = [c for row in data["components"] for c in row["components"] if c["type"] == 3]
    assert all(s["placeholder"].startswith("Escolha seu país (") for s in selects)
    names = {o["value"]: o["label"] for s in selects for o in s["options"]}
    assert names["DE"] == "Alemanha" and names["ES"] == "Espanha"


async def test_an_unsupported_locale_gets_english(
    emu: Emulator, hearth: Hearth, community: Community
) -> None:
    """A client in a language Hearth does not ship (Japanese) gets the whole card in English."""
    kenji = member(emu, community, "kenji", "ja")
    _h, data = await crisis(emu, kenji.id, community.guild.id, country="ES")
    embed = data["embeds"][0]
    assert embed["title"] == "Support in Spain"
    assert embed["description"].startswith("I'm really glad you reached out.")
    assert labels(data) == ["Choose another country", "Ask someone here to check in on me"]


async def test_a_french_members_errors_are_french(
    emu: Emulator, hearth: Hearth, community: Community
) -> None:
    """fr: a service's refusal and a cog's refusal both reach the member in French, privately."""
    c = community
    camille = member(emu, c, "camille", "fr")
    h = await emu.slash(camille.id, "crisis-country set", guild_id=c.guild.id, country="Atlantis")
    body = (await h.response())["data"]
    assert body["flags"] & EPHEMERAL
    assert body["content"].startswith("Je n'ai pas trouvé ce pays dans la liste de Hearth.")
    own = emu.post_message(camille.id, c.general.id, "une semaine difficile")
    h = await emu.message_command(camille.id, "Share support resources", target=own)
    body = (await h.response())["data"]
    assert body["content"] == (
        "Tu ne peux pas t'envoyer ça à toi-même, mais `/crise` te montre la même carte, en privé."
    )
    saved = await emu.slash(
        camille.id, "crisis-country set", guild_id=c.guild.id, country="Allemagne"
    )
    assert "Enregistré\u00a0: **Allemagne**" in (await saved.response())["data"]["content"]


@pytest.fixture
async def french_server(
    emu: Emulator, community: Community, start_hearth: StartHearth
) -> Community:
    """The community as a French server (Discord's community locale), alerts channel ready."""
    c = community
    c.guild.locale = "fr"  # type: ignore[attr-defined]
    hearth = await start_hearth()
    await hearth.services.settings.update(
        c.guild.id,
        c.moderator.id,
        "",
        moderator_role_id=c.mods_role.id,
        welcome_channel_id=c.welcome.id,
        alerts_channel_id=c.alerts.id,
    )
    make_alerts_private(emu, c)
    return c


async def test_the_alert_card_speaks_the_servers_language_the_answer_the_members(
    emu: Emulator, french_server: Community
) -> None:
    """A Spanish member asks in a French server: their answer is Spanish, the moderators' card French."""
    c = french_server
    lucia = member(emu, c, "lucia", "es-ES")
    h, _data = await crisis(emu, lucia.id, c.guild.id, country="ES")
    offer = await emu.click(lucia.id, h.message, label="Pedir que alguien de aquí me escriba")
    offered = (await offer.response())["data"]
    assert offered["content"].startswith("Puedo dejar una nota privada")
    assert labels(offered) == ["Sí, compartir mi nombre", "No, prefiero el anonimato", "Ahora no"]
    sent = await emu.click(lucia.id, offer.message, label="Sí, compartir mi nombre")
    told = (await sent.original())["content"]
    assert told.startswith(
        "Enviado. Dejé una nota privada en el canal de moderación de **Harbour**"
    )
    alert = emu.channel_messages(c.alerts.id)[-1]
    embed = alert["embeds"][0]
    assert (
        alert["content"]
        == f"<@&{c.mods_role.id}> quelqu'un aimerait qu'on prenne de ses nouvelles."
    )
    assert embed["title"] == "💛 Quelqu'un aimerait qu'on prenne de ses nouvelles"
    assert "a demandé, via `/crise`" in embed["description"]
    assert [field["name"] for field in embed["fields"]] == ["État", "À garder en tête"]
    assert labels(alert) == ["Je prends contact", "Besoin de renfort"]
    claim = await emu.click(c.moderator.id, alert, label="Je prends contact")
    updated = (await claim.response())["data"]
    assert updated["embeds"][0]["fields"][0]["value"].startswith(
        f"<@{c.moderator.id}> prend contact · "
    )
    assert labels(updated) == ["Besoin de renfort", "Ouvrir un fil privé"]
