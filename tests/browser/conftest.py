"""Browser fixtures: the sandbox in this process, and a real headless Chromium looking at it.

The tests skip, with one reason, where Chromium is not installed (apt-get install chromium).
Any JavaScript console error, uncaught page error or ERROR log record fails a test.
Screenshots go to test-artifacts/browser/<test>/ (gitignored).
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.sandbox.run import Sandbox, open_sandbox
from tests.browser.client import CHROMIUM, CHROMIUM_ARGS, PageClient
from tests.e2e.conftest import ErrorRecords

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"

if not CHROMIUM.exists():
    pytest.skip(
        f"Chromium is not installed at {CHROMIUM} (apt-get install chromium): "
        "skipping the browser tests",
        allow_module_level=True,
    )
playwright_api = pytest.importorskip("playwright.async_api", reason="pip install playwright")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """Keep each phase's report on the test, so a fixture can tell that the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def error_records() -> Iterator[ErrorRecords]:
    """Fail the test if anything logged at ERROR."""
    handler = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    unexpected = [f"{r.name}: {r.getMessage()}" for r in handler.records]
    assert not unexpected, f"ERROR records: {unexpected}"


@pytest.fixture(autouse=True)
def hearth_info_logs() -> Iterator[None]:
    """Let Hearth's INFO lines through to the page's log, as `python -m bot sandbox` does."""
    loggers = [logging.getLogger(name) for name in ("bot", "cogs")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.INFO)
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """Return this test's (emptied) screenshot folder."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
async def sandbox(tmp_path: Path, error_records: ErrorRecords) -> AsyncIterator[Sandbox]:
    """Run the sandbox as `python -m bot sandbox` does, on a free port and its own folder."""
    opened = await open_sandbox(root=tmp_path / "sandbox", port=0, values={})
    yield opened
    await opened.close()
    opened.emu.assert_no_problems()


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    """Launch the system's headless Chromium through Playwright."""
    async with playwright_api.async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest.fixture
async def client(
    request: pytest.FixtureRequest, browser: object, sandbox: Sandbox, artifacts: Path
) -> AsyncIterator[PageClient]:
    """Open the sandbox's page; fail on any console error or uncaught error in the page."""
    context = await browser.new_context(viewport={"width": 1360, "height": 860})  # type: ignore[attr-defined]
    page = await context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(sandbox.url)
    await playwright_api.expect(page.locator("#bot-status")).to_have_text("Hearth online")
    yield PageClient(page, artifacts)
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        await page.screenshot(path=artifacts / "failure.png")
    await context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
