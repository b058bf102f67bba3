"""Helpers that keep CPR numbers out of screens, logs and the audit trail."""

from __future__ import annotations

from typing import Any

from opkraevning.domain.cpr import mask_cprs


def mask_cpr(cpr: str | None) -> str | None:
    """``2507563219`` → ``250756-****``: the birth date part identifies nobody alone."""
    if not cpr:
        return cpr
    digits = cpr.replace("-", "").replace(" ", "")
    if len(digits) != 10 or not digits.isdigit():
        return "**********"
    return f"{digits[:6]}-****"


def redact_cpr_in_text(text: str) -> str:
    """Mask anything in free text shaped like a CPR number (log lines, citizen text on pages)."""
    return mask_cprs(text)


def masked(text: str | None) -> str | None:
    """``redact_cpr_in_text`` that lets None through (optional fields of the API)."""
    return redact_cpr_in_text(text) if text else text


def masked_deep(value: Any) -> Any:
    """``masked`` through dicts and lists (a reading, as the API shows it)."""
    if isinstance(value, str):
        return redact_cpr_in_text(value)
    if isinstance(value, dict):
        return {key: masked_deep(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked_deep(item) for item in value]
    return value
