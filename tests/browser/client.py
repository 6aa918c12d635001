"""Acting on the sandbox page as a person would: choose who you are, type commands, press buttons."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image
from playwright.async_api import Locator, Page, expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 10_000


def save_palette_png(png: bytes, path: Path, colours: int) -> int:
    """Write a PNG reduced to a few colours and return its size in bytes."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    small = image.quantize(colours, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return len(out.getvalue())


class PageClient:
    """One browser page on the sandbox, with the steps a person takes."""

    def __init__(self, page: Page, artifacts: Path) -> None:
        self.page = page
        self.artifacts = artifacts
        self.shots = 0

    async def shot(self, name: str) -> Path:
        """Save a screenshot of the whole page under the artifacts folder."""
        self.shots += 1
        path = self.artifacts / f"{self.shots:02d}-{name}.png"
        await self.page.screenshot(path=path)
        return path

    async def small_shot(self, path: Path, colours: int = 96) -> int:
        """Save a screenshot as a small palette PNG (for the README) and return its size."""
        return save_palette_png(await self.page.screenshot(), path, colours)

    async def be(self, name: str) -> None:
        """Switch who you are in the bottom-left picker."""
        picker = self.page.locator("#who")
        value = await picker.locator("option", has_text=re.compile(rf"^{name}\b")).get_attribute(
            "value"
        )
        await picker.select_option(value)
        await expect(self.page.locator(".member.me .member-name")).to_have_text(name)

    async def open(self, channel: str) -> None:
        """Open a channel, thread or DM by its name in the channel list."""
        await self.page.locator(f'#channels button[data-name="{channel}"]').first.click()
        await expect(self.page.locator(".chat-header h1")).to_have_text(channel)

    def messages(self, text: str | re.Pattern[str] | None = None) -> Locator:
        """Return the messages in the open channel (containing text, if given)."""
        found = self.page.locator("#messages .message")
        return found.filter(has_text=text) if text is not None else found

    async def see(self, text: str | re.Pattern[str]) -> Locator:
        """Wait until a message containing text is shown, and return the newest such."""
        message = self.messages(text).last
        await expect(message).to_be_visible(timeout=WAIT_MS)
        return message

    async def command(self, path: str, **options: str | tuple[str, str]) -> None:
        """Type /path in the message box, fill its options, and send it.

        A string fills a text field or picks the option with that label in a list; a pair
        (typed, suggestion) types into an autocomplete field and picks the suggestion.
        """
        box = self.page.locator("#composer-input")
        await box.click()
        await box.fill("")
        await box.type(f"/{path}", delay=5)
        await self.page.locator(f'#command-popup .command-option[data-path="{path}"]').click()
        for name, value in options.items():
            field = self.page.locator(f'#command-form .option-field[data-option="{name}"]')
            control = field.locator("input, select").first
            tag = await control.evaluate("node => node.tagName")
            if isinstance(value, tuple):
                typed, suggestion = value
                await control.click()
                await control.type(typed, delay=10)
                await field.locator(".suggestions li", has_text=suggestion).first.click()
            elif tag == "SELECT":
                await control.select_option(label=value)
            else:
                await control.fill(value)
        await self.page.locator("#composer-send").click()
        await expect(self.page.locator("#command-form")).to_be_hidden(timeout=WAIT_MS)

    async def say(self, text: str) -> None:
        """Write a plain message in the open channel."""
        box = self.page.locator("#composer-input")
        await box.fill(text)
        await box.press("Enter")

    async def press(self, label: str, within: Locator | None = None) -> None:
        """Press a button (the newest with that label, or the one in `within`)."""
        scope = within if within is not None else self.page.locator("#messages")
        await scope.get_by_role("button", name=label, exact=True).last.click()

    async def choose(self, within: Locator, *labels: str) -> None:
        """Open the select menu in a message that offers the first label, and pick the labels.

        With several labels (a multi-select) it presses Done afterwards.
        """
        option = self.page.locator(".select-option", has_text=labels[0])
        select = within.locator(".select").filter(has=option).first
        await select.locator(".select-trigger").click()
        menu_list = select.locator(".select-menu")
        for label in labels:
            await menu_list.locator(".select-option", has_text=label).first.click()
        done = menu_list.locator(".select-done button")
        if await done.count():
            await done.click()

    def dialog(self) -> Locator:
        """Return the open modal dialog."""
        return self.page.locator(".modal")

    async def fill_form(self, **fields: str) -> None:
        """Fill the open form by field label (text, or an option's label in a select)."""
        dialog = self.dialog()
        await expect(dialog).to_be_visible(timeout=WAIT_MS)
        for label, value in fields.items():
            field = dialog.locator(".modal-field").filter(
                has=self.page.locator(".field-label", has_text=label)
            )
            select = field.locator(".select")
            if await select.count():
                await select.locator(".select-trigger").click()
                await select.locator(".select-option", has_text=value).first.click()
                if await select.locator(".select-menu").is_visible():
                    await select.locator(".select-trigger").click()
            else:
                await field.locator("input, textarea").first.fill(value)

    async def submit_form(self) -> None:
        """Press Submit on the open form and wait for it to close."""
        await self.dialog().get_by_role("button", name="Submit").click()
        await expect(self.dialog()).to_be_hidden(timeout=WAIT_MS)

    async def message_app(self, message: Locator, name: str) -> None:
        """Use a message's Apps menu (the ⋯ button) to run a message command."""
        await message.hover()
        await message.locator(".message-menu").click()
        await self.page.locator(".popup-menu .popup-item", has_text=name).click()

    async def restart(self) -> None:
        """Press Restart Hearth and wait until Hearth is back."""
        bar = self.page.locator("#hostbar")
        await self.page.locator("#restart").click()
        await expect(bar).to_have_attribute("data-busy", "false", timeout=60_000)
        await expect(self.page.locator("#bot-status")).to_have_text("Hearth online")
        await expect(self.page.locator(".toast.error")).to_have_count(0)

    async def skip(self, label: str) -> None:
        """Press one of the Skip ahead buttons and wait until the skip is done."""
        bar = self.page.locator("#hostbar")
        await self.page.locator("#skip button", has_text=label).click()
        await expect(bar).to_have_attribute("data-busy", "false", timeout=120_000)
        await expect(self.page.locator(".toast.error")).to_have_count(0)
