"""Overview benchmark: the Oversigt page's load time on a national-scale register.

Builds the register as the reminder-run benchmark does (synthetic, real import, with
history: released letters, agreements, holds), writes 24 month-end snapshots, then
requests ``/oversigt`` through the web app (a logged-in leader, in-process HTTP) N
times and prints p50/p95/max beside a baseline in the same run: ``/health``, the
cheapest page, through the same client.

    python -m bench.overview_bench [--debtors N] [--claims N] [--requests N]
                                   [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from bench.common import drop_schema, fresh_database
from bench.remind_bench import add_history
from opkraevning.app.overview.figures import backfill
from opkraevning.app.register_import import import_register
from opkraevning.demo.synthetic import write_register
from opkraevning.domain.clock import FixedClock
from opkraevning.settings import load_settings
from opkraevning.store import migrate
from opkraevning.store.db import make_engine, session_scope
from opkraevning.web.app import create_app
from opkraevning.web.auth import create_user

DAY = date(2026, 11, 27)
PASSWORD = "en-lang-adgangskode"


def _timings(client: TestClient, path: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text[:300]
    return sorted(times)


def _line(name: str, times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
    return (
        f"{name:<10} p50 {statistics.median(times) * 1000:7.0f} ms   p95 {p95 * 1000:7.0f} ms"
        f"   max {times[-1] * 1000:7.0f} ms   ({len(times)} requests)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--debtors", type=int, default=400_000)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opk-overview-bench-") as tmp:
        workdir = Path(tmp)
        files = write_register(workdir / "register", debtors=args.debtors, claims=args.claims)
        for backend in args.backends.split(","):
            url, schema = fresh_database(backend, workdir)
            try:
                engine = make_engine(url)
                migrate.upgrade(engine)
                started = time.perf_counter()
                import_register(engine, debtors=files.debtors, claims=files.claims,
                                payments=files.payments)  # fmt: skip
                history = add_history(engine, files.claims, random.Random(3))
                clock = FixedClock.on(DAY)
                snapshots = backfill(engine, clock)
                with session_scope(engine) as session:
                    create_user(session, "lene", PASSWORD, "leder", "bench")
                built = time.perf_counter() - started
                app = create_app(load_settings(database_url=url), engine, clock)
                client = TestClient(app, base_url="https://testserver")
                login = client.post("/api/log-ind", json={"username": "lene", "password": PASSWORD})
                assert login.status_code == 200
                _timings(client, "/oversigt", 1)  # warm: imports, plots' fonts, caches
                overview = _timings(client, "/oversigt", args.requests)
                health = _timings(client, "/health", args.requests)
                print(
                    f"{backend}: {files.claim_count:,} claims, {files.debtor_count:,} debtors"
                    f" ({history['letters']:,} letters, {history['agreements']:,} agreements;"
                    f" {snapshots} month-end snapshots; built in {built:.0f} s)\n"
                    f"  {_line('/oversigt', overview)}\n  {_line('/health', health)}",
                    flush=True,
                )
                engine.dispose()
            finally:
                drop_schema(schema)


if __name__ == "__main__":
    main()
