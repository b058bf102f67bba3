"""The trained intent model: a linear (multinomial logistic) model over words and n-grams.

Features of a message (all binary, the vector scaled to unit length):
- ``w:<stem>`` — Snowball stems of the words (see ``normalise``), ``b:<stem>_<stem>`` bigrams;
- ``c:<ngram>`` — character n-grams of the folded words (misspellings keep most of them);
- ``s:<stem>`` — stems of the subject;
- ``cue:<intent>`` — the precise hand-written cue rules of ``intents.CUES`` that fired.

The weights are trained from the labelled corpus in this repository by
``app/train_intents.py`` (``make train``) and shipped as ``intent_model.json``; nothing
is downloaded. The explanation of a decision is the features that added most to the
chosen intent, with their weights: what a caseworker sees as evidence.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from opkraevning.assistant.read.normalise import stem, words

MODEL_FILE = "intent_model.json"


@dataclass(frozen=True)
class FeatureParams:
    char_min: int = 3
    char_max: int = 5
    bigrams: bool = True
    max_words: int = 400  # a long rambling mail: its start says what it wants
    cue_weight: float = 0.15  # chosen by leave-one-set-out accuracy over a, b, c

    def to_json(self) -> dict[str, Any]:
        return {
            "char_min": self.char_min,
            "char_max": self.char_max,
            "bigrams": self.bigrams,
            "max_words": self.max_words,
            "cue_weight": self.cue_weight,
        }


def features(
    body: str, subject: str, cues: dict[str, int], params: FeatureParams
) -> dict[str, float]:
    found: set[str] = set()
    folded = words(body)[: params.max_words]
    stemmed = [stem(word) for word in folded]
    found.update(f"w:{s}" for s in stemmed)
    if params.bigrams:
        found.update(f"b:{a}_{b}" for a, b in itertools.pairwise(stemmed))
    for word in folded:
        if word.isdigit():
            continue
        padded = f"<{word}>"
        for size in range(params.char_min, params.char_max + 1):
            found.update(f"c:{padded[i : i + size]}" for i in range(len(padded) - size + 1))
    found.update(f"s:{stem(word)}" for word in words(subject))
    if not found:
        found.add("empty")
    scale = 1 / math.sqrt(len(found))
    vector = dict.fromkeys(sorted(found), scale)
    # the precise cue rules keep their strength however long the mail is
    for intent, score in sorted(cues.items()):
        if score > 0:
            vector[f"cue:{intent}"] = min(score, 8) / 4 * params.cue_weight
    return vector


@dataclass
class LinearModel:
    classes: list[str]
    bias: list[float]
    weights: dict[str, list[float]]
    params: FeatureParams = field(default_factory=FeatureParams)
    meta: dict[str, Any] = field(default_factory=dict)

    def scores(self, x: dict[str, float]) -> list[float]:
        totals = list(self.bias)
        for name, value in x.items():
            row = self.weights.get(name)
            if row is not None:
                for k, weight in enumerate(row):
                    totals[k] += weight * value
        return totals

    def probabilities(self, x: dict[str, float]) -> list[float]:
        return softmax(self.scores(x))

    def explain(self, x: dict[str, float], intent: str, top: int = 6) -> list[dict[str, Any]]:
        """The features that pushed most towards ``intent`` (weight × value, positive)."""
        k = self.classes.index(intent)
        parts = [
            (self.weights[name][k] * value, name)
            for name, value in x.items()
            if name in self.weights
        ]
        parts.sort(key=lambda item: (-item[0], item[1]))
        return [
            {"feature": name, "weight": round(contribution, 3)}
            for contribution, name in parts[:top]
            if contribution > 0
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": 1,
            "classes": self.classes,
            "params": self.params.to_json(),
            "meta": self.meta,
            "bias": [round(b, 4) for b in self.bias],
            "weights": {
                name: [round(w, 4) for w in row] for name, row in sorted(self.weights.items())
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearModel:
        if data.get("format") != 1:
            raise ValueError(f"unknown intent model format {data.get('format')!r}")
        return cls(
            classes=list(data["classes"]),
            bias=[float(b) for b in data["bias"]],
            weights={name: [float(w) for w in row] for name, row in data["weights"].items()},
            params=FeatureParams(**data["params"]),
            meta=dict(data.get("meta") or {}),
        )


def softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(score - top) for score in scores]
    total = sum(exps)
    return [e / total for e in exps]


@lru_cache(maxsize=1)
def shipped_model() -> LinearModel | None:
    """The model shipped beside this module (None when it has not been trained yet)."""
    path = resources.files("opkraevning.assistant.read").joinpath(MODEL_FILE)
    if not path.is_file():
        return None
    return LinearModel.from_json(json.loads(path.read_text(encoding="utf-8")))
