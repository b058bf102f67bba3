"""The lists beside a reminder run's letters: transfer, own collection, write-off,
near forældelse — and what another policy file would change (the dry-run diff).

The run records its letters and postings; the lists are decisions a person acts on,
computed on demand for the run's date (a dry run: nothing is stored) and kept for a
minute so paging through the screen does not recompute them.
"""

from __future__ import annotations

import stat
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine

from opkraevning.app.reminder.outcome import (
    NearExpiryEntry,
    OwnCollectionEntry,
    RunOutcome,
    TransferEntry,
    WriteOffEntry,
)
from opkraevning.app.reminder.run import compute_with, diff_outcomes
from opkraevning.assistant.policy.model import PolicyError

TTL_SECONDS = 60.0
SHOWN = 500
# keyed by database (the engine's URL, password hidden), the run's date and the policy
# file: two apps in one process on two databases never see each other's lists
_cache: dict[tuple[str, str, str], tuple[float, RunOutcome]] = {}
_lock = threading.Lock()


@dataclass
class RunLists:
    transfers: list[TransferEntry] = field(default_factory=list)
    own_collection: list[OwnCollectionEntry] = field(default_factory=list)
    write_offs: list[WriteOffEntry] = field(default_factory=list)
    near_expiry: list[NearExpiryEntry] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    diff: list[str] | None = None
    diff_error: str | None = None


def _database(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _outcome(engine: Engine, day: date, policy_path: Path | None) -> RunOutcome:
    key = (_database(engine), day.isoformat(), str(policy_path))
    with _lock:
        hit = _cache.get(key)
        if hit and time.monotonic() - hit[0] < TTL_SECONDS:
            return hit[1]
    outcome = compute_with(engine, day, policy_path)
    with _lock:
        _cache[key] = (time.monotonic(), outcome)
    return outcome


def forget(engine: Engine) -> None:
    """Drop the lists kept for this database (after claims changed, e.g. transferred)."""
    database = _database(engine)
    with _lock:
        for key in [key for key in _cache if key[0] == database]:
            del _cache[key]


MAX_POLICY_BYTES = 256 * 1024


def policy_choices(directory: Path | None) -> dict[str, Path]:
    """The policies one may compare with: regular ``*.toml`` files directly in the
    configured directory, by file name. Nothing else is ever opened: no path from a
    request, no symlink, FIFO or device, nothing over ``MAX_POLICY_BYTES``."""
    if directory is None or not directory.is_dir():
        return {}
    found: dict[str, Path] = {}
    for path in sorted(directory.glob("*.toml")):
        try:
            status = path.lstat()
        except OSError:
            continue
        if stat.S_ISREG(status.st_mode) and status.st_size <= MAX_POLICY_BYTES:
            found[path.name] = path
    return found


def run_lists(
    engine: Engine, day: date, policy_path: Path | None, other_policy: Path | None = None
) -> RunLists:
    outcome = _outcome(engine, day, policy_path)
    lists = RunLists(
        transfers=outcome.transfers[:SHOWN],
        own_collection=outcome.own_collection[:SHOWN],
        write_offs=outcome.write_offs[:SHOWN],
        near_expiry=outcome.near_expiry[:SHOWN],
        counts=outcome.counts(),
    )
    if other_policy:
        try:
            other = compute_with(engine, day, other_policy)
            lists.diff = diff_outcomes(outcome, other) or ["ingen forskel"]
        except PolicyError as exc:
            lists.diff_error = str(exc)
    return lists
