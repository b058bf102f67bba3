"""Issue 15 items 1 and 2 and "keep it proven": the reminder job killed in each phase
(a child process that dies with ``os._exit``: no clean-up, no commit, like SIGKILL), then
re-run; letter by letter the result equals a clean run's, and nothing is there twice."""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session, col

from opkraevning.app.register_import import import_register
from opkraevning.app.reminder import letters as run_letters_module
from opkraevning.app.reminder import run as run_module
from opkraevning.app.reminder import workers
from opkraevning.app.reminder.letters import draft_run_letters, draft_unfinished
from opkraevning.app.reminder.run import remind
from opkraevning.domain.clock import FixedClock
from opkraevning.runners.scheduler import run_due
from opkraevning.settings import load_settings
from opkraevning.store import migrate
from opkraevning.store.db import make_engine
from opkraevning.store.models import (
    Claim,
    OutboundLetter,
    ReminderLetter,
    RunState,
    ScheduledRun,
)
from tests.conftest import DEV_REGISTER, PG_URL, Database

DAY = date(2026, 11, 27)
CRASHED = 137


def _small_steps() -> None:
    """More chunks and drafting batches than the dev register would give, so each phase
    can be cut off half-way."""
    workers.CHUNK_SIZE = 50
    run_letters_module.BATCH = 25


def _die_on_call(module: Any, name: str, call: int) -> None:
    original = getattr(module, name)
    calls = [0]

    def dying(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == call:
            os._exit(CRASHED)
        return original(*args, **kwargs)

    setattr(module, name, dying)


PHASES: dict[str, Callable[[], None]] = {
    "computing": lambda: _die_on_call(workers, "compute_chunk", 2),
    "recording": lambda: _die_on_call(run_module, "_record_part", 3),
    "finishing": lambda: _die_on_call(run_module, "_finish_run", 1),
    "drafting": lambda: _die_on_call(run_letters_module, "_draft_batch", 3),
}


def _job(url: str, phase: str) -> None:
    """The child: the job as the command line runs it (record, then draft), dying in
    ``phase``."""
    _small_steps()
    PHASES[phase]()
    engine = make_engine(url)
    _, run_id = remind(engine, DAY)
    if run_id is not None:
        draft_run_letters(engine, run_id)
    os._exit(0)


def _killed(url: str, phase: str) -> int:
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_job, args=(url, phase))
    child.start()
    child.join(timeout=300)
    return int(child.exitcode or 0)


def _letters(url: str) -> list[tuple[Any, ...]]:
    """Every outbound letter of the run with what it says, and the claims' fee and
    interest lines: the things a citizen receives and owes, without ids or timestamps."""
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.execute(
            select(
                col(OutboundLetter.debtor_id),
                col(OutboundLetter.kind),
                col(OutboundLetter.state),
                col(OutboundLetter.channel),
                col(OutboundLetter.subject),
                col(OutboundLetter.body),
                col(ReminderLetter.fee_ore),
                col(ReminderLetter.deadline),
                col(ReminderLetter.released_on),
            )
            .join(ReminderLetter, col(ReminderLetter.outbound_letter_id) == OutboundLetter.id)
            .where(col(OutboundLetter.run_id).is_not(None))
        ).all()
        lines = session.execute(
            select(
                col(Claim.parent_claim_id),
                col(Claim.line),
                col(Claim.amount_ore),
                col(Claim.description),
            ).where(col(Claim.parent_claim_id).is_not(None))
        ).all()
        counts = (
            session.scalar(select(func.count()).select_from(ReminderLetter)),
            session.scalar(select(func.count()).select_from(OutboundLetter)),
            session.scalar(select(func.count()).select_from(ScheduledRun)),
        )
    engine.dispose()
    return [("counts", *counts), *sorted(map(tuple, rows)), *sorted(map(tuple, lines))]


def _import(url: str) -> None:
    engine = make_engine(url)
    report = import_register(
        engine,
        debtors=DEV_REGISTER / "debtors.csv",
        claims=DEV_REGISTER / "claims.csv",
        payments=DEV_REGISTER / "payments.csv",
    )
    assert report.committed
    engine.dispose()


_CLEAN: dict[str, list[tuple[Any, ...]]] = {}


@pytest.fixture
def clean_run(database: Database, tmp_path: Path) -> Iterator[list[tuple[Any, ...]]]:
    """A clean run's letters on a second database with the same register (made once per
    database kind: it depends on nothing else)."""
    if database.kind in _CLEAN:
        yield _CLEAN[database.kind]
        return
    if database.kind == "sqlite":
        url, schema = f"sqlite:///{tmp_path / 'clean.db'}", None
    else:
        schema = f"opk_clean_{uuid.uuid4().hex[:8]}"
        admin = make_engine(PG_URL)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    _import(url)
    engine = make_engine(url)
    _, run_id = remind(engine, DAY)
    assert run_id is not None
    draft_run_letters(engine, run_id)
    engine.dispose()
    _CLEAN[database.kind] = _letters(url)
    yield _CLEAN[database.kind]
    if schema:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    else:
        (tmp_path / "clean.db").unlink(missing_ok=True)


@pytest.mark.parametrize("phase", list(PHASES))
def test_killed_in_each_phase_the_rerun_equals_a_clean_run(
    database: Database, clean_run: list[tuple[Any, ...]], phase: str
) -> None:
    _import(database.url)
    database.engine.dispose()
    assert _killed(database.url, phase) == CRASHED
    with Session(database.engine) as session:
        runs = session.scalars(select(ScheduledRun)).all()
    if phase == "drafting":
        assert [run.state for run in runs] == [RunState.DONE.value]  # recorded, half drafted
    else:
        assert runs == []  # a run cut off before its end left nothing committed
    # the re-run, as the command line does it: record (if not done), then draft the rest
    _, run_id = remind(database.engine, DAY)
    assert (run_id is None) == (phase == "drafting")
    draft_unfinished(database.engine)
    assert _letters(database.url) == clean_run
    # and once more: nothing new
    assert remind(database.engine, DAY)[1] is None
    assert draft_unfinished(database.engine) == {}
    assert _letters(database.url) == clean_run


def test_the_scheduler_tick_finishes_a_run_cut_off_while_drafting(
    database: Database, clean_run: list[tuple[Any, ...]]
) -> None:
    _import(database.url)
    database.engine.dispose()
    assert _killed(database.url, "drafting") == CRASHED
    settings = load_settings(scheduler={"catch_up_days": 1, "remind_at": "06:00"}, remind_workers=1)
    clock = FixedClock.on(DAY, time(7, 0), settings.zone)
    assert run_due(database.engine, settings, clock) == []  # the slot is recorded already
    assert _letters(database.url) == clean_run


def test_a_committed_run_that_never_finished_is_done_again(
    database: Database, clean_run: list[tuple[Any, ...]]
) -> None:
    """What the old savepoint left on SQLite: a committed ``running`` run, no letters."""
    _import(database.url)
    with Session(database.engine) as session:
        session.add(
            ScheduledRun(kind="remind", slot=DAY.isoformat(), state="running", instance="x")
        )
        session.commit()
    _, run_id = remind(database.engine, DAY)
    assert run_id is not None
    draft_run_letters(database.engine, run_id)
    assert _letters(database.url) == clean_run
