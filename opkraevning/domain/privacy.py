"""Helpers that keep CPR numbers out of screens, logs and the audit trail."""

from __future__ import annotations

import re

_CPR_IN_TEXT = re.compile(r"(?<!\d)(\d{6})[-\s]?\d{4}(?!\d)")


def mask_cpr(cpr: str | None) -> str | None:
    """``2507563219`` → ``250756-****``: the birth date part identifies nobody alone."""
    if not cpr:
        return cpr
    digits = cpr.replace("-", "").replace(" ", "")
    if len(digits) != 10 or not digits.isdigit():
        return "**********"
    return f"{digits[:6]}-****"


def redact_cpr_in_text(text: str) -> str:
    """Mask anything in free text that is shaped like a CPR number (for log lines)."""
    return _CPR_IN_TEXT.sub(lambda m: f"{m.group(1)}-****", text)
