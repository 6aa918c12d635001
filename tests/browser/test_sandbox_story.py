"""Stories through the sandbox's page, in a real browser: every capability once."""

from __future__ import annotations

import re

from playwright.async_api import expect

from bot.sandbox.run import Sandbox
from bot.sandbox.tour import circle_start
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
    await c.fill_form(
        Title="Our group agreement",
        Points="We listen without judging.\nWhat is shared here stays here.",
    )
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
    await c.fill_form(
        **{"How are you doing?": "Okay", "A few words": "Slept badly, but the walk helped."}
    )
    await c.submit_form()
    await c.see("Undo")
    await c.shot("check-in-queued")
    await accept_agreement(c, "Priya")
    await c.open("check-ins")
    await c.command("checkin share")
    await c.fill_form(
        **{"How are you doing?": "Low", "A few words": "Missing home today. Writing it down helps."}
    )
    await c.submit_form()
    await c.see("Undo")
    await c.be("Alex")
    await c.open("check-ins")
    await c.skip("15 min")
    post = await c.see("Slept badly, but the walk helped.")
    await expect(post.locator(".embed-author")).to_contain_text("checked in")
    assert "Alex" not in await post.inner_text()
    await c.shot("check-in-posted")
    await c.see("Missing home today.")
    await c.press("Dismiss message")
    await c.page.locator(".tour-steps button", has_text="Share a check-in").click()
    await c.page.locator("#toasts").evaluate("node => node.replaceChildren()")
    size = await c.small_shot(c.artifacts.parent / "readme" / "sandbox.png", colours=128)
    assert size < 150_000, f"the README's screenshot is {size} bytes"
    await c.page.locator("#log-toggle").click()
    await expect(c.page.locator(".log-line", has_text="Posted check-in")).to_have_count(2)
    await c.page.locator("#log-toggle").click()
    await c.command("checkin history")
    await c.press("Keep my history")
    await c.command("checkin history")
    chart = c.page.locator("#messages img.embed-image").last
    await expect(chart).to_be_visible()
    assert await chart.evaluate("img => img.complete && img.naturalWidth > 0")
    await c.shot("history-chart")
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


async def test_a_circle_with_its_reminder_and_room(client: PageClient, sandbox: Sandbox) -> None:
    """A facilitator schedules a circle; a member says yes, is reminded, and the room opens and closes."""
    c = client
    await set_up(c)
    await accept_agreement(c, "Alex")
    start = circle_start(sandbox.clock.now())
    await c.be("Jordan")
    await c.open("circles")
    await c.command(
        "circle create",
        title="Tuesday evening circle",
        timezone=("Toronto", "America/Toronto"),
        first_date=f"{start:%Y-%m-%d}",
        start_time=f"{start:%H:%M}",
        duration="60",
        repeats="Just once",
        voice="🔊 Circle room",
    )
    await c.see("Created Tuesday evening circle")
    await c.be("Alex")
    await c.open("circles")
    announcement = await c.see("I'll be there")
    await c.press("I'll be there", within=announcement)
    await c.see("You're in for Tuesday evening circle")
    await c.page.locator("#channels .events-link").click()
    await expect(c.page.locator(".event-card")).to_contain_text("Tuesday evening circle")
    await c.shot("events")
    for _ in range(3):
        await c.skip("15 min")
    await c.open("Hearth")
    await c.see(re.compile("Tuesday evening circle.*starts", re.S))
    await c.shot("reminder")
    await c.be("Jordan")
    await c.open("circles")
    await c.command("circle open", circle=("Tuesday", "Tuesday evening circle"))
    await c.see("is open")
    await c.open("Circle room")
    card = c.page.locator(".voice-card")
    await expect(card.locator(".access", has_text="Alex")).to_contain_text("can join")
    await c.shot("room-open")
    await c.open("circles")
    await c.command("circle close", circle=("Tuesday", "Tuesday evening circle"))
    await c.see("closed again")
    await c.open("Circle room")
    await expect(card.locator(".access", has_text="Alex")).to_contain_text("can't join")


async def test_a_pairing_round_and_a_restart(client: PageClient, sandbox: Sandbox) -> None:
    """Members join pairing, a round opens a private thread; after a restart old buttons still work."""
    c = client
    await set_up(c)
    for name in ("Alex", "Priya"):
        await accept_agreement(c, name)
    await c.be("Sam")
    await c.open("general")
    await c.command("pair settings", channel="#general", followup_days="1")
    await c.see("Pairing settings saved")
    for name, typed, zone in (
        ("Alex", "Berlin", "Europe/Berlin"),
        ("Priya", "Kolkata", "Asia/Kolkata"),
    ):
        await c.be(name)
        await c.open("general")
        await c.command("pair join", timezone=(typed, zone))
        await c.see("You're in.")
    await c.be("Sam")
    await c.command("pair round now")
    await c.see("Round 1 is under way")
    await c.be("Alex")
    thread = c.page.locator("#channels button.thread")
    await expect(thread).to_have_count(1)
    await thread.click()
    await c.see("Priya")
    await c.shot("pair-thread")
    await c.restart()
    await accept_agreement(c, "Mateo")
    await expect(c.page.locator('#channels button[data-name="check-ins"]')).to_be_visible()
    await c.be("Alex")
    await c.skip("1 day")
    await c.open("Hearth")
    await c.see("Did you connect")
    await c.shot("follow-up")
