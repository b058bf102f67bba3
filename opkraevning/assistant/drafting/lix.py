"""LIX (læsbarhedsindeks): words per sentence + percentage of long words (> 6 letters).

Danish readability: under 25 very easy, 25–34 easy, 35–44 medium, 45–54 hard.
Letters aim at ≤ 40. Amounts, dates, invoice numbers, FI lines and addresses are
not words; "kr." and "stk." end no sentence; a line without a full stop (a heading,
a list item, an address line) ends one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NOT_WORDS = re.compile(r"\S*[\d@<>+]\S*|\S+\.dk\b\.?")
_ABBREVIATIONS = re.compile(r"\b(kr|stk|nr|pkt|bl\.a|f\.eks|ca)\.", re.I)
_WORD = re.compile(r"[A-Za-zÆØÅæøåÉéÜüÖöÄä]+(?:-[A-Za-zÆØÅæøå]+)*")
_SENTENCE_END = re.compile(r"[.!?:](?=\s|$)")


@dataclass(frozen=True)
class Lix:
    words: int
    sentences: int
    long_words: int

    @property
    def score(self) -> float:
        if not self.words:
            return 0.0
        return self.words / max(1, self.sentences) + 100 * self.long_words / self.words


def lix(text: str) -> Lix:
    words = sentences = long_words = 0
    for raw_line in text.splitlines():
        line = _ABBREVIATIONS.sub(r"\1", _NOT_WORDS.sub(" ", raw_line)).strip(" -")
        found = _WORD.findall(line)
        if not found:
            continue
        words += len(found)
        long_words += sum(1 for word in found if len(word.replace("-", "")) > 6)
        ends = len(_SENTENCE_END.findall(line))
        sentences += ends if ends and line.rstrip()[-1] in ".!?:" else ends + 1
    return Lix(words, sentences, long_words)
