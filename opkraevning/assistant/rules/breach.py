"""``breach``: a claim whose agreement is not kept (a missed installment) gets one breach
reminder, then goes to transfer without further notice (RULES.md §4) — never a new
series of reminders."""

from __future__ import annotations

from opkraevning.assistant.rules.base import Case, Rule, Verdict


def check(case: Case) -> Verdict | None:
    if case.claim.agreement is None:
        return None
    case.breach = True
    breach_letters = [letter for letter in case.letters if letter.kind == "breach_reminder"]
    if breach_letters:
        case.previous, case.done = breach_letters[-1], True
    return True, {"breach_reminders": len(breach_letters)}, None


RULE = Rule(
    "breach",
    "En misligholdt afdragsordning giver én rykker; derefter sendes kravet til inddrivelse.",
    check,
)
