"""Reliability benchmark: the reliability suite at benchmark size.

1. SMTP flood: 5,000 mails from 8 real SMTP clients against ``opkraevning smtp``
   in a child process, which is SIGKILLed twice part-way and started again; the
   clients retry until they hear 250. Counts every acknowledged message stored exactly
   once. Baseline in the same run: the same flood without kills.
2. Reminder job: 100,000 claims (synthetic register, real import); the job is killed
   (``os._exit`` in a forked child, no clean-up) half-way through drafting its letters
   and re-run; the result is compared letter by letter with a clean run's. Baseline:
   the clean run's time.

    python -m bench.reliability_bench [--mails 5000] [--claims 100000] [--backends sqlite]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.common import drop_schema, fresh_database
from opkraevning.app.register_import import import_register
from opkraevning.app.reminder import letters as letters_module
from opkraevning.app.reminder.letters import draft_run_letters, draft_unfinished
from opkraevning.app.reminder.run import remind
from opkraevning.demo.synthetic import write_register
from opkraevning.store import migrate
from opkraevning.store.db import make_engine
from tests.reliability.flood import flood
from tests.reliability.test_reminder_crash import _letters

DAY = date(2026, 11, 27)


def smtp_flood(backend: str, mails: int, workdir: Path) -> None:
    for kills in ([], [mails // 3, 2 * mails // 3]):
        url, schema = fresh_database(backend, workdir)
        result = flood(url, mails=mails, clients=8, kill_after=kills)
        drop_schema(schema)
        everything = len(result.acknowledged)
        once = sum(1 for count in result.stored.values() if count == 1)
        print(
            f"smtp flood   {backend:<10} {mails} mails, 8 clients, {result.kills} SIGKILLs:"
            f" {everything} acknowledged, {len(result.stored)} stored, {once} exactly once,"
            f" {result.errors} failed attempts retried, {result.seconds:5.1f} s"
            f" = {mails / result.seconds:5.0f} msg/s",
            flush=True,
        )


def _database(backend: str, workdir: Path, register: Any) -> tuple[str, str | None]:
    url, schema = fresh_database(backend, workdir)
    engine = make_engine(url)
    migrate.upgrade(engine)
    report = import_register(
        engine, debtors=register.debtors, claims=register.claims, payments=register.payments
    )
    assert report.committed
    engine.dispose()
    return url, schema


def _killed_while_drafting(url: str) -> None:
    original = letters_module._draft_batch
    calls = [0]

    def dying(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 40:  # 40 batches of 500 drafted and committed, then the end
            os._exit(137)
        return original(*args, **kwargs)

    letters_module._draft_batch = dying
    engine = make_engine(url)
    _, run_id = remind(engine, DAY)
    assert run_id is not None
    draft_run_letters(engine, run_id)
    os._exit(0)


def reminder_job(backend: str, claims: int, workdir: Path) -> None:
    register = write_register(workdir / f"register-{backend}", debtors=claims // 3, claims=claims)
    clean_url, clean_schema = _database(backend, workdir, register)
    started = time.perf_counter()
    engine = make_engine(clean_url)
    _, run_id = remind(engine, DAY)
    assert run_id is not None
    drafted = draft_run_letters(engine, run_id)
    clean_seconds = time.perf_counter() - started
    engine.dispose()
    crashed_url, crashed_schema = _database(backend, workdir, register)
    started = time.perf_counter()
    child = multiprocessing.get_context("fork").Process(
        target=_killed_while_drafting, args=(crashed_url,)
    )
    child.start()
    child.join()
    killed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    engine = make_engine(crashed_url)
    remind(engine, DAY)
    resumed = sum(draft_unfinished(engine).values())
    resume_seconds = time.perf_counter() - started
    engine.dispose()
    same = _letters(crashed_url) == _letters(clean_url)
    drop_schema(clean_schema)
    drop_schema(crashed_schema)
    print(
        f"remind crash {backend:<10} {claims} claims, {drafted} letters: clean run + drafting"
        f" {clean_seconds:5.1f} s; killed after {killed_seconds:5.1f} s (exit {child.exitcode}),"
        f" re-run drafted the other {resumed} in {resume_seconds:5.1f} s;"
        f" letter by letter equal to the clean run: {same}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=5_000)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        for backend in args.backends.split(","):
            smtp_flood(backend, args.mails, Path(directory))
            reminder_job(backend, args.claims, Path(directory))


if __name__ == "__main__":
    main()
