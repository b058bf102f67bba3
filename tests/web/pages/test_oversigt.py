"""Oversigt through HTTP and in a real browser: the figures of the crafted register, the
lists behind them as CSV and XLSX, the PDF report, and the leder role."""

from __future__ import annotations

import io
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from opkraevning.domain.clock import FixedClock
from opkraevning.settings import load_settings
from opkraevning.store.db import session_scope
from opkraevning.web.app import create_app
from opkraevning.web.auth import create_user
from tests.app.overview.test_figures import DAY, crafted_register
from tests.conftest import Database
from tests.helpers import Worker, free_port
from tests.web.test_browser import CHROMIUM, _chromium_or_skip

PASSWORD = "en-lang-adgangskode"


def _client(database: Database) -> TestClient:
    crafted_register(database)
    with session_scope(database.engine) as session:
        create_user(session, "lene", PASSWORD, "leder", "test")
        create_user(session, "karin", PASSWORD, "sagsbehandler", "test")
    app = create_app(load_settings(), database.engine, FixedClock.on(DAY))
    return TestClient(app, base_url="https://testserver")


def _login(client: TestClient, name: str) -> None:
    response = client.post("/api/log-ind", json={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text


def pdf_text(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        done = subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True, text=True
        )
    return done.stdout


def test_the_leader_lands_on_the_overview_and_sees_nothing_else(database: Database) -> None:
    client = _client(database)
    _login(client, "lene")
    landing = client.get("/", follow_redirects=True)
    assert landing.status_code == 200 and "<h1>Oversigt</h1>" in landing.text
    page = landing.text
    assert '<a href="/oversigt/liste/restancer">1.500,00 kr.</a>' in page  # 150.000 øre
    assert '<a href="/oversigt/liste/overdraget">1 krav · 250,00 kr.</a>' in page
    assert '<a href="/oversigt/liste/afskrevet">1 krav · 150,00 kr.</a>' in page
    assert "2 arbejdsdage" in page and "4,4 arbejdsdage (mål: 5)" in page
    assert page.count('<img src="data:image/svg+xml;base64,') == 4
    assert "<td>Ejendomsskat</td><td>700,00 kr.</td>" in page  # the plot's numbers as a table
    assert "cdn" not in page.lower() and "<script" not in page
    assert 'href="/indbakke"' not in page  # no link a leader would meet a 403 behind
    for path in ("/indbakke", "/skyldnere", "/rykkerkoersel", "/udbakke"):
        assert client.get(path).status_code == 403, path
    assert client.get("/api/indbakke").status_code == 403


def test_a_caseworker_sees_the_overview_too(database: Database) -> None:
    client = _client(database)
    _login(client, "karin")
    assert client.get("/oversigt").status_code == 200
    assert client.get("/indbakke").status_code == 200


def test_every_list_as_page_csv_and_xlsx(database: Database) -> None:
    client = _client(database)
    _login(client, "lene")
    page = client.get("/oversigt/liste/restancer").text
    assert page.count("<tr>") == 5  # header + c1, c2, c3, f1
    assert "<td>700,00</td>" in page and "10. november 2026" in page
    csv_text = client.get("/oversigt/liste/restancer.csv").content.decode("utf-8-sig")
    lines = csv_text.strip().split("\r\n")
    assert lines[0] == "Krav;Skyldner;Kravtype;Linje;Forfald;Restance"
    assert "c3;B;Daginstitutionsbetaling;hovedkrav;2025-06-01;200,00" in lines
    workbook = load_workbook(io.BytesIO(client.get("/oversigt/liste/aftaler.xlsx").content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Aftale", "Skyldner", "Status")
    assert sorted(row[2] for row in rows[1:]) == ["aktiv", "aktiv", "misligholdt"]
    assert sum(float(row[5] or 0) for row in rows[1:]) == 200.0  # kroner as numbers
    assert client.get("/oversigt/liste/findes-ikke").status_code == 404


def test_the_monthly_report_renders_as_pdf(database: Database) -> None:
    client = _client(database)
    _login(client, "lene")
    response = client.get("/rapport/maaned/2026-11")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Månedsrapport for november 2026" in text
    assert "Norddjurs Kommune" in text and "1. november 2026 – 30. november 2026" in text
    assert "1.500,00 kr." in text and "Restancer efter kravtype" in text
    assert client.get("/rapport/maaned/2026-13").status_code == 400
    assert client.get("/rapport/maaned/2027-01").status_code == 400  # not begun


@pytest.fixture
def running_app(database: Database) -> Iterator[str]:
    _chromium_or_skip()
    client = _client(database)  # crafts the register and the users
    client.close()
    port = free_port()
    app = create_app(load_settings(), database.engine, FixedClock.on(DAY))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = Worker(server.run)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the web app did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.finish(timeout=15)


def test_overview_and_report_in_chromium(running_app: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = running_app
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(accept_downloads=True)
        page.goto(f"{base}/")
        page.fill("#username", "lene")
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Log ind").click()
        expect(page.get_by_role("heading", name="Oversigt", exact=True)).to_be_visible()
        for image in page.locator("img").all():
            assert image.get_attribute("alt")
            assert image.evaluate("i => i.naturalWidth") > 0  # the SVG really renders
        page.get_by_role("link", name="1.500,00 kr.").click()
        expect(page.get_by_role("heading", name="Krav i restance")).to_be_visible()
        page.go_back()
        with page.expect_download() as download:
            page.get_by_role("link", name="månedsrapport for november 2026").click()
        saved = tmp_path / "rapport.pdf"
        download.value.save_as(saved)
        browser.close()
    assert "Månedsrapport for november 2026" in pdf_text(saved.read_bytes())
