"""``write_off``: a forældet claim is proposed for write-off only (a caseworker decides):
it gets no reminder, no fee and no transfer — a forældet claim cannot be demanded."""

from __future__ import annotations

from opkraevning.assistant.rules.base import MISS, Case, Rule, Verdict

WRITE_OFF: Verdict = (True, None, ("write_off", "forældet: proposed for write-off"))


def check(case: Case) -> Verdict:
    assert case.expires is not None  # the foraeldelse rule comes first in the chain
    return WRITE_OFF if case.expires <= case.day else MISS


RULE = Rule("write_off", "Et forældet krav foreslås afskrevet.", check)
