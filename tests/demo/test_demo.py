from __future__ import annotations

import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
import urllib.request
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlmodel import Session, col

from opkraevning.app.register_import import import_register
from opkraevning.demo.seed import DEMO_PASSWORD, DEMO_USER, seed_demo
from opkraevning.demo.synthetic import write_register
from opkraevning.domain.claim_types import CLAIM_TYPES
from opkraevning.store.db import make_engine
from opkraevning.store.models import Claim, InboundMessage
from opkraevning.store.queries import count_rows
from tests.conftest import Database


def test_demo_seeds_every_claim_type_and_twice_duplicates_nothing(
    database: Database, tmp_path: Path
) -> None:
    first = seed_demo(database.engine, tmp_path, "opkraevning@localhost")
    assert first.report.rejected == 0
    assert first.mails_new == first.mails_total >= 5
    with Session(database.engine) as session:
        counts = count_rows(session)
        types = set(session.execute(select(col(Claim.claim_type)).distinct()).scalars())
        mails = session.execute(select(func.count()).select_from(InboundMessage)).scalar_one()
    assert counts["debtors"] == 400 + 3  # the synthetic register and the samples' citizens
    assert first.samples is not None and first.samples.rejected == 0
    assert types == set(CLAIM_TYPES)
    second = seed_demo(database.engine, tmp_path, "opkraevning@localhost")
    assert second.mails_new == 0
    assert all(f.created == 0 and f.updated == 0 for f in second.report.files)
    assert second.samples is not None
    assert all(f.created == 0 and f.updated == 0 for f in second.samples.files)
    with Session(database.engine) as session:
        assert count_rows(session) == counts
        assert (
            session.execute(select(func.count()).select_from(InboundMessage)).scalar_one() == mails
        )


def test_demo_mails_name_real_claims_of_their_sender(database: Database, tmp_path: Path) -> None:
    seed_demo(database.engine, tmp_path, "opkraevning@localhost")
    with Session(database.engine) as session:
        message = (
            session.execute(select(InboundMessage).order_by(col(InboundMessage.id)))
            .scalars()
            .first()
        )
        assert message is not None
        assert message.subject is not None and message.subject.startswith("Afdragsordning på 20")
        reference = message.subject.rsplit(" ", 1)[1]
        claim = session.execute(select(Claim).where(Claim.reference == reference)).scalar_one()
        assert message.from_address is not None
        assert claim.debtor_id
        parsed = BytesParser(policy=default).parsebytes(message.raw)
        assert isinstance(parsed, EmailMessage)
        body = parsed.get_body(("plain",))
        assert body is not None
        assert "500 kr. om måneden" in body.get_content()
        assert b"\r\n" in message.raw


def test_synthetic_register_is_exact_and_valid(database: Database, tmp_path: Path) -> None:
    files = write_register(tmp_path, debtors=200, claims=500, seed=7)
    assert (files.debtor_count, files.claim_count) == (200, 500)
    report = import_register(
        database.engine, debtors=files.debtors, claims=files.claims, payments=files.payments
    )
    assert report.rejected == 0
    assert [f.created for f in report.files] == [200, 500, files.payment_count]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_runs_the_service_and_a_mail_sent_by_smtp_is_stored_and_read(
    tmp_path: Path,
) -> None:
    web_port, smtp_port = _free_port(), _free_port()
    database = tmp_path / "demo.db"
    env = {
        **os.environ,
        "OPKRAEVNING_DATABASE_URL": f"sqlite:///{database}",
        "OPKRAEVNING_DATA_DIR": str(tmp_path / "var"),
        "OPKRAEVNING_WEB__PORT": str(web_port),
        "OPKRAEVNING_SMTP__PORT": str(smtp_port),
        "OPKRAEVNING_WORKER_INTERVAL_SECONDS": "0.2",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "opkraevning", "demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        health = _wait_for_http(f"http://127.0.0.1:{web_port}/health", process)
        assert '"ok"' in health
        login_page = _wait_for_http(f"http://127.0.0.1:{web_port}/skyldnere", process)
        assert "Log ind" in login_page  # every page needs a session
        base = f"http://127.0.0.1:{web_port}"
        # generous time-outs: the demo's start-up reminder run may hold SQLite for a while
        login = httpx.post(
            f"{base}/api/log-ind",
            json={"username": DEMO_USER, "password": DEMO_PASSWORD},
            timeout=60,
        )
        assert login.status_code == 200, login.text
        # the cookie is Secure; a browser sends it to 127.0.0.1, httpx only over https
        cookie = {"Cookie": f"opk_session={login.cookies['opk_session']}"}
        debtors = httpx.get(f"{base}/skyldnere", headers=cookie, timeout=60).text
        assert "403 skyldnere" in debtors
        mail = EmailMessage()
        mail["From"] = "Borger <borger@example.dk>"
        mail["To"] = "opkraevning@localhost"
        mail["Subject"] = "Afdrag"
        mail["Message-ID"] = "<e2e-1@example.dk>"
        mail.set_content("Kan jeg betale 300 kr. om måneden?\n\nMed venlig hilsen\nBorger")
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as client:
            client.send_message(mail)
        engine = make_engine(f"sqlite:///{database}")
        deadline = time.monotonic() + 90
        state = None
        waiting = (None, "received", "parsed", "classified")  # one transaction per stage
        while time.monotonic() < deadline and state in waiting:
            with Session(engine) as session:
                found = session.execute(
                    select(InboundMessage).where(
                        col(InboundMessage.message_id) == "<e2e-1@example.dk>"
                    )
                ).scalar_one_or_none()
                state = found.state if found else None
                body = (found.parsed or {}).get("body") if found else None
            time.sleep(0.2)
        engine.dispose()
        # read; the sender is in no register: a person looks, with a drafted reply that
        # asks for the invoice number ready
        assert state == "needs_review"
        assert body == "Kan jeg betale 300 kr. om måneden?"
        inbox = httpx.get(f"{base}/api/indbakke", headers=cookie, timeout=60).json()
        assert any(m["subject"] == "Afdrag" and m["draft_id"] for m in inbox["messages"])
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0].decode()
    assert process.returncode == 0, output
    assert "demo data: 403 debtors" in output


def _wait_for_http(url: str, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return str(response.read().decode())
        except OSError:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            time.sleep(0.3)
    raise AssertionError(f"no answer from {url}")


def test_serve_fails_clearly_when_the_smtp_port_is_taken(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path}/serve.db"
    env = {**os.environ, "OPKRAEVNING_DATABASE_URL": database}
    subprocess.run([sys.executable, "-m", "opkraevning", "db", "upgrade"], env=env, check=True)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env["OPKRAEVNING_SMTP__PORT"] = str(taken.getsockname()[1])
        env["OPKRAEVNING_WEB__PORT"] = str(_free_port())
        result = subprocess.run(
            [sys.executable, "-m", "opkraevning", "serve"],
            env=env,
            capture_output=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert b"opkraevning: smtp:" in result.stderr


def test_smtp_command_alone_stores_and_parses_then_stops_cleanly(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path}/smtp.db"
    port = _free_port()
    env = {
        **os.environ,
        "OPKRAEVNING_DATABASE_URL": database,
        "OPKRAEVNING_SMTP__PORT": str(port),
        "OPKRAEVNING_WORKER_INTERVAL_SECONDS": "0.2",
    }
    subprocess.run([sys.executable, "-m", "opkraevning", "db", "upgrade"], env=env, check=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "opkraevning", "smtp"], env=env, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                client = smtplib.SMTP("127.0.0.1", port, timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.2)
        with client:
            client.sendmail(
                "a@example.dk",
                ["opkraevning@localhost"],
                b"From: a@example.dk\r\nSubject: Saldo\r\n\r\nHvor meget skylder jeg?\r\n",
            )
        engine = make_engine(database)
        state = None
        waiting = (None, "received", "parsed", "classified")  # one transaction per stage
        while time.monotonic() < deadline and state in waiting:
            with Session(engine) as session:
                state = session.execute(select(col(InboundMessage.state))).scalar_one_or_none()
            time.sleep(0.2)
        engine.dispose()
        assert state == "needs_review"
    finally:
        process.send_signal(signal.SIGINT)
        stderr = process.communicate(timeout=30)[1].decode()
    assert process.returncode == 0, stderr
    assert "starting: smtp, worker" in stderr
