"""Issue 15 item 15: "Send igen" after an unknown outcome asks for confirmation; audited."""

from __future__ import annotations

import re

from sqlmodel import Session

from opkraevning.mailbox.outbox import Outbox
from opkraevning.settings import load_settings
from opkraevning.store.db import session_scope
from opkraevning.store.models import OutboundLetter
from tests.conftest import Database
from tests.web.test_web import _audit, _client, _login, _users


def _cut_off_letter(database: Database) -> int:
    """A letter the outbox was sending when it stopped; reconciled without a sent folder."""
    with session_scope(database.engine) as session:
        letter = OutboundLetter(
            kind="reply", state="sending", channel="email", recipient="ane@example.dk",
            subject="Svar", body="Hej", approved_by="pia", message_id="<opk-1@kommune.dk>",
            attempts=1,
        )  # fmt: skip
        session.add(letter)
        session.flush()
        assert letter.id is not None
        letter_id = letter.id
    outbox = Outbox(database.engine, load_settings(accepted_recipients=["opk@kommune.dk"]))
    assert outbox.lookup is None  # no sent folder to look in
    assert outbox.reconcile() == 1
    return letter_id


def _state(database: Database, letter_id: int) -> str:
    with Session(database.engine) as session:
        letter = session.get(OutboundLetter, letter_id)
        assert letter is not None
        return letter.state


def test_the_api_refuses_a_retry_without_confirmation(database: Database) -> None:
    letter_id = _cut_off_letter(database)
    _users(database)
    client = _client(database)
    csrf = _login(client)
    refused = client.post(f"/api/breve/{letter_id}/igen", headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 409
    assert "måske allerede leveret" in refused.json()["detail"]
    assert _state(database, letter_id) == "failed"
    assert _audit(database, "letter.retry") == []
    confirmed = client.post(
        f"/api/breve/{letter_id}/igen?bekraeft=true", headers={"X-CSRF-Token": csrf}
    )
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "approved"
    [event] = _audit(database, "letter.retry")
    assert event.actor == "karin"
    assert event.details is not None and event.details["outcome_unknown"] is True
    assert event.reason is not None and "may already have been delivered" in event.reason


def test_the_page_warns_and_needs_the_box_ticked(database: Database) -> None:
    letter_id = _cut_off_letter(database)
    _users(database)
    client = _client(database)
    _login(client)
    page = client.get("/udbakke?tilstand=failed").text
    assert "Det kan allerede være leveret" in page
    assert 'name="bekraeft" value="ja" required' in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    unticked = client.post(f"/brev/{letter_id}/igen", data={"csrf_token": csrf.group(1)})
    assert unticked.status_code == 409
    assert _state(database, letter_id) == "failed"
    ticked = client.post(
        f"/brev/{letter_id}/igen",
        data={"csrf_token": csrf.group(1), "bekraeft": "ja"},
        follow_redirects=False,
    )
    assert ticked.status_code == 303
    assert _state(database, letter_id) == "approved"
    assert len(_audit(database, "letter.retry")) == 1


def test_an_ordinary_failure_is_sent_again_without_a_question(database: Database) -> None:
    with session_scope(database.engine) as session:
        letter = OutboundLetter(
            kind="reply", state="failed", channel="email", recipient="ane@example.dk",
            subject="Svar", body="Hej", approved_by="pia", last_error="550 no such user",
        )  # fmt: skip
        session.add(letter)
        session.flush()
        letter_id = letter.id
    _users(database)
    client = _client(database)
    csrf = _login(client)
    response = client.post(f"/api/breve/{letter_id}/igen", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200
    assert "bekraeft" not in client.get("/udbakke?tilstand=failed").text
