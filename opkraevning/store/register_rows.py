"""Validation of register CSV rows (format: shared corpus README, "Register format").

Pure functions: a CSV row (dict of strings) in, a record for the store or a list of
problems out. Each problem names the column and the reason, in English for the log
and the operator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from stdnum import luhn
from stdnum.dk import cpr, cvr
from stdnum.exceptions import ValidationError as StdnumError

from opkraevning.domain.claim_types import CLAIM_TYPES
from opkraevning.domain.street import street_key
from opkraevning.store.models import ClaimStatus, DebtorKind

DEBTOR_COLUMNS = (
    "debtor_id",
    "kind",
    "cpr",
    "cvr",
    "name",
    "address",
    "postcode",
    "city",
    "email",
    "phone",
)
CLAIM_COLUMNS = (
    "claim_id",
    "debtor_id",
    "claim_type",
    "reference",
    "payment_id",
    "description",
    "amount",
    "issued_on",
    "due_on",
    "status",
)
PAYMENT_COLUMNS = ("claim_id", "amount", "paid_on")

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")
_AMOUNT = re.compile(r"^(\d{1,13})\.(\d{2})$")
_POSTCODE = re.compile(r"^\d{4}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PAYMENT_ID = re.compile(r"^\d{15}$")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_STATUSES = {status.value for status in ClaimStatus}
_KINDS = {kind.value for kind in DebtorKind}


@dataclass(frozen=True)
class Problem:
    column: str
    reason: str


class RowError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.column}: {p.reason}" for p in problems))
        self.problems = problems


class _Checker:
    """Collects problems while reading one row, so a row reports all its faults at once."""

    def __init__(self, row: dict[str, str | None]) -> None:
        self.row = row
        self.problems: list[Problem] = []

    def text(self, column: str, *, required: bool = True, max_length: int = 200) -> str:
        value = (self.row.get(column) or "").strip()
        try:
            value.encode("utf-8")  # undecodable input arrives as lone surrogates
        except UnicodeEncodeError:
            self.fail(column, "not valid UTF-8")
            return ""
        if _CONTROL.search(value):
            # a CR/LF in a name or an address would become a header line or a letter line
            self.fail(column, "contains a line break or another control character")
            return ""
        if required and not value:
            self.fail(column, "is empty")
        elif len(value) > max_length:
            self.fail(column, f"longer than {max_length} characters")
        return value

    def identifier(self, column: str) -> str:
        value = self.text(column, max_length=32)
        if value and not _ID.match(value):
            self.fail(column, f"not a valid id: {value!r}")
        return value

    def amount_ore(self, column: str) -> int:
        value = self.text(column, max_length=20)
        if not value:
            return 0
        match = _AMOUNT.match(value)
        if match is None and value.startswith("-") and _AMOUNT.match(value[1:].strip()):
            self.fail(column, f"amount must be positive: {value!r}")
            return 0
        if match is None:
            self.fail(column, f"amount must have two decimals, like 1234.50: {value!r}")
            return 0
        ore = int(match.group(1)) * 100 + int(match.group(2))
        if ore <= 0:
            self.fail(column, "amount must be positive")
        return ore

    def iso_date(self, column: str) -> date:
        value = self.text(column, max_length=10)
        if not value:
            return date.min
        try:
            if len(value) != 10:
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self.fail(column, f"not an ISO date (YYYY-MM-DD): {value!r}")
            return date.min

    def fail(self, column: str, reason: str) -> None:
        self.problems.append(Problem(column, reason))

    def done(self, record: dict[str, Any]) -> dict[str, Any]:
        if self.problems:
            raise RowError(self.problems)
        return record


def _stdnum_reason(exc: StdnumError) -> str:
    return str(exc).rstrip(".").lower() or "invalid"


def debtor_record(row: dict[str, str | None]) -> dict[str, Any]:
    check = _Checker(row)
    debtor_id = check.identifier("debtor_id")
    kind = check.text("kind", max_length=10)
    if kind and kind not in _KINDS:
        check.fail("kind", f"must be person or company: {kind!r}")
    cpr_value = check.text("cpr", required=False, max_length=11)
    if cpr_value:
        try:
            cpr_value = cpr.validate(cpr_value)
        except StdnumError as exc:
            # The CPR itself is never echoed: it may be a real person's number.
            check.fail("cpr", f"invalid CPR number: {_stdnum_reason(exc)}")
    cvr_value = check.text("cvr", required=False, max_length=10)
    if cvr_value:
        try:
            cvr_value = cvr.validate(cvr_value)
        except StdnumError as exc:
            check.fail("cvr", f"invalid CVR number {cvr_value!r}: {_stdnum_reason(exc)}")
    if kind == DebtorKind.PERSON and not cpr_value:
        check.fail("cpr", "a person needs a CPR number")
    if kind == DebtorKind.COMPANY and not cvr_value:
        check.fail("cvr", "a company needs a CVR number")
    name = check.text("name")
    address = check.text("address", required=False)
    postcode = check.text("postcode", required=False, max_length=4)
    if postcode and not _POSTCODE.match(postcode):
        check.fail("postcode", f"must be four digits: {postcode!r}")
    city = check.text("city", required=False, max_length=100)
    email = check.text("email", required=False, max_length=254).lower()
    if email and not _EMAIL.match(email):
        check.fail("email", f"not an email address: {email!r}")
    phone = check.text("phone", required=False, max_length=32)
    return check.done(
        {
            "id": debtor_id,
            "kind": kind,
            "cpr": cpr_value or None,
            "cvr": cvr_value or None,
            "name": name,
            "address": address,
            "street_key": street_key(address),
            "postcode": postcode,
            "city": city,
            "email": email or None,
            "phone": phone or None,
        }
    )


def payment_id_problem(value: str) -> str | None:
    """Why a betalings-ID (FI type 71) is not valid, or None when it is."""
    compact = value.replace(" ", "")
    if not _PAYMENT_ID.match(compact):
        return f"betalings-ID must be 15 digits: {value!r}"
    if not luhn.is_valid(compact):
        return f"betalings-ID check digit (modulus 10) is wrong: {value!r}"
    return None


def claim_record(row: dict[str, str | None]) -> dict[str, Any]:
    check = _Checker(row)
    claim_id = check.identifier("claim_id")
    debtor_id = check.identifier("debtor_id")
    claim_type = check.text("claim_type", max_length=32)
    if claim_type and claim_type not in CLAIM_TYPES:
        check.fail("claim_type", f"unknown claim type {claim_type!r}")
    reference = check.text("reference", max_length=32)
    payment_id = check.text("payment_id", required=False, max_length=20).replace(" ", "")
    if payment_id:
        problem = payment_id_problem(payment_id)
        if problem:
            check.fail("payment_id", problem)
    description = check.text("description", required=False, max_length=300)
    amount = check.amount_ore("amount")
    issued_on = check.iso_date("issued_on")
    due_on = check.iso_date("due_on")
    if issued_on != date.min and due_on != date.min and due_on < issued_on:
        check.fail("due_on", f"due date {due_on} is before the issue date {issued_on}")
    status = check.text("status", max_length=16)
    if status and status not in _STATUSES:
        check.fail("status", f"unknown status {status!r}")
    return check.done(
        {
            "id": claim_id,
            "debtor_id": debtor_id,
            "claim_type": claim_type,
            "reference": reference,
            "payment_id": payment_id or None,
            "description": description,
            "amount_ore": amount,
            "issued_on": issued_on,
            "due_on": due_on,
            "status": status,
        }
    )


def payment_record(row: dict[str, str | None]) -> dict[str, Any]:
    check = _Checker(row)
    claim_id = check.identifier("claim_id")
    amount = check.amount_ore("amount")
    paid_on = check.iso_date("paid_on")
    return check.done({"claim_id": claim_id, "amount_ore": amount, "paid_on": paid_on})
