"""write_off and near_expiry: forældede claims are proposed for write-off; claims close
to it are listed."""

from __future__ import annotations

from datetime import date

from tests.assistant.rules.cases import DAY, claim, full


def test_write_off_on_the_day_of_forældelse_not_the_day_before() -> None:
    expired = full(claim(due_on=date(2023, 11, 27)))  # forældet 27/11/2026 = DAY
    assert expired.expiry_action == "write_off"
    assert expired.trace_json()["values"]["foraeldelse"] == {
        "expires_on": "2026-11-27",
        "basis": "forfaldsdato",
    }
    day_before = full(claim(due_on=date(2023, 11, 27)), date(2026, 11, 26))
    assert day_before.expiry_action == "near_expiry"


def test_near_expiry_90_days_and_91() -> None:
    near = full(claim(due_on=date(2024, 2, 25)))  # expires 25/2/2027: 90 days after DAY
    assert (near.expiry_action, near.trace_json()["values"]["near_expiry"]) == (
        "near_expiry",
        {"days_left": 90},
    )
    far = full(claim(due_on=date(2024, 2, 26)))  # 26/2/2027: 91 days
    assert far.expiry_action is None
    assert "near_expiry" in far.trace_json()["checked"]
    assert "near_expiry" not in far.trace_json()["fired"]
    assert DAY.isoformat() == "2026-11-27"
