"""The order the rules are checked in, as data (in the spirit of GNU Mailman's chains).

Each chain is a tuple of links; a link is a rule name, or ``(name, chain)``: when that
rule fires, checking continues in the named chain instead (a jump). A rule whose
verdict carries a decision ends its chain.

- ``claim``: what the run does with a claim — write off (a forældet claim gets no
  reminder, fee or transfer), remind, hold, wait, nothing, or (after the procedure, in
  ``procedure_done``) transfer or own collection.
- ``expiry``: the near-expiry list.
- ``interest``: the interest posting.
- ``letter``: per claim of a reminder, whether it allows a fee and carries the notice.

To add a rule: add a module beside this one defining ``RULE = Rule(name, description,
check)`` (the registry finds it; a name used twice is refused) and put its name in
the chain where it belongs here. Nothing else changes.
"""

from __future__ import annotations

Link = str | tuple[str, str]

CHAINS: dict[str, tuple[Link, ...]] = {
    "claim": (
        "active",
        "foraeldelse",
        "write_off",
        "in_agreement_elsewhere",
        "last_on_time",
        "hold",
        "breach",
        ("fee_budget", "procedure_done"),
        "threshold",
        "interval",
        "reminder",
    ),
    "procedure_done": (
        "interval",
        "own_collection",
        "transfer",
    ),
    "expiry": ("near_expiry",),
    "interest": ("interest",),
    "letter": (
        "fee",
        "transfer_notice",
    ),
}
