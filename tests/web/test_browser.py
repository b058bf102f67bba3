"""The caseworker's day in a real browser: headless Chromium (Debian's) driven by Playwright
against the real service (``opkraevning serve`` in a child process) with a real SMTP
relay sink. Screenshots go to ``test-artifacts/browser/``.

Needs ``/usr/bin/chromium`` (``.ci/run`` installs it); Playwright never downloads a browser.
"""

from __future__ import annotations

import os
import shutil
import smtplib
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col

from opkraevning.app.register_import import import_register
from opkraevning.store import migrate
from opkraevning.store.db import make_engine, session_scope
from opkraevning.store.models import Claim, ReminderLetter
from opkraevning.web.auth import create_user
from tests.conftest import DEV_CORPUS, DEV_REGISTER
from tests.helpers import free_port
from tests.mailbox.smtp_sink import Sink, smtp_sink

CHROMIUM = os.environ.get("OPKRAEVNING_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
OURS = "opkraevning@norddjurs.dk"
PASSWORD = "en-lang-adgangskode"
DAY = "2026-11-27"


def _chromium_or_skip() -> None:
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        message = f"Chromium is not installed at {CHROMIUM} (.ci/run installs Debian's chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _wait(condition: Callable[[], bool], seconds: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[str, int, str, Sink]]:
    """The whole service on SQLite with the dev register, one caseworker and a recorded
    reminder run; yields (web base URL, SMTP port, database URL, relay sink)."""
    _chromium_or_skip()
    url = f"sqlite:///{tmp_path / 'browser.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    import_register(
        engine,
        debtors=DEV_REGISTER / "debtors.csv",
        claims=DEV_REGISTER / "claims.csv",
        payments=DEV_REGISTER / "payments.csv",
    )
    with session_scope(engine) as session:
        create_user(session, "karin", PASSWORD, "sagsbehandler", "test")
    engine.dispose()
    web_port, smtp_port = free_port(), free_port()
    with smtp_sink() as sink:
        env = {
            **os.environ,
            "OPKRAEVNING_DATABASE_URL": url,
            "OPKRAEVNING_WEB__PORT": str(web_port),
            "OPKRAEVNING_SMTP__PORT": str(smtp_port),
            "OPKRAEVNING_ACCEPTED_RECIPIENTS": f'["{OURS}"]',
            "OPKRAEVNING_WORKER_INTERVAL_SECONDS": "0.2",
            "OPKRAEVNING_OUTBOX__INTERVAL_SECONDS": "0.3",
            "OPKRAEVNING_RELAY__HOST": "127.0.0.1",
            "OPKRAEVNING_RELAY__PORT": str(sink.port),
            "OPKRAEVNING_RELAY__STARTTLS": "false",
            "OPKRAEVNING_RELAY__FROM_ADDRESS": OURS,
            "OPKRAEVNING_SCHEDULER__ENABLED": "false",
            "OPKRAEVNING_DATA_DIR": str(tmp_path / "var"),
        }
        reminded = subprocess.run(
            [sys.executable, "-m", "opkraevning", "remind", "--date", DAY],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert reminded.returncode == 0, reminded.stdout + reminded.stderr
        process = subprocess.Popen(
            [sys.executable, "-m", "opkraevning", "serve"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{web_port}"
        try:
            _wait(lambda: _up(base), 30, "the service")
            yield base, smtp_port, url, sink
        finally:
            process.terminate()
            output = process.communicate(timeout=30)[0].decode(errors="replace")
            (ARTIFACTS).mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / "service.log").write_text(output, encoding="utf-8")


def _up(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/ready", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def test_a_caseworkers_day_in_chromium(service: tuple[str, int, str, Sink]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, smtp_port, url, sink = service
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page()
        shot = _screenshots(page)

        # log in (the login page comes first, and leads back where we wanted to go)
        page.goto(f"{base}/indbakke")
        expect(page).to_have_url(f"{base}/log-ind?next=/indbakke")
        page.fill("#username", "karin")
        page.fill("#password", PASSWORD)
        shot("01-log-ind")
        page.get_by_role("button", name="Log ind").click()
        expect(page.get_by_role("heading", name="Indbakke")).to_be_visible()

        # a citizen writes (real SMTP into the running service)
        raw = (DEV_CORPUS / "mail" / "002.eml").read_bytes()
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as client:
            client.sendmail("berit.madsen@youmail.dk", [OURS], raw)
        subject = "Regning daginstitution september – forkert"

        def in_inbox() -> bool:
            page.goto(f"{base}/indbakke")
            return page.get_by_role("link", name=subject).count() == 1

        _wait(in_inbox, 30, "the mail in Indbakke")
        shot("02-indbakke")

        # open it, edit the draft, approve
        page.get_by_role("link", name=subject).click()
        expect(page.locator("#citizen-text")).to_contain_text("daginstitution")
        draft = page.locator("#draft-body")
        edited = draft.input_value().replace(
            "Tak for din mail. Vi har fået den.",
            "Tak for din mail. Vi har fået den, og vi vender tilbage i næste uge.",
        )
        assert "vender tilbage i næste uge" in edited
        draft.fill(edited)
        shot("03-sag")
        page.locator("#approve").click()
        expect(page.get_by_role("status")).to_contain_text("godkendt")
        shot("04-godkendt")

        # the outbox sends it through the relay
        _wait(lambda: len(sink.received) >= 1, 30, "the reply at the relay")
        _, recipients, sent = sink.received[0]
        assert recipients == ["berit.madsen@youmail.dk"]
        assert "vender tilbage i n=C3=A6ste uge" in sent.decode() or (
            "vender tilbage i næste uge" in sent.decode("utf-8", "replace")
        )

        def shown_as_sent() -> bool:
            page.goto(f"{base}/udbakke?tilstand=sent")
            return page.get_by_role("cell", name="Sendt", exact=True).count() >= 1

        _wait(shown_as_sent, 30, "the letter shown as sent")
        shot("05-udbakke")

        # approve the reminder batch
        page.goto(f"{base}/rykkerkoersel")
        page.get_by_role("link", name="27. november 2026").click()
        waiting = page.locator("#approve-batch")
        expect(waiting).to_be_visible()
        shot("06-rykkerkoersel")
        waiting.click()
        expect(page.get_by_role("status")).to_contain_text("godkendt")
        shot("07-batch-godkendt")
        engine = make_engine(url)
        with Session(engine) as session:
            released = session.scalar(
                select(func.count())
                .select_from(ReminderLetter)
                .where(col(ReminderLetter.released_on).is_not(None))
            )
            claim = session.scalars(
                select(Claim).where(col(Claim.payment_id).is_not(None)).order_by(col(Claim.id))
            ).first()
            assert claim is not None
            debtor_id = claim.debtor_id
        engine.dispose()
        assert released and released > 0

        # search a debtor by betalings-ID
        page.goto(f"{base}/skyldnere")
        page.fill("#q", str(claim.payment_id))
        page.get_by_role("button", name="Søg").click()
        expect(page.get_by_role("link", name=debtor_id)).to_be_visible()
        expect(page.get_by_text("1 skyldnere fundet")).to_be_visible()
        shot("08-soeg-betalings-id")
        browser.close()


def _screenshots(page: object) -> Callable[[str], None]:
    def shot(name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]

    return shot
