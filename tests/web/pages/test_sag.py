"""The case page: a quarantined message shows the stage and the error, and a caseworker
sends it back to that stage."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session, col

from opkraevning.app.pipeline import run_pipeline
from opkraevning.settings import load_settings
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.store.models import AuditEvent, InboundMessage
from opkraevning.web.app import create_app
from opkraevning.web.auth import create_user
from tests.conftest import DEV_CORPUS, Database

PASSWORD = "en-lang-adgangskode"
OURS = ["opkraevning@norddjurs.dk"]


def _logged_in(database: Database) -> tuple[TestClient, str]:
    with session_scope(database.engine) as session:
        create_user(session, "karin", PASSWORD, "sagsbehandler", "test")
    client = TestClient(create_app(load_settings(), database.engine), base_url="https://testserver")
    response = client.post("/api/log-ind", json={"username": "karin", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client, str(response.json()["csrf_token"])


def _state(database: Database, message_id: int) -> str:
    with Session(database.engine) as session:
        message = session.get(InboundMessage, message_id)
        assert message is not None
        return message.state


def test_the_caseworker_sends_a_quarantined_message_back_to_the_stage_that_failed(
    dev_database: Database, tmp_path: Path
) -> None:
    with session_scope(dev_database.engine) as session:
        message, _ = store_raw_message(
            session, (DEV_CORPUS / "mail" / "036.eml").read_bytes(), channel="smtp"
        )
        message_id = message.id
    assert message_id is not None
    run_pipeline(dev_database.engine, OURS, policy_path=tmp_path / "not-there-yet.toml")
    client, csrf = _logged_in(dev_database)
    page = client.get(f"/sag/{message_id}").text
    assert "sat til side efter en fejl i udkastet." in page
    visible, _, detail = page.partition("<summary>Teknisk fejl</summary>")
    assert "draft:" not in visible and "PolicyError" not in visible  # the stage in Danish
    assert detail.split("</details>")[0].startswith('<pre class="technical">PolicyError')
    assert "draft: PolicyError" not in page  # the raw stage prefix is gone from the detail too
    assert f'action="/sag/{message_id}/proev-igen"' in page and "Send tilbage til udkastet" in page

    refused = client.post(f"/sag/{message_id}/proev-igen", data={"csrf_token": "forkert"})
    assert refused.status_code == 403 and _state(dev_database, message_id) == "quarantined"
    sent = client.post(
        f"/sag/{message_id}/proev-igen", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/sag/{message_id}?besked=sendt-tilbage"
    assert _state(dev_database, message_id) == "classified"
    page = client.get(sent.headers["location"]).text
    assert "sendt tilbage og bliver behandlet igen" in page and "proev-igen" not in page
    with Session(dev_database.engine) as session:
        (event,) = session.scalars(
            select(AuditEvent).where(col(AuditEvent.action) == "message.requeued")
        ).all()
    assert event.actor == "karin" and event.details is not None
    assert event.details["stage"] == "draft"

    again = client.post(f"/sag/{message_id}/proev-igen", data={"csrf_token": csrf})
    assert again.status_code == 409  # not quarantined any more
    result = run_pipeline(dev_database.engine, OURS)  # the worker drafts it now
    assert result.drafted == 1 and _state(dev_database, message_id) == "drafted"


def test_the_technical_error_loses_only_a_known_stage_prefix() -> None:
    from opkraevning.web.pages.sag import technical_error

    assert technical_error("draft: PolicyError: policy.toml: no such file") == (
        "PolicyError: policy.toml: no such file"
    )
    assert technical_error("parse: MemoError") == "MemoError"
    assert technical_error("KeyError: 'x'") == "KeyError: 'x'"  # no stage: kept whole
    assert technical_error(None) == ""
