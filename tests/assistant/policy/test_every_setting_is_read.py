"""Every policy setting does something: a key that no code reads fails this test.

The policy is wrapped in a recorder that notes every field read, and the rules, the
letter planning and the proposals run over a crafted set of claims under the default
policy and a few variants (settings that only matter when another one is switched
on). Keys read at the edges — the letterhead fields the letter templates print, the
calendar the run builds, the policy's name and version — are checked in the source
that reads them. A new key must be read by one of these, or added here with the
module that reads it.
"""

from __future__ import annotations

import re
import types
import typing
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import Policy, policy_for
from opkraevning.assistant.proposals.installments import (
    OpenClaim,
    decide_deferral,
    propose_installments,
)
from opkraevning.assistant.rules.engine import evaluate, plan_letters, released_at_once
from opkraevning.domain.facts import AgreementFact, ClaimFact, HoldFact, LetterFact
from tests.assistant.rules.cases import edited_policy

PACKAGE = Path(__file__).resolve().parents[3] / "opkraevning"
DAY = date(2026, 11, 27)
# read outside the recorded paths: key → (module, the text that reads it)
AT_THE_EDGES = {
    "name": ("cli.py", "model_dump"),  # `policy show` prints it; it names the file
    "version": ("app/reminder/run.py", "policy.version"),
    "calendar.extra_closing_days": (
        "app/reminder/workers.py",
        "policy.calendar.extra_closing_days",
    ),
    "letters.secure_email_to_verified": (
        "assistant/drafting/reply_drafts.py",
        "policy.letters.secure_email_to_verified",
    ),
    "letters.journal_prefix": (
        "assistant/drafting/letter_context.py",
        "policy.letters.journal_prefix",
    ),
    "letters.logo_file": ("mailbox/formats/pdf.py", "policy.letters.logo_file"),
    "letters.answer_days": ("assistant/drafting/notices.py", "policy.letters.answer_days"),
    "udlaeg.notice_fee_kr": ("assistant/drafting/notices.py", "policy.udlaeg.notice_fee_kr"),
}
TEMPLATES = PACKAGE / "templates_da" / "breve"


def leaf_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every setting of the policy model: ``fees.*.fee_kr``, ``tabeltraek[].year`` …"""
    found: set[str] = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found |= leaf_paths(annotation, f"{path}.")
        elif origin is dict and isinstance(args[1], type) and issubclass(args[1], BaseModel):
            found |= leaf_paths(args[1], f"{path}.*.")
        elif origin is list and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            found |= leaf_paths(args[0], f"{path}[].")
        else:
            found.add(path)
    return found


class Recorder:
    """Stands in for a policy model: notes each field read as a path, wraps what it returns,
    and runs the model's own methods (``interest_rate_on`` …) against itself."""

    def __init__(self, real: Any, path: str, seen: set[str]) -> None:
        self._real, self._path, self._seen = real, path, seen

    def __getattr__(self, name: str) -> Any:
        real = self._real
        if isinstance(real, BaseModel) and name in type(real).model_fields:
            path = f"{self._path}{name}"
            self._seen.add(path)
            return wrap(getattr(real, name), path, self._seen)
        attribute = getattr(type(real), name, None)
        if isinstance(attribute, types.FunctionType):
            return types.MethodType(attribute, self)
        return getattr(real, name)

    def __getitem__(self, key: Any) -> Any:
        return wrap(self._real[key], f"{self._path}*", self._seen)

    def __iter__(self) -> Any:
        return (wrap(item, f"{self._path}[]", self._seen) for item in self._real)

    def __len__(self) -> int:
        return len(self._real)

    def __contains__(self, key: Any) -> bool:
        return key in self._real

    def __hash__(self) -> int:
        return id(self._real)


def wrap(value: Any, path: str, seen: set[str]) -> Any:
    if isinstance(value, BaseModel):
        return Recorder(value, f"{path}.", seen)
    if isinstance(value, dict) and value and isinstance(next(iter(value.values())), BaseModel):
        return Recorder(value, f"{path}.", seen)
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return _RecordedList(value, path, seen)
    return value


class _RecordedList(list):  # type: ignore[type-arg]
    """A list of models whose items record as ``path[].field`` (indexing, slicing, loops)."""

    def __init__(self, items: list[Any], path: str, seen: set[str]) -> None:
        super().__init__(Recorder(item, f"{path}[].", seen) for item in items)


def _claims() -> list[ClaimFact]:
    """One claim per branch of the chains."""
    letter = LetterFact(1, date(2026, 11, 1), date(2026, 11, 11), 25_000, True)
    kind: dict[str, Any] = {
        "id": "C", "debtor_id": "D", "amount_ore": 300_000, "paid_ore": 0, "status": "open",
    }  # fmt: skip
    broken = AgreementFact("active", date(2026, 8, 1), date(2026, 10, 1), date(2026, 9, 1))
    return [
        ClaimFact(claim_type="husleje", due_on=date(2026, 10, 1), **kind),  # reminder
        ClaimFact(claim_type="husleje", due_on=date(2026, 12, 1), **kind),  # not due
        ClaimFact(claim_type="husleje", due_on=date(2026, 10, 1), letters=[letter], **kind),
        ClaimFact(
            claim_type="rottebekaempelse", due_on=date(2026, 10, 1), letters=[letter], **kind
        ),
        ClaimFact(
            claim_type="juniorklub",
            due_on=date(2026, 10, 1),
            letters=[letter],
            was_disputed=True,
            **kind,
        ),
        ClaimFact(
            claim_type="husleje", due_on=date(2026, 10, 1), holds=[HoldFact("dispute")], **kind
        ),
        ClaimFact(claim_type="daginstitution", due_on=date(2026, 10, 1), agreement=broken, **kind),
        ClaimFact(
            claim_type="loenkrav", due_on=date(2023, 12, 1), issued_on=date(2023, 11, 1), **kind
        ),
        ClaimFact(claim_type="ejendomsskat", due_on=date(2024, 2, 1), **kind),
        ClaimFact(
            claim_type="husleje",
            due_on=date(2026, 10, 1),
            amount_ore=1_000,
            **{k: v for k, v in kind.items() if k != "amount_ore"},
        ),
    ]


def _run_everything(policy: Policy, seen: set[str]) -> None:
    recorded: Any = Recorder(policy, "", seen)
    calendar = BankCalendar(policy.calendar.extra_closing_days)
    steps = [(claim, evaluate(claim, DAY, recorded, calendar)) for claim in _claims()]
    plan_letters("D", steps, DAY, recorded, calendar)
    released_at_once("reminder", recorded)
    released_at_once("breach_reminder", recorded)
    open_claims = [
        OpenClaim("A", "loenkrav", "R1", 2_000_000, "open", due_on=DAY - timedelta(days=40)),
        OpenClaim("B", "ejendomsskat", "R2", 500_000, "open"),
        OpenClaim("E", "daginstitution", "R3", 100_000, "open"),
    ]
    for income, children in ((15_000, False), (15_000, True), (60_000, False), (60_000, True)):
        propose_installments(open_claims, recorded, DAY, calendar, offer_monthly_ore=10_000,
                             income_monthly_ore=income * 100, children=children)  # fmt: skip
    decide_deferral(open_claims, recorded, DAY, calendar, DAY + timedelta(days=60))


VARIANTS = ((("gebyrloven_morarente_enabled = false", "gebyrloven_morarente_enabled = true"),),)


def test_every_policy_key_is_read_by_some_code(tmp_path: Path) -> None:
    seen: set[str] = set()
    _run_everything(policy_for(DAY), seen)
    for edits in VARIANTS:
        _run_everything(edited_policy(tmp_path, *edits, day=DAY), seen)
    templates = "\n".join(path.read_text(encoding="utf-8") for path in TEMPLATES.glob("*.j2"))
    for name in Policy.model_fields["letters"].annotation.model_fields:  # type: ignore[union-attr]
        if re.search(rf"\b{name}\b", templates):
            seen.add(f"letters.{name}")  # the letterhead: letter_context dumps the section
    for key, (module, text) in AT_THE_EDGES.items():
        assert text in (PACKAGE / module).read_text(encoding="utf-8"), (key, module)
        seen.add(key)
    unread = sorted(leaf_paths(Policy) - seen)
    assert unread == [], f"policy keys no code reads: {unread}"


def test_the_check_notices_a_key_nobody_reads() -> None:
    class Extra(BaseModel):
        used: int = 1
        nobody_reads_this: int = 2

    class WithExtra(Policy):
        extra: Extra = Extra()

    assert "extra.nobody_reads_this" in leaf_paths(WithExtra) - {"extra.used"}
    assert "fees.*.fee_kr" in leaf_paths(Policy)
    assert "tabeltraek[].brackets[].pct_with_children" in leaf_paths(Policy)
