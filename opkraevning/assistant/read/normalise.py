"""Danish text to comparable tokens: folding, spelling variants, Snowball stems (pure).

The same word written "måned", "maaned" or "maned" (a keyboard without å) should
count as one, and "betaler", "betalte", "betalt" as forms of "betal". So a token is
lower-cased, Danish letters are folded (æ→ae, ø→oe, å→aa), a few common
keyboard and dialect variants are folded too, and the Danish Snowball stemmer
(``snowballstemmer``, the stemmer of the Snowball project, pure Python) cuts the
inflection. Char n-grams of the folded word catch what stemming cannot: misspellings
such as "urimlig" or "forkeret" still share most n-grams with the right word.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]

from opkraevning.domain.folding import fold

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_STEMMER = snowballstemmer.stemmer("danish")
# (pattern, replacement) on folded words: spoken and keyboard variants of one word
_VARIANTS = [
    (re.compile(r"^ka'?$"), "kan"),
    (re.compile(r"^vent'?$"), "vente"),
    (re.compile(r"^te$"), "til"),
    (re.compile(r"^æ$|^ae$"), "den"),
    (re.compile(r"^ik'?$|^ikk$|^ikk'$"), "ikke"),
    (re.compile(r"^(?:hvordn|hvordna)$"), "hvordan"),
    (re.compile(r"^jg$"), "jeg"),
    (re.compile(r"^(?:md|mdr|mnd|maned|mdr\.)$"), "maaned"),
]


def words(text: str) -> list[str]:
    """Folded words (æ→ae …), with the apostrophe forms of spoken Danish kept whole."""
    folded = fold(text).replace("\u2019", "'")
    return _WORD.findall(folded)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    for pattern, replacement in _VARIANTS:
        if pattern.match(word):
            word = replacement
            break
    word = word.replace("'", "")
    # the stemmer knows the Danish letters; folded input is mapped back where unambiguous
    danish = word.replace("aa", "å").replace("oe", "ø").replace("ae", "æ")
    return fold(_STEMMER.stemWord(danish))


def stems(text: str) -> list[str]:
    return [stem(word) for word in words(text)]
