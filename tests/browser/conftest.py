"""Debian's Chromium through Playwright (never a downloaded browser), and the
test's app served over loopback as a phone's browser reaches it. Under
CI=true a missing Chromium fails the run; it is never skipped there."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Screenshots the browser tests take, kept as CI artefacts.
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        message = "Chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # CI installs it: its absence is a fault, never a skip
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"])
        yield chromium
        chromium.close()


@pytest.fixture
def server(app):
    """The test's app served over loopback, as a phone's browser reaches it."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def sign_in(page, server: str, email: str) -> None:
    """Both steps when the role asks for the code. Each click waits for the page
    it leads to: `wait_for_load_state` alone can return while the old page is still
    shown, and the test would then read /login as a refusal."""
    from tests.conftest import PASSWORD, otp_for

    page.goto(server + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    if "/login/code" in page.url:
        page.fill("input[name=code]", otp_for(email))
        with page.expect_navigation():
            page.click("button[type=submit].primary")
    assert "/login" not in page.url, page.url
