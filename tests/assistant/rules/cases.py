"""Shared builders for the rule tests: a claim, a released letter, the policy of the
test date and its bank calendar."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import DEFAULT_POLICY, Policy, policy_for
from opkraevning.assistant.rules.engine import ClaimStep, evaluate, step_for_claim
from opkraevning.domain.facts import ClaimFact, LetterFact

DAY = date(2026, 11, 27)  # a Friday
POLICY = policy_for(DAY)
CALENDAR = BankCalendar(POLICY.calendar.extra_closing_days)


def claim(claim_type: str = "husleje", **fields: object) -> ClaimFact:
    values: dict[str, object] = {
        "id": "C1",
        "debtor_id": "D1",
        "claim_type": claim_type,
        "amount_ore": 300_000,
        "paid_ore": 0,
        "due_on": date(2026, 10, 1),
        "status": "open",
    }
    values.update(fields)
    return ClaimFact(**values)  # type: ignore[arg-type]


def letter(
    released: date, *, fee: int = 25_000, number: int = 1, notice: bool = True
) -> LetterFact:
    return LetterFact(number, released, released + timedelta(days=10), fee, notice)


def step(fact: ClaimFact, day: date = DAY, policy: Policy = POLICY) -> ClaimStep:
    return step_for_claim(fact, day, policy, CALENDAR)


def action(fact: ClaimFact, day: date = DAY, policy: Policy = POLICY) -> str:
    return step(fact, day, policy).action


def full(fact: ClaimFact, day: date = DAY, policy: Policy = POLICY) -> ClaimStep:
    """Every chain (claim, expiry, interest) for one claim."""
    return evaluate(fact, day, policy, CALENDAR)


def edited_policy(tmp_path: Path, *edits: tuple[str, str], day: date = DAY) -> Policy:
    """The default policy with text edits (old, new), each applying exactly once; each
    call writes a new file (policies are cached by path and modification time)."""
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / f"policy-{len(list(tmp_path.glob('policy-*.toml')))}.toml"
    path.write_text(text, encoding="utf-8")
    return policy_for(day, path)
