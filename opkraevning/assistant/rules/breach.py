"""``breach``: a claim whose agreement is not kept (a missed installment) always gets
its breach reminder first — also when it was reminded before the agreement — and only
then goes to transfer, without further notice (the strategy; the agreement letters say
"Overholdes afdragsordningen ikke, udsendes automatisk et rykkerbrev med rykkergebyr.
Udebliver betalingen, sendes kravet til inddrivelse … uden yderligere varsel"). The
breach reminder's fee stays within the regime's fee budget (the fee rule)."""

from __future__ import annotations

from opkraevning.assistant.rules.base import Case, Rule, Verdict


def check(case: Case) -> Verdict | None:
    if case.claim.agreement is None:
        return None
    case.breach = True
    breach_letters = [letter for letter in case.letters if letter.kind == "breach_reminder"]
    if breach_letters:
        case.previous, case.done = breach_letters[-1], True
    return True, (len(breach_letters),), None


RULE = Rule(
    "breach",
    "En misligholdt afdragsordning giver altid først én rykker; derefter sendes kravet videre.",
    check,
    keys=("breach_reminders",),
)
