"""``opkraevning eval``: the reading measured against labelled mail, one score block per set.

Two layouts are understood:
- the dev corpus: ``DIR/mail/``, ``DIR/labels.jsonl``, ``DIR/register/``;
- the corpus of our own (``tests/corpus``): ``DIR/mail/<set>/``, ``DIR/labels/<set>.jsonl``
  and one ``DIR/register/`` for every set.

Every block is computed on its own; a set marked held out (``d``) is never mixed into
another block. The internal validation split (``validation``) is the fixed part of the
training sets the intent model is not trained on (see ``assistant/read/model_data.py``).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HELD_OUT_SETS = frozenset({"d"})
FIELDS = ("debtor", "claims", "intent", "offer", "verified", "on_behalf_of", "hardship")


@dataclass
class EvalReport:
    title: str = ""
    total: int = 0
    answered: int = 0
    answered_right: int = 0
    labelled: int = 0
    found: int = 0
    null_labels: int = 0
    abstained: int = 0
    right: Counter[str] = field(default_factory=Counter)
    counted: Counter[str] = field(default_factory=Counter)
    offers_labelled: int = 0
    offers_right_when_labelled: int = 0
    accepted_on_misread: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)

    @staticmethod
    def _share(part: int, whole: int) -> str:
        return f"{part}/{whole} = {part / whole:.1%}" if whole else "n/a"

    def lines(self, details: bool = True) -> list[str]:
        share = self._share
        out = [f"== {self.title} ==" if self.title else "== corpus =="]
        out += [
            f"messages                 {self.total}",
            f"debtor precision         {share(self.answered_right, self.answered)}",
            f"debtor recall            {share(self.found, self.labelled)}",
            f"abstention on null       {share(self.abstained, self.null_labels)}",
            f"claim ids exact          {share(self.right['claims'], self.counted['claims'])}",
            f"intent accuracy          {share(self.right['intent'], self.counted['intent'])}",
            f"offer_monthly_kr         {share(self.right['offer'], self.counted['offer'])}",
            "  where an offer is made "
            f"{share(self.offers_right_when_labelled, self.offers_labelled)}",
            f"verified_sender          {share(self.right['verified'], self.counted['verified'])}",
        ]
        for name in ("on_behalf_of", "hardship", "first_payment_on"):
            if self.counted[name]:
                out.append(f"{name:<25}{share(self.right[name], self.counted[name])}")
        out.append(f"accepted on a misread amount  {self.accepted_on_misread}")
        if not details:
            return out
        out.append("intent confusion (label -> answer, only where they differ):")
        differ = [(pair, n) for pair, n in sorted(self.confusion.items()) if pair[0] != pair[1]]
        out += [f"  {label} -> {answer}: {n}" for (label, answer), n in differ] or ["  none"]
        if self.wrong:
            out.append("wrong answers:")
            out += [f"  {line}" for line in self.wrong]
        return out


def _accepted(got: dict[str, Any]) -> bool:
    draft = got.get("draft") or {}
    return draft.get("situation") == "installment_accept"


def _checks(got: dict[str, Any], label: dict[str, Any]) -> dict[str, bool]:
    checks = {
        "debtor": got.get("debtor_id") == label["debtor_id"],
        "claims": sorted(got.get("claim_ids") or []) == sorted(label["claim_ids"]),
        "intent": got.get("intent") == label["intent"],
        "offer": got.get("offer_monthly_kr") == label["offer_monthly_kr"],
        "verified": got.get("verified_sender") == label["verified_sender"],
    }
    if "on_behalf_of" in label:
        checks["on_behalf_of"] = got.get("on_behalf_of") == label["on_behalf_of"]
    if "hardship" in label:
        checks["hardship"] = sorted(got.get("hardship") or []) == sorted(label["hardship"])
    if "first_payment_on" in label:
        checks["first_payment_on"] = got.get("first_payment_on") == label["first_payment_on"]
    return checks


def evaluate(
    results: list[dict[str, Any]], labels: list[dict[str, Any]], title: str = ""
) -> EvalReport:
    report = EvalReport(title=title)
    by_file = {result["file"]: result for result in results}
    for label in labels:
        got = by_file.get(label["file"], {"debtor_id": None})
        report.total += 1
        expected, answer = label["debtor_id"], got.get("debtor_id")
        if answer is not None:
            report.answered += 1
            report.answered_right += answer == expected
        if expected is not None:
            report.labelled += 1
            report.found += answer == expected
        else:
            report.null_labels += 1
            report.abstained += answer is None
        checks = _checks(got, label)
        for name, ok in checks.items():
            report.counted[name] += 1
            report.right[name] += ok
        if label["offer_monthly_kr"] is not None:
            report.offers_labelled += 1
            report.offers_right_when_labelled += checks["offer"]
        if _accepted(got) and not (checks["offer"] and checks["debtor"]):
            report.accepted_on_misread += 1
        report.confusion[(label["intent"], str(got.get("intent")))] += 1
        failed = [name for name, ok in checks.items() if not ok]
        if failed:
            report.wrong.append(f"{label['file']}: {', '.join(failed)}")
    return report


def load_labels(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@dataclass
class EvalSet:
    """One block: its name, its mail files and labels (file names unique within it)."""

    name: str
    mail: list[Path]
    labels: list[dict[str, Any]]

    @property
    def title(self) -> str:
        if self.name in HELD_OUT_SETS:
            return f"set {self.name} (HELD OUT: never trained or tuned on)"
        if self.name == "dev":
            return "dev corpus (tuned on)"
        return f"set {self.name} (training set: tuned on)"


def corpus_sets(directory: Path, names: list[str]) -> list[EvalSet]:
    """The sets to measure in DIR, in either layout; ``names`` empty means every set."""
    if (directory / "labels.jsonl").exists():
        return [
            EvalSet(
                "dev",
                sorted((directory / "mail").glob("*")),
                load_labels(directory / "labels.jsonl"),
            )
        ]
    found = sorted(path.stem for path in (directory / "labels").glob("*.jsonl"))
    wanted = names or [name for name in found if name not in HELD_OUT_SETS]
    missing = [name for name in wanted if name not in found]
    if missing:
        raise FileNotFoundError(f"no labels for set {', '.join(missing)} in {directory}/labels")
    return [
        EvalSet(
            name,
            sorted((directory / "mail" / name).glob("*")),
            load_labels(directory / "labels" / f"{name}.jsonl"),
        )
        for name in wanted
    ]
