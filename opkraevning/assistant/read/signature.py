"""Where the writer's signature starts, and the day a message was written (pure)."""

from __future__ import annotations

import re
from datetime import date, datetime

from opkraevning.domain.folding import fold
from opkraevning.domain.inbound import ParsedMessage

_GREETING = re.compile(
    r"^\s*(?:med )?(?:venlig(?:st)?|mange|de bedste|kaerlig)? ?(?:hilsen|hilsner)\b"
    r"|^\s*(?:mvh|vh|kh|bh)\b|^\s*(?:kind |best )?regards\b|^\s*mit freundlichen"
    r"|^\s*med vaenliga|^\s*venlig hilsen",
    re.IGNORECASE | re.MULTILINE,
)
_INLINE_GREETING = re.compile(r"(?:venlig hilsen|med venlig hilsen|mvh)\b")


def split_signature(text: str) -> tuple[str, str]:
    """The text before the last greeting line, and the signature after it.

    An identifier in the signature (a work signature with the employer's CVR) says who
    the writer is, not what the message is about.
    """
    folded = fold(text)
    matches = list(_GREETING.finditer(folded)) or list(_INLINE_GREETING.finditer(folded))
    if not matches:
        return text, ""
    # folding changes lengths (æ → ae): cut the original at the same share of the text
    cut = round(matches[-1].start() * len(text) / max(len(folded), 1))
    return text[:cut], text[cut:]


def written_on(parsed: ParsedMessage, today: date) -> date:
    """The day the message was written (its Date or MeMo creation time), else today."""
    stamp = parsed.mail.date if parsed.mail else (parsed.memo.created if parsed.memo else None)
    if not stamp:
        return today
    try:
        return datetime.fromisoformat(stamp).date()
    except ValueError:
        return today
