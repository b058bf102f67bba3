"""``fee_budget``: the reminder procedure is the regime's number of reminders
(gebyrloven: policy, default one; renteloven § 9 b: at most three). When they have
been sent — with or without a fee: a claim disputed and decided against the citizen
resumes the procedure where it stood, its later letters without a fee — the
procedure is done and the chain goes on in ``procedure_done`` (transfer or own
collection). A broken agreement's breach reminder comes first (the breach rule)."""

from __future__ import annotations

from opkraevning.assistant.rules.base import Case, Rule, Verdict


def check(case: Case) -> Verdict | None:
    if case.previous is None:
        return None
    if case.breach and not case.done:
        return None  # the breach reminder is due first, whatever came before the agreement
    if case.done or case.reminders >= case.fees.max_fee_letters:
        case.done = True
        return True, (case.reminders, case.fee_letters), None
    return False, (case.reminders, case.fee_letters), None


RULE = Rule(
    "fee_budget",
    "Når ordningens antal rykkere er sendt, er rykkerproceduren gennemført.",
    check,
    keys=("reminders", "fee_letters"),
)
