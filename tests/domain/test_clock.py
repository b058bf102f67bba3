"""The one clock: the system clock reads the configured zone, the fixed clock says what it
is told, and nothing else in the package asks the system for today's date."""

from __future__ import annotations

import ast
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import opkraevning
from opkraevning.domain.clock import FixedClock, SystemClock

PACKAGE = Path(opkraevning.__file__).parent
CLOCK_MODULE = PACKAGE / "domain" / "clock.py"
# The UTC moment every record's timestamp comes from (not a business date).
UTC_TIMESTAMPS = {PACKAGE / "store" / "types.py"}

ASKS_FOR_TODAY = {("date", "today"), ("datetime", "today"), ("datetime", "now")}
ASKS_FOR_TODAY |= {("datetime", "utcnow"), ("time", "localtime")}


def _callee(node: ast.Call) -> tuple[str, str] | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        owner = func.value
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        return name, func.attr
    if isinstance(func, ast.Name):
        return "", func.id
    return None


def clock_calls(source: str) -> list[str]:
    """Every call in ``source`` that reads the system clock for a date or local time."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        callee = _callee(node)
        if callee in ASKS_FOR_TODAY or (callee and callee[1] == "local_today"):
            found.append((node.lineno, f"{'.'.join(filter(None, callee))}()"))
    return [f"line {line}: {call}" for line, call in sorted(found)]


def test_the_scan_finds_every_way_of_asking_for_today() -> None:
    source = (
        "from datetime import date, datetime\nimport datetime as dt\n"
        "a = date.today()\nb = datetime.now(ZONE).date()\nc = dt.date.today()\n"
        "d = local_today()\ne = pipeline.local_today()\nf = dt.datetime.now()\n"
        "g = clock.today()\nh = day.today_is_fine\n"
    )
    assert [line.split(":")[0] for line in clock_calls(source)] == [
        f"line {n}" for n in (3, 4, 5, 6, 7, 8)
    ]


def test_nothing_but_the_clock_asks_the_system_for_the_date() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in UTC_TIMESTAMPS | {CLOCK_MODULE}:
            continue
        for call in clock_calls(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(PACKAGE.parent)} {call}")
    assert offenders == [], "use the Clock (opkraevning.domain.clock) passed to the use case"


def test_system_clock_reads_the_configured_zone() -> None:
    # Pacific/Kiritimati is UTC+14, Pacific/Pago_Pago UTC-11: 25 hours apart, so at any
    # moment their dates differ by a day (or two hours a day: the same date twice).
    east = SystemClock(ZoneInfo("Pacific/Kiritimati"))
    west = SystemClock(ZoneInfo("Pacific/Pago_Pago"))
    assert east.now().utcoffset() != west.now().utcoffset()
    assert east.today() >= west.today()
    assert east.today() == datetime.now(ZoneInfo("Pacific/Kiritimati")).date()


def test_fixed_clock_says_what_it_is_told() -> None:
    clock = FixedClock.on(date(2026, 11, 27), time(6, 30))
    assert clock.today() == date(2026, 11, 27)
    assert clock.now().hour == 6 and clock.now().tzinfo == ZoneInfo("Europe/Copenhagen")
