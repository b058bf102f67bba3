"""Training the intent model: multinomial logistic regression by plain SGD (pure, deterministic).

Written by hand rather than taken from a library so that it is a few dozen lines,
needs nothing at run time, and gives the same weights on every machine: pure
Python floats, a fixed example order (shuffled with a seeded ``random.Random``),
a fixed number of epochs and a learning rate that decays by epoch. L2
regularisation is applied once per epoch (weight decay), which is the usual lazy
form of it for sparse data. A feature seen in fewer than ``min_count`` messages is
dropped; so is a weight too small to matter after training (``prune``), which keeps
the shipped file small.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from opkraevning.assistant.read.intent_model import FeatureParams, LinearModel, softmax


@dataclass(frozen=True)
class TrainParams:
    epochs: int = 30
    learning_rate: float = 1.0
    l2: float = 1e-4
    min_count: int = 2
    prune: float = 0.01
    seed: int = 14

    def to_json(self) -> dict[str, float | int]:
        return {
            "epochs": self.epochs,
            "learning_rate": self.learning_rate,
            "l2": self.l2,
            "min_count": self.min_count,
            "prune": self.prune,
            "seed": self.seed,
        }


def train(
    examples: list[tuple[dict[str, float], str]],
    classes: list[str],
    params: TrainParams,
    feature_params: FeatureParams,
) -> LinearModel:
    counts: Counter[str] = Counter(name for x, _ in examples for name in x)
    kept = {name for name, n in counts.items() if n >= params.min_count}
    data = [({k: v for k, v in x.items() if k in kept}, classes.index(y)) for x, y in examples]
    n_classes = len(classes)
    weights: dict[str, list[float]] = {name: [0.0] * n_classes for name in sorted(kept)}
    bias = [0.0] * n_classes
    order = list(range(len(data)))
    rng = random.Random(params.seed)
    for epoch in range(params.epochs):
        rng.shuffle(order)
        rate = params.learning_rate / (1 + epoch * 0.2)
        for index in order:
            x, y = data[index]
            totals = list(bias)
            rows = [weights[name] for name in x]
            values = list(x.values())
            for row, value in zip(rows, values, strict=True):
                for k in range(n_classes):
                    totals[k] += row[k] * value
            probs = softmax(totals)
            for k in range(n_classes):
                gradient = probs[k] - (1.0 if k == y else 0.0)
                if abs(gradient) < 1e-6:
                    continue
                step = rate * gradient
                bias[k] -= step * 0.1
                for row, value in zip(rows, values, strict=True):
                    row[k] -= step * value
        decay = 1 - rate * params.l2 * len(data)
        for row in weights.values():
            for k in range(n_classes):
                row[k] *= decay
    pruned = {name: row for name, row in weights.items() if max(map(abs, row)) >= params.prune}
    return LinearModel(
        classes=list(classes),
        bias=bias,
        weights=pruned,
        params=feature_params,
        meta={"train": params.to_json(), "examples": len(data)},
    )
