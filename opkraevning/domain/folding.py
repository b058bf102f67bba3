"""Danish folding for comparing text: "Søren Ærø" and "soeren aeroe" are the same."""

from __future__ import annotations

import unicodedata

_FOLD = str.maketrans(
    {"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa", "&": " og ", "ß": "ss"}
)


def fold(text: str) -> str:
    """Lower-case, Danish letters spelt out, other accents dropped: for comparing."""
    text = text.translate(_FOLD).lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
