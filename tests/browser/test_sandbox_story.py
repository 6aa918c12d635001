"""Stories through the sandbox's page, in a real browser: every capability once."""

from __future__ import annotations

import re

from playwright.async_api import expect

from bot.sandbox.run import Sandbox
from tests.browser.client import PageClient


async def set_up(c: PageClient) -> None:
    """As the moderator: choose roles and channels, write the agreement, post the welcome."""
    await c.be("Sam")
    await c.open("mod-log")
    await c.command(
        "setup roles", member="@Member", facilitator="@Facilitator", moderator="@Moderator"
    )
    await c.see("Only you can see this")
    await c.command(
        "setup channels",
        welcome="#welcome",
        checkin="#check-ins",
        circles="#circles",
        alerts="#mod-alerts",
        modlog="#mod-log",
    )
    await c.command("agreement edit", change="Minor wording fix (no re-acceptance)")
    await c.fill_form(Title="Our group agreement", Points="We listen without judging.\nWhat is shared here stays here.")
    await c.submit_form()
    await c.command("setup welcome")


async def test_agreement_checkin_and_crisis(client: PageClient, sandbox: Sandbox) -> None:
    """Set up, accept the agreement, share a check-in that appears under a pseudonym, open /crisis."""
    c = client
    await c.shot("first-look")
    await set_up(c)
    await c.shot("set-up")
    await accept_agreement(c, "Alex")
    await expect(c.page.locator('#channels button[data-name="check-ins"]')).to_be_visible()
    await c.open("check-ins")
    await c.command("checkin share")
    await c.fill_form(**{"How are you doing?": "Okay", "A few words": "Slept badly, but the walk helped."})
    await c.submit_form()
    receipt = await c.see("Undo")
    await c.shot("check-in-queued")
    await c.skip("15 min")
    post = await c.see("Slept badly, but the walk helped.")
    await expect(post.locator(".author")).to_have_text("Hearth")
    assert "Alex" not in await post.inner_text()
    await c.shot("check-in-posted")
    await c.command("crisis")
    card = await c.see("Choose your country")
    await c.choose(card, "United Kingdom")
    await c.see("If you are in immediate danger, call 999")
    await c.see("Samaritans")
    await c.shot("crisis")


async def accept_agreement(c: PageClient, name: str) -> None:
    """As a member in #welcome: read the agreement and accept it."""
    await c.be(name)
    await c.open("welcome")
    await c.press("Read the agreement")
    await c.press("Accept", within=await c.see("Our group agreement"))
