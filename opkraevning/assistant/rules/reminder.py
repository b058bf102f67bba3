"""``reminder``: the end of the claim chain — nothing stopped it, so the claim gets its
next reminder (the letter's fee and notice are the letter chain's)."""

from __future__ import annotations

from opkraevning.assistant.rules.base import Case, Rule, Verdict


def check(case: Case) -> Verdict:
    case.number = number = len(case.letters) + 1
    return True, (number,), ("remind", f"reminder no. {number}")


RULE = Rule("reminder", "Ellers får kravet sin næste rykker.", check, keys=("number",))
