"""The one CPR finder: the outbox guard, the log masker, screen masking and the reader use it.

People write a CPR number in many ways: ``2507563219``, ``250756-3219``, ``250756–3219``
(en dash, as word processors turn a hyphen), ``250756 - 3219``, ``2507 563219``,
``25.07.56-3219``, ``25 07 56 3219``, glued to words (``cpr:2507563219``,
``CPR-nr.250756-3219x``). The pattern reads ten ASCII digits as ``dd mm yy nnnn`` with
an optional space, dot or dash of any kind between the date parts and an optional
dash (with spaces around it) or space before the serial number. It is never preceded or
followed by another digit, so longer numbers (betalings-ID, account numbers) are not cut
into a CPR. ``find_cprs`` keeps only numbers with a valid birth date (python-stdnum);
masking (logs, screens) masks every CPR-shaped number, valid or not, to be safe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from stdnum.dk import cpr as cpr_number

# Every dash a keyboard, a word processor or a copy from a PDF produces.
DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SPACE = "[ \t\u00a0\u2009\u202f]"
_INNER = f"(?:{_SPACE}|[.{DASHES}])?"
_SERIAL_SEP = f"(?:{_SPACE}*[{DASHES}]{_SPACE}*|{_SPACE}+|\\.)?"
CPR_PATTERN = re.compile(
    f"(?<![0-9])([0-9]{{2}}){_INNER}([0-9]{{2}}){_INNER}([0-9]{{2}}){_SERIAL_SEP}([0-9]{{4}})(?![0-9])"
)


@dataclass(frozen=True)
class CprMatch:
    start: int
    end: int
    digits: str  # the ten digits, separators removed

    @property
    def valid(self) -> bool:
        return bool(cpr_number.is_valid(self.digits))


def cpr_matches(text: str) -> Iterator[CprMatch]:
    """Every CPR-shaped number in ``text`` (valid or not), left to right, not overlapping."""
    for match in CPR_PATTERN.finditer(text):
        yield CprMatch(match.start(), match.end(), "".join(match.groups()))


def find_cprs(text: str) -> list[str]:
    """Valid CPR numbers in ``text`` (10 digits, stdnum-checked), in order, once each."""
    found = [match.digits for match in cpr_matches(text) if match.valid]
    return list(dict.fromkeys(found))


def contains_cpr(text: str) -> bool:
    return bool(find_cprs(text))


def mask_cprs(text: str) -> str:
    """Replace every CPR-shaped number with ``DDMMYY-****`` (the birth date alone)."""
    parts: list[str] = []
    position = 0
    for match in cpr_matches(text):
        parts.append(text[position : match.start])
        parts.append(f"{match.digits[:6]}-****")
        position = match.end
    parts.append(text[position:])
    return "".join(parts)
