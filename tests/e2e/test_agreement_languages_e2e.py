"""The agreement, /setup and data rights in the reader's language, end to end.

Private answers follow the member's client (`interaction.locale`); the public welcome post and
its button follow the server's language (`/setup language`, else Discord's community locale).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from bot.app import Hearth
from bot.db.models import AgreementStanding
from emulator import Emulator
from tests.e2e.conftest import Community, write_agreement
from tests.e2e.test_agreement_e2e import EPHEMERAL, labels, read_card
from tests.e2e.test_privacy_e2e import export


def member(emu: Emulator, c: Community, name: str, locale: str) -> Any:
    """Add a member to the community whose Discord client speaks `locale`."""
    return emu.add_member(c.guild.id, emu.create_user(name, locale=locale).id)


def moderator(emu: Emulator, c: Community, name: str, locale: str) -> Any:
    """Add a moderator (the moderators' role) whose Discord client speaks `locale`."""
    user = emu.create_user(name, locale=locale)
    return emu.add_member(c.guild.id, user.id, roles=[c.mods_role.id])


async def choose_language(emu: Emulator, c: Community, who: int, code: str) -> dict:
    """Run /setup language as `who` and return the private answer."""
    h = await emu.slash(who, "setup language", guild_id=c.guild.id, language=code)
    return (await h.response())["data"]


async def test_a_spanish_member_reads_and_accepts_in_spanish(
    emu: Emulator, configured: Community
) -> None:
    """es-ES: the agreement's buttons and every answer are Spanish; the moderators' text is not."""
    c = configured
    lucia = member(emu, c, "lucia", "es-ES")
    h, card = await read_card(emu, c, lucia.id)
    assert card["flags"] & EPHEMERAL
    assert labels(card) == ["Aceptar", "Ahora no"]
    assert card["content"] == (
        "Lee nuestro acuerdo del grupo. Cuando estés listo o lista, pulsa **Aceptar**."
    )
    embed = card["embeds"][0]
    assert embed["title"] == "Our group agreement"  # the moderators' own words, as written
    assert "1. We listen without judging." in embed["description"]
    assert embed["footer"]["text"] == "Versión 1"
    accepted = await emu.click(lucia.id, h.message, label="Aceptar")
    await accepted.response()
    final = await accepted.original()
    assert final["content"] == (
        "Gracias por aceptar el acuerdo del grupo. Te damos la bienvenida. 💛"
    )
    assert emu.member_has_role(c.guild.id, lucia.id, c.member_role.id)
    again = await emu.slash(lucia.id, "agreement read", guild_id=c.guild.id)
    assert (await again.response())["data"]["content"].startswith("Ya aceptaste esta versión.")


async def test_not_now_and_errors_reach_a_german_member_in_german(
    emu: Emulator, configured: Community
) -> None:
    """de: "Not now" answers in German, and a refusal from the service is German too."""
    c = configured
    jonas = member(emu, c, "jonas", "de")
    h, card = await read_card(emu, c, jonas.id)
    assert labels(card) == ["Annehmen", "Jetzt nicht"]
    later = await emu.click(jonas.id, h.message, label="Jetzt nicht")
    assert (await later.response())["data"]["content"].startswith("Das ist okay, lass dir Zeit.")
    refused = await emu.slash(jonas.id, "agreement status", guild_id=c.guild.id)
    assert (await refused.response())["data"]["content"] == (
        "Das ist für das Moderationsteam: Dafür braucht es Server verwalten oder die "
        "Moderationsrolle."
    )


async def test_a_french_server_posts_in_french_while_an_english_member_reads_english(
    emu: Emulator, configured: Community
) -> None:
    """/setup language fr: the public welcome post and its button are French; answers stay English."""
    c = configured
    answer = await choose_language(emu, c, c.moderator.id, "fr")
    assert answer["flags"] & EPHEMERAL
    assert answer["content"].startswith("Saved. Hearth's public posts here")
    assert "will be in Français" in answer["content"]
    h = await emu.slash(c.moderator.id, "setup welcome", guild_id=c.guild.id)
    assert (await h.response())["data"]["content"].startswith("Posted the welcome message in")
    welcome = emu.channel_messages(c.welcome.id)[-1]
    embed = welcome["embeds"][0]
    assert embed["title"] == "Bienvenue sur Harbour"
    assert embed["description"].startswith("Ceci est une communauté de soutien entre pairs")
    assert "`/crise`" in embed["description"]
    assert labels(welcome) == ["Lire la charte"]
    opened = await emu.click(c.alice.id, welcome, label="Lire la charte")
    body = (await opened.response())["data"]
    assert body["flags"] & EPHEMERAL
    assert body["content"] == (
        "Please read our group agreement. When you're ready, press **Accept**."
    )
    assert labels(body) == ["Accept", "Not now"]
    accepted = await emu.click(c.alice.id, opened.message, label="Accept")
    await accepted.response()
    assert (await accepted.original())["content"].startswith("Thank you for accepting")


async def test_setup_language_round_trip(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Choosing a language shows in /setup show; the server default follows Discord again."""
    c = configured
    ana = moderator(emu, c, "ana", "pt-BR")
    answer = await choose_language(emu, c, ana.id, "de")
    assert answer["content"].startswith("Salvo. As postagens do Hearth aqui")
    assert "vão ser em Deutsch" in answer["content"]
    assert (await hearth.services.settings.get_or_default(c.guild.id)).language == "de"
    shown = await emu.slash(ana.id, "setup show", guild_id=c.guild.id)
    embed = (await shown.response())["data"]["embeds"][0]
    assert embed["title"] == "Configurações do Hearth"
    assert "**Idioma das postagens públicas**: Deutsch" in embed["description"]
    assert "**Cargo de membro (dado ao aceitar o acordo)**" in embed["description"]
    assert embed["fields"][0]["value"] == "✅ O Hearth consegue fazer aqui tudo o que precisa."
    answer = await choose_language(emu, c, c.moderator.id, "default")
    assert "follow the server's Discord language, now English" in answer["content"]
    assert (await hearth.services.settings.get_or_default(c.guild.id)).language is None
    shown = await emu.slash(c.moderator.id, "setup show", guild_id=c.guild.id)
    description = (await shown.response())["data"]["embeds"][0]["description"]
    assert "**Language of public posts**: the server's Discord language (English)" in description


async def test_the_reacceptance_dm_is_in_the_language_the_member_accepted_in(
    emu: Emulator, configured: Community
) -> None:
    """A job has no interaction: its DM uses the language kept from the member's acceptance."""
    c = configured
    await choose_language(emu, c, c.moderator.id, "fr")
    lucia = member(emu, c, "lucia", "es-ES")
    h, _card = await read_card(emu, c, lucia.id)
    await (await emu.click(lucia.id, h.message, label="Aceptar")).original()
    await write_agreement(
        emu, c, "Our group agreement", "We listen.\nNo advice unless asked.", "material"
    )
    dm = await emu.wait_for_dm(lucia.id)
    assert dm["embeds"][0]["title"] == "El acuerdo del grupo de Harbour ha cambiado"
    assert "**Qué ha cambiado**" in dm["embeds"][0]["description"]
    assert labels(dm) == ["Leer el acuerdo"]


async def test_without_a_known_language_the_dm_is_in_the_servers_language(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """An acceptance from before Hearth kept languages gets the server's chosen language."""
    c = configured
    await choose_language(emu, c, c.moderator.id, "fr")
    h, _card = await read_card(emu, c, c.alice.id)
    await (await emu.click(c.alice.id, h.message, label="Accept")).original()
    async with hearth.services.agreement._sessions() as session:
        await session.execute(update(AgreementStanding).values(language=None))
        await session.commit()
    await write_agreement(
        emu, c, "Our group agreement", "We listen.\nNo advice unless asked.", "material"
    )
    dm = await emu.wait_for_dm(c.alice.id)
    assert dm["embeds"][0]["title"] == "La charte du groupe de Harbour a changé"
    assert labels(dm) == ["Lire la charte"]


async def test_mydata_in_portuguese(emu: Emulator, configured: Community) -> None:
    """pt-BR: /privacy, the export's words and file, and the erase buttons are Portuguese."""
    c = configured
    bia = member(emu, c, "bia", "pt-BR")
    h = await emu.slash(bia.id, "privacy", guild_id=c.guild.id)
    embed = (await h.response())["data"]["embeds"][0]
    assert embed["title"] == "Sua privacidade no Hearth"
    assert embed["description"].startswith("O Hearth guarda o mínimo possível")
    parts = [field["value"] for field in embed["fields"]]
    assert any(part.startswith("**Acordo do grupo**") for part in parts)
    assert any(part.startswith("**Apoio em crise**") for part in parts)
    assert embed["fields"][-1]["name"] == "Seus direitos"
    assert "`/meusdados exportar`" in embed["fields"][-1]["value"]
    data = await export(emu, bia.id, c.guild.id)
    assert data["about"] == (
        "Tudo o que o Hearth guarda sobre você, em todos os servidores que o usam."
    )
    exported = await emu.slash(bia.id, "mydata export", guild_id=c.guild.id)
    await exported.response()
    said = (await exported.followup(0))["content"]
    assert said.startswith("Aqui está tudo o que o Hearth guarda sobre você")
    assert "`/meusdados exportar incluir_textos_checkin:True`" in said
    asked = await emu.slash(bia.id, "mydata delete", guild_id=c.guild.id)
    ask = (await asked.response())["data"]
    assert ask["content"].endswith(
        "Não dá para desfazer. Os cargos que você já tem continuam, "
        "mas talvez peçam para você aceitar o acordo do grupo de novo.\n\nQuer continuar?"
    )
    assert labels(ask) == ["Sim, apagar meus dados", "Não, manter"]
    kept = await emu.click(bia.id, asked.message, label="Não, manter")
    assert (await kept.response())["data"]["content"] == "Tudo bem, nada foi apagado."


async def test_agreement_and_setup_commands_are_registered_in_every_language(
    emu: Emulator, hearth: Hearth
) -> None:
    """After start-up the agreement, setup and data commands carry each language's names."""
    commands = {cmd["name"]: cmd for cmd in emu.world.commands[None] if cmd.get("type", 1) == 1}
    assert commands["agreement"]["name_localizations"]["fr"] == "charte"
    assert commands["agreement"]["name_localizations"]["es-419"] == "acuerdo"
    assert commands["setup"]["name_localizations"]["de"] == "einrichten"
    assert commands["mydata"]["name_localizations"]["pt-BR"] == "meusdados"
    [language] = [o for o in commands["setup"]["options"] if o["name"] == "language"]
    choices = language["options"][0]["choices"]
    assert [choice["name"] for choice in choices] == [
        "Server default (Discord's)",
        "English",
        "Español",
        "Français",
        "Deutsch",
        "Português (Brasil)",
    ]
    assert choices[0]["name_localizations"]["fr"] == "Celle du serveur (Discord)"
