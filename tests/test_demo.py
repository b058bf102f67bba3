from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from opkraevning.claim_types import CLAIM_TYPES
from opkraevning.demo import seed_demo
from opkraevning.store.models import Claim, InboundMessage
from opkraevning.store.queries import count_rows
from opkraevning.store.register_import import import_register
from opkraevning.synthetic import write_register
from tests.conftest import Database


def test_demo_seeds_every_claim_type_and_twice_duplicates_nothing(
    database: Database, tmp_path: Path
) -> None:
    first = seed_demo(database.engine, tmp_path, "opkraevning@localhost")
    assert first.report.rejected == 0
    assert first.mails_new == first.mails_total >= 5
    with Session(database.engine) as session:
        counts = count_rows(session)
        types = set(session.execute(select(Claim.claim_type).distinct()).scalars())
        mails = session.execute(select(func.count()).select_from(InboundMessage)).scalar_one()
    assert counts["debtors"] == 400
    assert types == set(CLAIM_TYPES)
    second = seed_demo(database.engine, tmp_path, "opkraevning@localhost")
    assert second.mails_new == 0
    assert all(f.created == 0 and f.updated == 0 for f in second.report.files)
    with Session(database.engine) as session:
        assert count_rows(session) == counts
        assert (
            session.execute(select(func.count()).select_from(InboundMessage)).scalar_one() == mails
        )


def test_demo_mails_name_real_claims_of_their_sender(database: Database, tmp_path: Path) -> None:
    seed_demo(database.engine, tmp_path, "opkraevning@localhost")
    with Session(database.engine) as session:
        message = (
            session.execute(select(InboundMessage).order_by(InboundMessage.id)).scalars().first()
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


def test_demo_command_starts_the_service_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "OPKRAEVNING_DATABASE_URL": f"sqlite:///{tmp_path}/demo.db",
        "OPKRAEVNING_DATA_DIR": str(tmp_path / "var"),
        "OPKRAEVNING_WEB__PORT": str(port),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "opkraevning", "demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        health = debtors = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    health = r.read().decode()
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/skyldnere", timeout=5) as r:
                    debtors = r.read().decode()
                break
            except OSError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                time.sleep(0.3)
        assert '"ok"' in health
        assert "400 skyldnere" in debtors
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0].decode()
    assert process.returncode == 0, output
    assert "demo data: 400 debtors" in output
