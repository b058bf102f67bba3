"""Row validation, one rule at a time (pure: no database)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from opkraevning.store.register_rows import (
    RowError,
    claim_record,
    debtor_record,
    payment_id_problem,
    payment_record,
)

PERSON: dict[str, str | None] = {
    "debtor_id": "D1",
    "kind": "person",
    "cpr": "0101701234",
    "cvr": "",
    "name": " Ane Sørensen ",
    "address": "Storegade 1",
    "postcode": "8500",
    "city": "Grenaa",
    "email": "Ane@Example.DK",
    "phone": "",
}
CLAIM: dict[str, str | None] = {
    "claim_id": "C1",
    "debtor_id": "D1",
    "claim_type": "daginstitution",
    "reference": "2026-453257",
    "payment_id": "908100339075799",
    "description": "Daginstitution 10/2026",
    "amount": "1234.50",
    "issued_on": "2026-10-01",
    "due_on": "2026-10-15",
    "status": "open",
}


def _problems(
    function: Callable[[dict[str, str | None]], object],
    row: dict[str, str | None],
    **changes: str,
) -> dict[str, str]:
    with pytest.raises(RowError) as error:
        function({**row, **changes})
    return {problem.column: problem.reason for problem in error.value.problems}


def test_good_person_is_normalised() -> None:
    record = debtor_record(PERSON)
    assert record["name"] == "Ane Sørensen"
    assert record["email"] == "ane@example.dk"
    assert record["cpr"] == "0101701234"
    assert record["phone"] is None


def test_cpr_with_dash_is_accepted_and_stored_compact() -> None:
    assert debtor_record({**PERSON, "cpr": "010170-1234"})["cpr"] == "0101701234"


def test_cpr_with_impossible_birth_date_is_rejected_without_echoing_it() -> None:
    reasons = _problems(debtor_record, PERSON, cpr="3213701234")
    assert "invalid CPR number" in reasons["cpr"]
    assert "3213701234" not in reasons["cpr"]


def test_cpr_of_wrong_length_is_rejected() -> None:
    assert "cpr" in _problems(debtor_record, PERSON, cpr="01017012")


def test_person_needs_cpr_and_company_needs_cvr() -> None:
    assert "cpr" in _problems(debtor_record, PERSON, cpr="")
    assert "cvr" in _problems(debtor_record, PERSON, kind="company", cpr="", cvr="")


def test_cvr_checksum_is_checked() -> None:
    company = {**PERSON, "kind": "company", "cpr": "", "cvr": "59170317"}
    assert debtor_record(company)["cvr"] == "59170317"
    assert "checksum" in _problems(debtor_record, company, cvr="59170318")["cvr"]


def test_unknown_kind_postcode_and_email() -> None:
    reasons = _problems(debtor_record, PERSON, kind="firma", postcode="850", email="nej")
    assert set(reasons) == {"kind", "postcode", "email"}


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("908100339075799", True),
        ("9081 0033 9075 799", True),
        ("908100339075798", False),  # check digit off by one
        ("90810033907579", False),  # 14 digits
        ("9081003390757990", False),  # 16 digits
        ("90810033907579X", False),
    ],
)
def test_betalings_id_length_and_modulus_10(value: str, ok: bool) -> None:
    assert (payment_id_problem(value) is None) is ok


def test_good_claim_amount_in_ore() -> None:
    record = claim_record(CLAIM)
    assert record["amount_ore"] == 123450
    assert record["payment_id"] == "908100339075799"


@pytest.mark.parametrize("amount", ["1234.5", "1234,50", "1.234,50", "-10.00", "0.00", "12", ""])
def test_amount_needs_two_decimals_and_must_be_positive(amount: str) -> None:
    assert "amount" in _problems(claim_record, CLAIM, amount=amount)


@pytest.mark.parametrize("day", ["2026-02-30", "01-10-2026", "2026-1-5", "i går"])
def test_dates_must_be_iso(day: str) -> None:
    assert "due_on" in _problems(claim_record, CLAIM, due_on=day)


def test_unknown_claim_type_and_status() -> None:
    reasons = _problems(claim_record, CLAIM, claim_type="hundeskat", status="betalt")
    assert reasons["claim_type"] == "unknown claim type 'hundeskat'"
    assert reasons["status"] == "unknown status 'betalt'"


def test_due_date_before_issue_date_is_rejected() -> None:
    assert "due_on" in _problems(claim_record, CLAIM, due_on="2026-09-30")


def test_all_faults_of_a_row_are_reported_together() -> None:
    reasons = _problems(claim_record, CLAIM, claim_id="", reference="", amount="x")
    assert set(reasons) == {"claim_id", "reference", "amount"}


def test_payment_row() -> None:
    record = payment_record({"claim_id": "C1", "amount": "100.05", "paid_on": "2026-10-20"})
    assert record["amount_ore"] == 10005
    assert "paid_on" in _problems(payment_record, {"claim_id": "C1", "amount": "1.00"})
