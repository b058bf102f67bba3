"""/api/docs in a real browser on a closed network: headless Chromium (Debian's) against
``opkraevning serve`` in a child process. Every request that leaves the app is refused
and recorded, so the page must work from the app's packaged Swagger UI alone."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opkraevning.store import migrate
from opkraevning.store.db import make_engine, session_scope
from opkraevning.web.auth import create_user
from tests.helpers import free_port
from tests.web.test_browser import ARTIFACTS, CHROMIUM, _chromium_or_skip, _up, _wait

PASSWORD = "en-lang-adgangskode"


@pytest.fixture
def web_only(tmp_path: Path) -> Iterator[str]:
    _chromium_or_skip()
    url = f"sqlite:///{tmp_path / 'docs.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_scope(engine) as session:
        create_user(session, "karin", PASSWORD, "sagsbehandler", "test")
    engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "OPKRAEVNING_DATABASE_URL": url,
        "OPKRAEVNING_WEB__PORT": str(port),
        "OPKRAEVNING_SMTP__PORT": str(free_port()),
        "OPKRAEVNING_SCHEDULER__ENABLED": "false",
        "OPKRAEVNING_DATA_DIR": str(tmp_path / "var"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "opkraevning", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _up(base), 30, "the service")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_api_docs_list_the_operations_without_the_internet(web_only: str) -> None:
    from playwright.sync_api import Route, expect, sync_playwright

    base = web_only
    outside: list[str] = []

    def only_the_app(route: Route) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        errors: list[Any] = []
        page.on("pageerror", lambda error: errors.append(error))
        page.route("**/*", only_the_app)
        page.goto(f"{base}/log-ind?next=/api/docs")
        page.fill("#username", "karin")
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Log ind").click()
        expect(page).to_have_url(f"{base}/api/docs")
        operations = page.locator(".opblock")
        expect(operations.first).to_be_visible(timeout=15_000)
        expect(page.locator(".opblock-summary-path", has_text="/api/indbakke")).to_be_visible()
        expect(page.get_by_role("heading", name="opkraevning")).to_contain_text("OAS 3.1")
        assert operations.count() >= 10
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "api-docs.png"), full_page=False)
        browser.close()
    assert outside == []
    assert errors == []
