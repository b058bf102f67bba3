"""Issue 15 item 7: the policy to compare with is chosen from the configured policy
directory, by an administrator; no path from a request is ever opened."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from opkraevning.app.reminder.run import remind
from opkraevning.settings import load_settings
from opkraevning.web.app import create_app
from tests.conftest import Database
from tests.web.test_web import _login, _users

DEFAULT_POLICY = Path(__file__).resolve().parents[2] / "opkraevning/assistant/policy/default.toml"


def _client(database: Database, policy_dir: Path) -> TestClient:
    settings = load_settings(policy_dir=policy_dir)
    return TestClient(create_app(settings, database.engine), base_url="https://testserver")


def test_only_an_administrator_compares_and_only_with_a_listed_policy(
    dev_database: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "politikker"
    folder.mkdir()
    strict = DEFAULT_POLICY.read_text(encoding="utf-8")
    (folder / "streng.toml").write_text(strict, encoding="utf-8")
    os.mkfifo(folder / "fifo.toml")  # would block whoever opens it
    (folder / "link.toml").symlink_to(DEFAULT_POLICY)
    outside = tmp_path / "outside.toml"
    outside.write_text(strict, encoding="utf-8")
    _, run_id = remind(dev_database.engine, date(2026, 11, 27))
    assert run_id is not None
    _users(dev_database)

    caseworker = _client(dev_database, folder)
    _login(caseworker, "karin")
    page = caseworker.get(f"/rykkerkoersel/{run_id}")
    assert page.status_code == 200 and "streng.toml" not in page.text
    for value in ("streng.toml", str(outside), str(folder / "fifo.toml"), "/dev/zero"):
        response = caseworker.get(f"/rykkerkoersel/{run_id}", params={"politik": value})
        assert response.status_code == 403, value

    admin = _client(dev_database, folder)
    _login(admin, "admin")
    page = admin.get(f"/rykkerkoersel/{run_id}").text
    assert "<option>streng.toml</option>" in page
    assert "fifo.toml" not in page and "link.toml" not in page
    compared = admin.get(f"/rykkerkoersel/{run_id}", params={"politik": "streng.toml"})
    assert compared.status_code == 200 and "ingen forskel" in compared.text
    for value in (str(outside), "../outside.toml", "fifo.toml", "link.toml", "/dev/zero"):
        response = admin.get(f"/rykkerkoersel/{run_id}", params={"politik": value})
        assert response.status_code == 404, value
