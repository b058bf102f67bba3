"""Register import benchmark: rows per second and peak memory, SQLite and PostgreSQL.

Generates a synthetic register (default 400,000 debtors and 1,000,000 claims, plus
their payments), then runs the real command ``opkraevning import`` in a child
process for each database: a first import into an empty database, then the same
files again (the idempotent pass). Peak memory is the child's own maximum RSS. The
same is done for a register a tenth of the size, to show memory does not grow
with the file.

    python -m bench.import_bench [--debtors N] [--claims N] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import drop_schema, fresh_database
from opkraevning.demo.synthetic import RegisterFiles, write_register


@dataclass
class Measurement:
    seconds: float
    peak_rss_mb: float


def _run(args: list[str], database_url: str) -> Measurement:
    env = {**os.environ, "OPKRAEVNING_DATABASE_URL": database_url}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "opkraevning", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"opkraevning {' '.join(args)} failed:\n{output}")
    return Measurement(seconds, usage.ru_maxrss / 1024)


def _import_args(files: RegisterFiles) -> list[str]:
    return [
        "import",
        "--no-progress",
        "--debtors",
        str(files.debtors),
        "--claims",
        str(files.claims),
        "--payments",
        str(files.payments),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--debtors", type=int, default=400_000)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    backends = args.backends.split(",")

    with tempfile.TemporaryDirectory(prefix="opk-bench-") as tmp:
        workdir = Path(tmp)
        sizes = []
        for label, factor in (("full", 1), ("tenth", 10)):
            started = time.perf_counter()
            files = write_register(
                workdir / label, debtors=args.debtors // factor, claims=args.claims // factor
            )
            rows = files.debtor_count + files.claim_count + files.payment_count
            megabytes = sum(p.stat().st_size for p in (files.debtors, files.claims, files.payments))
            print(
                f"generated {label}: {files.debtor_count:,} debtors, {files.claim_count:,} claims,"
                f" {files.payment_count:,} payments = {rows:,} rows, {megabytes / 1e6:.0f} MB"
                f" in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
            sizes.append((label, files, rows))

        print(f"\n{'backend':<11}{'size':<7}{'pass':<8}{'rows':>11}{'seconds':>9}{'rows/s':>10}"
              f"{'peak RSS':>11}")  # fmt: skip
        for backend in backends:
            for label, files, rows in sizes:
                url, schema = fresh_database(backend, workdir)
                try:
                    _run(["db", "upgrade"], url)
                    for run in ("first", "again"):
                        result = _run(_import_args(files), url)
                        print(
                            f"{backend:<11}{label:<7}{run:<8}{rows:>11,}{result.seconds:>9.1f}"
                            f"{rows / result.seconds:>10,.0f}{result.peak_rss_mb:>8.0f} MB",
                            flush=True,
                        )
                finally:
                    drop_schema(schema)


if __name__ == "__main__":
    main()
