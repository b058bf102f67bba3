"""``own_collection``: a fortrinsberettiget claim (a statutory priority lien on real
property) is never sent to Gældsstyrelsen: the municipality collects it itself
(gældsinddrivelsesloven § 1 a, lov nr. 114 af 31. januar 2017). With udpantningsret
(the claim type's ``udpantningsret``) that is udlæg by the municipality's pantefoged;
without it a judgment must come first."""

from __future__ import annotations

from opkraevning.assistant.rules.base import Case, Rule, Verdict

UDLAEG: Verdict = (
    True,
    (True,),
    ("own_collection", "fortrinsberettiget: the municipality collects"),
)
COURT: Verdict = (
    True,
    (False,),
    (
        "own_collection",
        "fortrinsberettiget without udpantningsret: the municipality collects after a judgment",
    ),
)


def check(case: Case) -> Verdict | None:
    if not case.done:
        return None
    if not case.kind.fortrinsberettiget:
        return False, None, None
    return UDLAEG if case.kind.udpantningsret else COURT


RULE = Rule(
    "own_collection",
    "Fortrinsberettigede krav sendes ikke til Gældsstyrelsen; kommunen inddriver dem selv.",
    check,
    keys=("udpantningsret",),
)
