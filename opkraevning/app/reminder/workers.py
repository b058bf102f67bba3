"""Computing the reminder run on every core: worker processes read facts and apply the
rules to chunks of debtors; the calling process only records (one writer, one
transaction).

Each debtor lies in exactly one chunk, and what a chunk decides depends only on that
debtor's facts as committed before the run, so the order in which chunks are computed
cannot change the outcome; results are still recorded in debtor order. Workers are
started with ``spawn`` (a clean interpreter with its own database connection: no
connection or lock is ever shared across a fork). Small runs stay in one process:
starting workers costs more than it saves.
"""

from __future__ import annotations

import gc
import multiprocessing
import resource
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine

from opkraevning.assistant.policy.bank_days import BankCalendar
from opkraevning.assistant.policy.model import Policy
from opkraevning.store.reminder_facts import CHUNK, debtor_chunks, load_facts

_STATE: dict[str, Any] = {}
CHUNK_SIZE = CHUNK  # debtors per chunk


def _init(url: str, day: date, policy: Policy, prepare: bool, slim: bool) -> None:
    from opkraevning.store.db import make_engine

    _STATE.update(
        engine=make_engine(url),
        day=day,
        policy=policy,
        calendar=BankCalendar(policy.calendar.extra_closing_days),
        prepare=prepare,
        slim=slim,
    )


def compute_chunk(
    connection: Any,
    chunk: list[str],
    day: date,
    policy: Policy,
    calendar: BankCalendar,
    count_only: bool = False,
) -> Any:
    from opkraevning.app.reminder.outcome import RunOutcome
    from opkraevning.app.reminder.run import debtor_outcome

    part = RunOutcome(day, policy.version, count_only=count_only)
    facts = load_facts(connection, chunk)
    # The rules make no reference cycles, so reference counting frees all they make;
    # the cyclic collector would only rescan the chunk's facts again and again (a
    # fifth of the rules' time), so it pauses while they run.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for claims in facts.values():
            if claims:
                debtor_outcome(claims, day, policy, calendar, part)
    finally:
        if collecting:
            gc.enable()
    return part


def _work(chunk: list[str]) -> Any:
    with _STATE["engine"].connect() as connection:
        part = compute_chunk(
            connection,
            chunk,
            _STATE["day"],
            _STATE["policy"],
            _STATE["calendar"],
            count_only=_STATE["slim"],
        )
    if _STATE["slim"]:
        part.slim()  # only what recording needs travels back
    elif _STATE["prepare"]:
        part.prepare()  # the JSON for recording is made here, on a worker's core
    return part


def outcomes(
    engine: Engine,
    connection: Any,
    day: date,
    policy: Policy,
    workers: int,
    size: int | None = None,
    prepare: bool = False,
    slim: bool = False,
) -> Iterator[Any]:
    """The run's outcome chunk by chunk, in debtor order, computed by ``workers`` processes
    (in this process when ``workers`` ≤ 1 or the run has at most ``workers`` chunks).
    With ``slim`` the lists nobody records are only counted (``RunOutcome.count_only``)."""
    chunks = list(debtor_chunks(connection, size or CHUNK_SIZE))
    if workers <= 1 or len(chunks) <= workers or engine.url.database in (None, "", ":memory:"):
        calendar = BankCalendar(policy.calendar.extra_closing_days)
        for chunk in chunks:
            yield compute_chunk(connection, chunk, day, policy, calendar, count_only=slim)
        return
    url = engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    with context.Pool(
        workers, initializer=_init, initargs=(url, day, policy, prepare, slim)
    ) as pool:
        yield from pool.imap(_work, chunks)


def peak_rss_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its largest finished worker."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"main": round(own), "largest_worker": round(children)}
