from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from opkraevning.settings import load_settings
from opkraevning.store.db import make_engine
from opkraevning.store.register_import import import_register
from opkraevning.web.app import create_app
from tests.conftest import Database


def _client(database: Database) -> TestClient:
    return TestClient(create_app(load_settings(), database.engine))


def test_health_and_ready(database: Database) -> None:
    client = _client(database)
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


def test_ready_is_503_when_schema_is_missing(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/empty.db")
    client = TestClient(create_app(load_settings(), engine))
    assert client.get("/health").status_code == 200
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["database"] == "schema not current"


def test_debtor_list_shows_names_balances_and_masks_cpr(
    database: Database, dev_register: Path
) -> None:
    import_register(
        database.engine,
        debtors=dev_register / "debtors.csv",
        claims=dev_register / "claims.csv",
        payments=dev_register / "payments.csv",
    )
    client = _client(database)
    page = client.get("/skyldnere")
    assert page.status_code == 200
    html = page.text
    assert "300 skyldnere" in html
    assert "Karina Winther" in html
    assert "250756-****" in html
    assert "2507563219" not in html
    assert "Side 1 af 6" in html
    # D1100000: 9.674,03 + 612,55 - 150,35 paid = 10.136,23 kr. open
    assert "10.136,23 kr." in html
    found = client.get("/skyldnere", params={"q": "winther"})
    assert "Karina Winther" in found.text
    assert "Torben Gregersen" not in found.text


def test_citizen_text_is_escaped(database: Database, tmp_path: Path) -> None:
    debtors = tmp_path / "debtors.csv"
    debtors.write_text(
        "debtor_id,kind,cpr,cvr,name,address,postcode,city,email,phone\n"
        'D1,person,0101701234,,"<script>alert(1)</script>",'
        '"<img src=x onerror=alert(2)>",8500,Grenaa,,\n',
        encoding="utf-8",
    )
    import_register(database.engine, debtors=debtors)
    html = _client(database).get("/skyldnere").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
