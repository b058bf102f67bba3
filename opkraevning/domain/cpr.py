"""The one CPR finder: every place that must spot a CPR number in text uses it."""

from __future__ import annotations

import re

from stdnum.dk import cpr as cpr_number

CPR_PATTERN = re.compile(r"(?<![\d-])(\d{6})[-\s]?(\d{4})(?![\d-])")


def find_cprs(text: str) -> list[str]:
    """Valid CPR numbers in ``text`` (10 digits, stdnum-checked), in order, once each."""
    found = []
    for match in CPR_PATTERN.finditer(text):
        digits = match.group(1) + match.group(2)
        if cpr_number.is_valid(digits):
            found.append(digits)
    return list(dict.fromkeys(found))


def contains_cpr(text: str) -> bool:
    return bool(find_cprs(text))
