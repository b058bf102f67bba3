"""``make train``: train the intent model from the labelled mail in this repository.

    python -m opkraevning.app.train_intents [--check] [--tune] [--all]

Reads the dev corpus (``../shared/corpus/dev`` beside the checkout) and sets a, b, c of
``tests/corpus`` through the same parse functions as the pipeline, leaves the fixed
validation split out (``assistant/read/model_data.py``; ``--all`` is only for
experiments) and writes ``opkraevning/assistant/read/intent_model.json``. Set ``d`` is
held out: this script never opens it. ``--check`` fails when the shipped file differs
from a fresh training (training is deterministic); ``--tune`` prints the validation and
leave-one-set-out accuracy of a small grid of hyper-parameters.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from opkraevning.assistant.parse.autoreply import classify_machine_mail
from opkraevning.assistant.parse.mime import parse_mail
from opkraevning.assistant.parse.reply_split import split_reply
from opkraevning.assistant.read.intent_model import MODEL_FILE, FeatureParams, features
from opkraevning.assistant.read.intents import CLASSES, cue_scores
from opkraevning.assistant.read.model_data import TRAINING_SETS, in_validation
from opkraevning.assistant.read.training import TrainParams, train
from opkraevning.mailbox.formats.memo import parse_memo

ROOT = Path(__file__).resolve().parents[2]
OWN = {"opkraevning@norddjurs.dk", "opkraevning@localhost"}
MODEL_PATH = ROOT / "opkraevning" / "assistant" / "read" / MODEL_FILE


@dataclass
class Example:
    set_name: str
    file: str
    subject: str
    body: str
    machine: str
    intent: str


def message_text(raw: bytes, is_memo: bool) -> tuple[str, str, str]:
    """Subject, body (new text without sign-off) and machine kind, as the pipeline reads them."""
    if is_memo:
        memo = parse_memo(raw)
        return memo.label, split_reply(memo.text).body, "human"
    parsed = parse_mail(raw)
    machine = classify_machine_mail(raw, OWN)
    return parsed.subject, split_reply(parsed.text).body, machine.kind


def _set_files(set_name: str) -> tuple[Path, Path]:
    if set_name == "dev":
        dev = ROOT.parent / "shared" / "corpus" / "dev"
        return dev / "mail", dev / "labels.jsonl"
    corpus = ROOT / "tests" / "corpus"
    return corpus / "mail" / set_name, corpus / "labels" / f"{set_name}.jsonl"


def load_examples() -> Iterator[Example]:
    for set_name in TRAINING_SETS:
        mail, labels = _set_files(set_name)
        if not labels.exists():
            continue
        for line in labels.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            label = json.loads(line)
            path = mail / label["file"]
            subject, body, machine = message_text(path.read_bytes(), path.suffix == ".xml")
            yield Example(set_name, label["file"], subject, body, machine, label["intent"])


def vector(example: Example, params: FeatureParams) -> dict[str, float]:
    return features(example.body, example.subject, cue_scores(example.body), params)


def fit(
    examples: list[Example], params: TrainParams, feature_params: FeatureParams
) -> tuple[object, list[tuple[dict[str, float], str]]]:
    data = [
        (vector(e, feature_params), e.intent)
        for e in examples
        if e.machine == "human" and e.intent in CLASSES
    ]
    return train(data, list(CLASSES), params, feature_params), data


def accuracy(model: object, examples: list[Example], feature_params: FeatureParams) -> float:
    from opkraevning.assistant.read.intent_model import LinearModel

    assert isinstance(model, LinearModel)
    scored = [e for e in examples if e.machine == "human" and e.intent in CLASSES]
    right = 0
    for e in scored:
        probs = model.probabilities(vector(e, feature_params))
        right += model.classes[probs.index(max(probs))] == e.intent
    return right / len(scored) if scored else 0.0


def training_model(examples: list[Example], use_all: bool = False) -> dict[str, object]:
    chosen = [e for e in examples if use_all or not in_validation(e.set_name, e.file)]
    model, _ = fit(chosen, TrainParams(), FeatureParams())
    document = model.to_json()  # type: ignore[attr-defined]
    assert isinstance(document, dict)
    document["meta"]["sets"] = sorted({e.set_name for e in chosen})
    return document


def tune(examples: list[Example]) -> None:
    grid = [
        (TrainParams(epochs=e, learning_rate=r, l2=l2), FeatureParams(char_min=lo, char_max=hi))
        for e in (20, 30)
        for r in (0.5, 1.0)
        for l2 in (1e-4, 1e-3)
        for lo, hi in ((3, 5), (4, 4))
    ]
    training = [e for e in examples if not in_validation(e.set_name, e.file)]
    validation = [e for e in examples if in_validation(e.set_name, e.file)]
    for params, feature_params in grid:
        model, _ = fit(training, params, feature_params)
        held = [
            accuracy(fit([e for e in examples if e.set_name != s], params, feature_params)[0],
                     [e for e in examples if e.set_name == s], feature_params)
            for s in ("a", "b", "c")
        ]  # fmt: skip
        print(
            f"{params.to_json()} chars {feature_params.char_min}-{feature_params.char_max}: "
            f"validation {accuracy(model, validation, feature_params):.3f}, "
            f"leave-one-set-out a/b/c {' '.join(f'{h:.3f}' for h in held)}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--all", action="store_true")
    args = parser.parse_args(argv)
    examples = list(load_examples())
    if args.tune:
        tune(examples)
        return 0
    text = json.dumps(training_model(examples, args.all), ensure_ascii=False, indent=0) + "\n"
    if args.check:
        shipped = MODEL_PATH.read_text(encoding="utf-8") if MODEL_PATH.exists() else ""
        if shipped != text:
            print(f"{MODEL_PATH.name} differs from a fresh training: run make train")
            return 1
        print(f"{MODEL_PATH.name} equals a fresh training")
        return 0
    MODEL_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {MODEL_PATH.name}: {len(examples)} messages read")
    return 0


if __name__ == "__main__":
    sys.exit(main())
