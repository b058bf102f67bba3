"""write_off and near_expiry: forældede claims are proposed for write-off; claims close
to it are listed."""

from __future__ import annotations

from datetime import date

from tests.assistant.rules.cases import DAY, claim, full, letter


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
    fact = claim(due_on=date(2024, 2, 26))  # a Monday: forældet 26/2/2027
    near = full(fact, date(2026, 11, 28))  # 90 days before
    assert (near.expiry_action, near.trace_json()["values"]["near_expiry"]) == (
        "near_expiry",
        {"days_left": 90},
    )
    far = full(fact, DAY)  # 91 days before
    assert far.expiry_action is None
    assert "near_expiry" in far.trace_json()["checked"]
    assert "near_expiry" not in far.trace_json()["fired"]


def test_write_off_a_forældet_claim_gets_no_reminder_no_fee_no_transfer() -> None:
    """Issue 12 item 10: before, a forældet claim was still reminded and transferred."""
    expired = full(claim(due_on=date(2023, 11, 27), letters=[letter(date(2026, 11, 1))]))
    assert (expired.action, expired.expiry_action) == ("write_off", "write_off")
    assert "transfer" not in expired.trace_json()["checked"]
    assert full(claim(due_on=date(2023, 11, 27))).action == "write_off"  # not "remind"
    assert full(claim(due_on=date(2023, 11, 28)), DAY).action == "remind"  # a day short
