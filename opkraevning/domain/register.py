"""The register as the rest of the program sees it: plain facts and a read-only protocol.

The store implements :class:`Register` over a session (``store.register_lookup``);
the assistant reads through the protocol only, so reading and drafting can be tested
with an in-memory register and never import the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol


@dataclass(frozen=True)
class DebtorFacts:
    id: str
    kind: str
    name: str
    address: str
    postcode: str
    city: str
    email: str | None
    cpr: str | None
    cvr: str | None


@dataclass(frozen=True)
class ClaimFacts:
    id: str
    debtor_id: str
    claim_type: str
    reference: str
    payment_id: str | None
    description: str
    amount_ore: int
    paid_ore: int
    issued_on: date
    due_on: date
    status: str
    line: str = "principal"
    parent_claim_id: str | None = None

    @property
    def remaining_ore(self) -> int:
        return self.amount_ore - self.paid_ore


class Register(Protocol):
    def debtor(self, debtor_id: str) -> DebtorFacts | None: ...
    def claims_of(self, debtor_id: str) -> list[ClaimFacts]: ...
    def debtors_by_cpr(self, cpr: str) -> list[DebtorFacts]: ...
    def debtors_by_cvr(self, cvr: str) -> list[DebtorFacts]: ...
    def debtors_by_email(self, email: str) -> list[DebtorFacts]: ...
    def debtors_by_street(self, keys: Iterable[str]) -> list[DebtorFacts]: ...
    def claims_by_payment_ids(self, payment_ids: Iterable[str]) -> list[ClaimFacts]: ...
    def claims_by_references(self, references: Iterable[str]) -> list[ClaimFacts]: ...
