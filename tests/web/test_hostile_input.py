"""Issue 15 items 10 and 12: NUL in input is a 400, web server logs are our JSON with
CPR masked, bound SQL parameters never reach a log, huge integers are 404/422."""

from __future__ import annotations

import io
import json
import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from opkraevning.logs import handler
from opkraevning.runners.web import uvicorn_config
from opkraevning.settings import load_settings
from opkraevning.web.app import create_app
from tests.conftest import Database
from tests.web.test_web import _login, _users


def _client(database: Database) -> TestClient:
    app = create_app(load_settings(), database.engine)
    return TestClient(app, base_url="https://testserver", raise_server_exceptions=False)


@pytest.mark.parametrize(
    "path",
    [
        "/api/skyldnere?q=2507563219%00",
        "/skyldnere?q=%00",
        "/api/indbakke?intent=%00",
        "/api/skyldnere/D1%00",
        "/indbakke?tilstand=a%00b",
    ],
)
def test_a_nul_in_the_query_or_path_is_400(database: Database, path: str) -> None:
    _users(database)
    client = _client(database)
    _login(client)
    response = client.get(path)
    assert response.status_code == 400, response.text
    assert "NUL" in response.text


def test_a_nul_in_a_json_or_form_body_is_400(database: Database) -> None:
    _users(database)
    client = _client(database)
    csrf = _login(client)
    response = client.post(
        "/api/sager/1/skyldner", json={"debtor_id": "D1\u0000"}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 400
    response = client.post("/log-ind", data={"username": "karin\x00", "password": "x"})
    assert response.status_code == 400


def test_uvicorn_logs_through_our_json_logger_with_cpr_masked(database: Database) -> None:
    names = ("uvicorn", "uvicorn.error", "uvicorn.access")
    for name in names:  # whatever an earlier test's server left behind
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    config = uvicorn_config(load_settings(), database.engine)
    assert config.log_config is None
    for name in names:  # uvicorn added no handler of its own: its lines reach ours
        assert logging.getLogger(name).handlers == [], name
    for name in ("uvicorn", "uvicorn.error"):  # (the access log is off altogether)
        assert logging.getLogger(name).propagate, name
    stream = io.StringIO()
    root = logging.getLogger()
    ours = handler(stream, "json")
    root.addHandler(ours)
    try:
        try:
            raise RuntimeError("search for 250756-3219 failed")
        except RuntimeError:
            logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    finally:
        root.removeHandler(ours)
    [line] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert line["logger"] == "uvicorn.error"
    assert "3219" not in line["exc"] and "250756-****" in line["exc"]


def test_database_errors_never_carry_the_bound_parameters(database: Database) -> None:
    with pytest.raises(Exception) as error, database.engine.connect() as connection:
        connection.execute(
            text("SELECT CAST(:cpr AS INTEGER) + nosuchcolumn"), {"cpr": "2507563219"}
        )
    assert "2507563219" not in str(error.value)


HUGE = [2**63, 2**64, 10**30, -(2**63) - 1]


@pytest.mark.parametrize("number", HUGE)
def test_huge_integers_are_404_or_422_never_500(database: Database, number: int) -> None:
    _users(database)
    client = _client(database)
    csrf = _login(client)
    paths = [
        f"/api/sager/{number}",
        f"/api/breve/{number}",
        f"/api/rykkerkoersler/{number}",
        f"/sag/{number}",
        f"/brev/{number}",
        f"/rykkerkoersel/{number}",
    ]
    for path in paths:
        status = client.get(path).status_code
        assert status in (404, 422), (path, status)
    posts = [f"/api/breve/{number}/igen", f"/api/breve/{number}/godkend"]
    for path in posts:
        status = client.post(path, headers={"X-CSRF-Token": csrf}, json={}).status_code
        assert status in (404, 409, 422), (path, status)
