"""The JSON API keeps its keys (other tools read them) and OpenAPI shows real schemas."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from opkraevning.app.pipeline import run_pipeline
from opkraevning.app.reminder.letters import draft_run_letters
from opkraevning.app.reminder.run import remind
from opkraevning.settings import load_settings
from opkraevning.store.db import session_scope
from opkraevning.store.inbound import store_raw_message
from opkraevning.web.app import create_app
from opkraevning.web.auth import create_user
from tests.conftest import DEV_CORPUS, Database

PASSWORD = "en-lang-adgangskode"
LETTER = {
    "id", "kind", "state", "channel", "recipient", "debtor_id", "subject", "body",
    "original_body", "edited", "template", "template_version", "legal_refs", "approved_by",
    "rejected_reason", "last_error", "run_id", "inbound_message_id",
}  # fmt: skip
READING = {
    "debtor_id", "claim_ids", "intent", "intents", "verified_sender", "offer_monthly_kr",
    "auto_reply", "bounce", "confidence", "evidence", "text", "candidates", "match_reason",
    "claim_reason", "intent_cues", "offer_phrase", "dates", "income_monthly_kr", "children",
}  # fmt: skip
EVIDENCE = {"kind", "debtor_id", "field", "value", "score"}
CASE = {"id", "state", "channel", "from", "subject", "text", "quoted", "reading", "error",
        "letters"}  # fmt: skip
INBOX_ROW = {"id", "received_at", "state", "intent", "from", "subject", "debtor_id",
             "claim_types", "draft_id"}  # fmt: skip
DEBTOR_ROW = {"id", "name", "cpr", "cvr", "email", "open_claims", "balance_ore"}
DEBTOR = {"id", "name", "cpr", "cvr", "email", "claims", "letters", "holds", "audit"}
CLAIM = {"id", "type", "line", "reference", "status", "amount_ore", "remaining_ore", "reminders"}
AUDIT = {"at", "actor", "action", "entity", "reason"}
RUN = {"id", "date", "state", "summary", "policy_version"}
USER = {"username", "role", "disabled", "locked_until"}


def _setup(database: Database) -> tuple[TestClient, int, int]:
    with session_scope(database.engine) as session:
        message, _ = store_raw_message(
            session, (DEV_CORPUS / "mail" / "036.eml").read_bytes(), channel="smtp"
        )
        message_id = message.id
        create_user(session, "admin", PASSWORD, "administrator", "test")
    assert message_id is not None
    run_pipeline(database.engine, ["opkraevning@norddjurs.dk"])
    _, run_id = remind(database.engine, date(2026, 11, 27))
    assert run_id is not None
    draft_run_letters(database.engine, run_id)
    client = TestClient(create_app(load_settings(), database.engine), base_url="https://testserver")
    assert client.post("/api/log-ind", json={"username": "admin", "password": PASSWORD}).is_success
    return client, message_id, run_id


def _get(client: TestClient, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.json()


def test_every_read_path_keeps_its_keys(dev_database: Database) -> None:
    client, message_id, run_id = _setup(dev_database)
    case = _get(client, f"/api/sager/{message_id}")
    assert set(case) == CASE
    assert set(case["reading"]) == READING
    assert case["reading"]["offer_monthly_kr"] == 750  # kroner, as always; øre inside
    assert {key for item in case["reading"]["evidence"] for key in item} == EVIDENCE
    assert case["letters"] and all(set(letter) == LETTER for letter in case["letters"])
    inbox = _get(client, "/api/indbakke")
    assert set(inbox) == {"counts", "messages"} and set(inbox["counts"]) == {"state", "intent"}
    assert all(set(row) == INBOX_ROW for row in inbox["messages"])
    debtors = _get(client, "/api/skyldnere")
    assert set(debtors) == {"total", "debtors"} and debtors["debtors"]
    assert all(set(row) == DEBTOR_ROW for row in debtors["debtors"])
    debtor = _get(client, "/api/skyldnere/D1100123")
    assert set(debtor) == DEBTOR and debtor["claims"] and debtor["audit"]
    assert all(set(claim) == CLAIM for claim in debtor["claims"])
    assert all(set(event) == AUDIT for event in debtor["audit"])
    runs = _get(client, "/api/rykkerkoersler")
    assert runs and all(set(run) == RUN for run in runs)
    run_letters = _get(client, f"/api/rykkerkoersler/{run_id}/breve")
    assert set(run_letters) == {"counts", "letters"} and run_letters["letters"]
    assert all(set(x) == LETTER | {"debtor_name"} for x in run_letters["letters"])
    outbox = _get(client, "/api/udbakke")
    assert set(outbox) == {"counts", "letters"}
    assert all(set(x) == LETTER for x in outbox["letters"])
    assert all(set(user) == USER for user in _get(client, "/api/brugere"))
    assert set(_get(client, "/api/mig")) == {"username", "role", "csrf_token"}


def test_openapi_shows_a_schema_for_every_json_answer(dev_database: Database) -> None:
    client, _, _ = _setup(dev_database)
    spec = _get(client, "/api/openapi.json")
    schemas = spec["components"]["schemas"]
    untyped = []
    api = {path: methods for path, methods in spec["paths"].items() if path.startswith("/api/")}
    assert len(api) >= 20
    for path, methods in api.items():
        for method, operation in methods.items():
            ok = next(code for code in operation["responses"] if code.startswith("2"))
            schema = operation["responses"][ok]["content"]["application/json"]["schema"]
            if not schema.get("$ref") and schema.get("type") != "array":
                untyped.append(f"{method.upper()} {path}")
    assert not untyped, untyped
    reading = schemas["ReadingOut"]["properties"]
    assert set(reading) == READING and reading["offer_monthly_kr"]["anyOf"][0]["type"] == "integer"
    assert set(schemas["CaseOut"]["properties"]) == CASE
