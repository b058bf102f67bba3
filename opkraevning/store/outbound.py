"""Reading a letter's stored trace back: validated (old rows upgraded on the way)."""

from __future__ import annotations

import logging

from opkraevning.domain.outbound import LetterTrace
from opkraevning.store.models import OutboundLetter

log = logging.getLogger(__name__)


def stored_trace(letter: OutboundLetter) -> LetterTrace:
    """Why the letter was written; a letter without a trace has an empty one."""
    return LetterTrace.model_validate(letter.trace or {})


def trace_or_empty(letter: OutboundLetter) -> LetterTrace:
    """For the screens: a trace that does not validate is shown as empty, not a 500."""
    try:
        return stored_trace(letter)
    except ValueError:  # pydantic's ValidationError is a ValueError
        log.warning("letter %s: stored trace does not validate", letter.id, exc_info=True)
        return LetterTrace()
