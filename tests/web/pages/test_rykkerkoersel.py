"""The run page's print batch: the run's approved letters for the post as one PDF."""

from __future__ import annotations

import subprocess
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlmodel import Session, col

from opkraevning.app.reminder.letters import draft_run_letters
from opkraevning.app.reminder.run import remind
from opkraevning.settings import load_settings
from opkraevning.store.db import session_scope
from opkraevning.store.models import AuditEvent, OutboundLetter
from opkraevning.web.app import create_app
from opkraevning.web.auth import create_user
from tests.conftest import Database

PASSWORD = "en-lang-adgangskode"


def test_the_print_batch_is_one_pdf_of_the_approved_letters_by_post(
    dev_database: Database,
) -> None:
    _, run_id = remind(dev_database.engine, date(2026, 11, 27))
    assert run_id is not None and draft_run_letters(dev_database.engine, run_id) > 2
    with session_scope(dev_database.engine) as session:
        create_user(session, "karin", PASSWORD, "sagsbehandler", "test")
        ids = list(
            session.scalars(
                select(col(OutboundLetter.id)).where(col(OutboundLetter.run_id) == run_id)
            )
        )[:2]
        session.execute(
            update(OutboundLetter)
            .where(col(OutboundLetter.id).in_(ids))
            .values(channel="print", state="approved")
        )
    client = TestClient(
        create_app(load_settings(), dev_database.engine), base_url="https://testserver"
    )
    assert (
        client.post("/api/log-ind", json={"username": "karin", "password": PASSWORD}).status_code
        == 200
    )
    response = client.get(f"/rykkerkoersel/{run_id}/udskrift.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    with Session(dev_database.engine) as session:
        letters = session.scalars(
            select(OutboundLetter).where(col(OutboundLetter.id).in_(ids))
        ).all()
        events = session.scalars(
            select(AuditEvent).where(col(AuditEvent.action) == "run.print_batch")
        ).all()
    for letter in letters:
        assert letter.body.split("\n\n")[1].split()[0] in text  # its greeting
        assert letter.subject.split(":")[0] in text
    assert text.count("\f") >= 2 and [e.actor for e in events] == ["karin"]
    assert client.get("/rykkerkoersel/999999/udskrift.pdf").status_code == 404
