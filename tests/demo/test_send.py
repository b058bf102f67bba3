"""`opkraevning demo --send-samples` against a live demo: real processes, real SMTP, and
Indbakke shows the drafts within a minute."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, col, select

from opkraevning.demo.seed import DEMO_PASSWORD, DEMO_USER
from opkraevning.demo.send import sample_files
from opkraevning.store.db import make_engine
from opkraevning.store.models import Debtor, InboundMessage, OutboundLetter
from tests.helpers import free_port


@pytest.fixture
def live_demo(tmp_path: Path) -> Iterator[tuple[dict[str, str], str]]:
    env = {
        **os.environ,
        "OPKRAEVNING_DATA_DIR": str(tmp_path / "var"),
        "OPKRAEVNING_WEB__PORT": str(free_port()),
        "OPKRAEVNING_SMTP__PORT": str(free_port()),
        "OPKRAEVNING_WORKER_INTERVAL_SECONDS": "0.5",
        "OPKRAEVNING_SCHEDULER__ENABLED": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "opkraevning", "demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{env['OPKRAEVNING_WEB__PORT']}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()[0]
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            raise AssertionError("the demo did not start")
        yield env, base
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "opkraevning demo --send-samples" in output  # the demo tells how to send them


def _situations(url: str) -> dict[str, str | None]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            messages = session.exec(select(InboundMessage)).all()
            letters = session.exec(
                select(OutboundLetter).where(
                    col(OutboundLetter.inbound_message_id).is_not(None),
                    OutboundLetter.kind == "reply",
                )
            ).all()
        by_message = {letter.inbound_message_id: letter for letter in letters}
        result: dict[str, str | None] = {}
        for message in messages:
            letter = by_message.get(message.id)
            situation = (letter.trace or {}).get("situation") if letter else None
            result[message.subject or ""] = situation or message.state
        return result
    finally:
        engine.dispose()


def test_the_sample_mails_get_drafts_within_a_minute(
    live_demo: tuple[dict[str, str], str], tmp_path: Path
) -> None:
    env, base = live_demo
    sent = subprocess.run(
        [sys.executable, "-m", "opkraevning", "demo", "--send-samples"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert sent.stdout.count("sent ") == len(sample_files()) >= 4
    url = f"sqlite:///{tmp_path / 'var' / 'opkraevning.db'}"  # DATA_DIR moves the database
    wanted = {
        "Ejendomsskat - kan jeg betale af?": "installment_accept",
        "Regning for daginstitution er forkert": "dispute",
        "rykker??": "not_identified",
        "Undelivered Mail Returned to Sender": "email_bounced",
    }
    deadline = time.monotonic() + 60
    seen: dict[str, str | None] = {}
    while time.monotonic() < deadline:
        seen = _situations(url)
        if all(seen.get(subject) == outcome for subject, outcome in wanted.items()):
            break
        time.sleep(0.5)
    assert {subject: seen.get(subject) for subject in wanted} == wanted
    # the bounce marked the citizen's address undeliverable
    engine = make_engine(url)
    with Session(engine) as session:
        holm = session.get(Debtor, "D9000003")
        assert holm is not None and holm.email_undeliverable_at is not None
    engine.dispose()
    # and a caseworker sees the drafts in Indbakke
    login = httpx.post(
        f"{base}/api/log-ind", json={"username": DEMO_USER, "password": DEMO_PASSWORD}, timeout=30
    )
    assert login.status_code == 200, login.text
    cookie = {"Cookie": f"opk_session={login.cookies['opk_session']}"}
    inbox = httpx.get(f"{base}/indbakke", headers=cookie, timeout=30).text
    for subject in wanted:
        assert subject in inbox
