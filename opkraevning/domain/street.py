"""The street key: a folded "street number" that finds a debtor by address in an index."""

from __future__ import annotations

import re

from opkraevning.domain.folding import fold

_STREET_AND_NUMBER = re.compile(r"^\s*([^\d,]*?[^\W\d_])\.?\s+(\d{1,4})\s?([a-z])?\b")


def street_key(address: str) -> str | None:
    """``"Nørregade 14, 1. th."`` → ``"noerregade 14"``; None without street and number."""
    match = _STREET_AND_NUMBER.match(fold(address).split(",")[0])
    if match is None:
        return None
    street = " ".join(match.group(1).replace("-", " ").split())
    letter = match.group(3) or ""
    return f"{street} {match.group(2)}{letter}"[:120]
