"""The reminder run's outcome: typed entries in øre, one class per list.

The run, its recording, the letters it drafts and the screens read these entries; money
is integer øre and days are dates everywhere inside. Kroner strings ("1234.50") and ISO
dates appear only in :meth:`RunOutcome.document` (``remind --json``) and in the CSV and
JSON exports, whose names and values other tools read: each entry's ``document()`` gives
its old keys in their old order, byte for byte (a test pins them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from opkraevning.assistant.rules.engine import read_trace

LISTS = ("letters", "interest", "transfers", "own_collection", "write_offs", "near_expiry", "holds")


def kr(ore: int) -> str:
    """Øre as the kroner string of the run's JSON document: 123450 → "1234.50"."""
    return str((Decimal(ore) / 100).quantize(Decimal("0.01")))


Rules = dict[str, Any]  # a trace named: {"checked": [...], "fired": [...], "values": {...}}
Stored = list[list[Any]] | Rules  # as a letter stores it (rules.base.compact_trace), or named
COMPACT = (",", ":")  # stored JSON without the spaces


@dataclass(slots=True)
class LetterEntry:
    """A reminder (or breach reminder) to one debtor for some of their claims."""

    debtor_id: str
    claim_ids: list[str]
    kind: str  # reminder, breach_reminder
    number: int  # the highest reminder number among its claims
    numbers: dict[str, int]
    fee_ore: int
    deadline: date
    transfer_notice: bool
    rules: dict[str, Stored] | None  # per claim, stored form; None once only recording needs it
    legal_refs: list[str] | None

    def document(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "debtor_id": self.debtor_id,
            "claim_ids": self.claim_ids,
            "kind": self.kind,
            "number": self.number,
            "numbers": self.numbers,
            "fee_kr": kr(self.fee_ore),
            "deadline": self.deadline.isoformat(),
            "transfer_notice": self.transfer_notice,
        }
        if self.rules is not None:  # named, as the document always had it
            out["rules"] = {claim_id: read_trace(t) for claim_id, t in self.rules.items()}
        if self.legal_refs is not None:
            out["legal_refs"] = self.legal_refs
        return out


@dataclass(slots=True)
class InterestEntry:
    """Interest posted on one claim for a period."""

    claim_id: str
    start: date
    end: date
    rate_pct: Decimal
    amount_ore: int
    legal_refs: list[str]
    rules: Rules | None = None  # not kept when the run only counts its lists

    def document(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "claim_id": self.claim_id,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "rate_pct": str(self.rate_pct),
            "amount_kr": kr(self.amount_ore),
            "legal_refs": self.legal_refs,
        }
        if self.rules is not None:
            out["rules"] = self.rules
        return out


@dataclass(slots=True)
class TransferEntry:
    """A claim ready for Gældsstyrelsen, with the fee lines that go with it."""

    claim_id: str
    amount_ore: int
    fee_claims: list[str]
    rules: Rules
    legal_refs: list[str]

    def document(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "amount_kr": kr(self.amount_ore),
            "fee_claims": self.fee_claims,
            "rules": self.rules,
            "legal_refs": self.legal_refs,
        }


@dataclass(slots=True)
class OwnCollectionEntry:
    """A claim the municipality collects itself (fortrinsberettiget: udlæg)."""

    claim_id: str
    amount_ore: int
    reason: str
    rules: Rules

    def document(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "amount_kr": kr(self.amount_ore),
            "reason": self.reason,
            "rules": self.rules,
        }


@dataclass(slots=True)
class WriteOffEntry:
    """A forældet claim, proposed for write-off."""

    claim_id: str
    expired_on: date
    basis: str
    amount_ore: int
    legal_refs: list[str]
    rules: Rules

    def document(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "expired_on": self.expired_on.isoformat(),
            "basis": self.basis,
            "amount_kr": kr(self.amount_ore),
            "legal_refs": self.legal_refs,
            "rules": self.rules,
        }


@dataclass(slots=True)
class NearExpiryEntry:
    """A claim close to forældelse."""

    claim_id: str
    expires_on: date
    basis: str
    rules: Rules

    def document(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "expires_on": self.expires_on.isoformat(),
            "basis": self.basis,
            "rules": self.rules,
        }


@dataclass(slots=True)
class HoldEntry:
    """A claim on hold (dispute, henstand, estate …): no letter."""

    claim_id: str
    reason: str
    rules: Rules

    def document(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "reason": self.reason, "rules": self.rules}


@dataclass
class RunOutcome:
    date: date
    policy_version: str
    letters: list[LetterEntry] = field(default_factory=list)
    interest: list[InterestEntry] = field(default_factory=list)
    transfers: list[TransferEntry] = field(default_factory=list)
    own_collection: list[OwnCollectionEntry] = field(default_factory=list)
    write_offs: list[WriteOffEntry] = field(default_factory=list)
    near_expiry: list[NearExpiryEntry] = field(default_factory=list)
    holds: list[HoldEntry] = field(default_factory=list)

    totals: dict[str, int] = field(default_factory=dict)
    # per letter, its trace and legal references as JSON text, made by the process that
    # computed the chunk (recording only; never part of the outcome document)
    prepared: list[tuple[str, str]] = field(default_factory=list, repr=False)
    # only count the lists nobody records (transfers, own collection, write-offs, near
    # expiry, holds): a run recorded without --json never looks at them
    count_only: bool = field(default=False, repr=False)

    def document(self) -> dict[str, Any]:
        """The outcome as the stable JSON document (``remind --json``): kroner strings and
        ISO dates under the names other tools read."""
        out: dict[str, Any] = {"date": self.date.isoformat(), "policy_version": self.policy_version}
        for name in LISTS:
            out[name] = [entry.document() for entry in getattr(self, name)]
        out["totals"] = self.totals
        return out

    def prepare(self) -> None:
        self.prepared = [
            (json.dumps(letter.rules, separators=COMPACT), json.dumps(letter.legal_refs))
            for letter in self.letters
        ]

    def counts(self) -> dict[str, int]:
        """How many of each; kept even when the lists themselves are not."""
        return {name: self.totals.get(name, 0) + len(getattr(self, name)) for name in LISTS}

    def add(self, part: RunOutcome, keep: bool) -> None:
        for name in LISTS:
            counted = part.totals.get(name, 0)
            if keep:
                getattr(self, name).extend(getattr(part, name))
            else:
                counted += len(getattr(part, name))
            if counted:
                self.totals[name] = self.totals.get(name, 0) + counted

    def slim(self) -> None:
        """Keep only what recording needs: a letter's trace and references travel as the
        JSON in ``prepared`` (the other lists were only counted, see ``count_only``)."""
        self.prepare()
        for letter in self.letters:
            letter.rules = letter.legal_refs = None
