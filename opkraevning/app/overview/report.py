"""The monthly and yearly report for leaders and politicians: the overview's figures and
plots for a period, in Danish, as HTML and as PDF (WeasyPrint)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.engine import Engine
from sqlmodel import Session

from opkraevning.app.overview.view import MONTHS, build
from opkraevning.domain.clock import Clock
from opkraevning.templates_da.formatting import dato

TEMPLATES = Path(__file__).resolve().parents[2] / "templates_da" / "rapporter"


class ReportError(ValueError):
    """The period asked for cannot be reported (bad format, or in the future)."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive
    title: str

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def month_period(text: str) -> Period:
    try:
        year, month = (int(part) for part in text.split("-"))
        start = date(year, month, 1)
    except ValueError:
        raise ReportError(f"ugyldig måned {text!r}: skriv den som ÅÅÅÅ-MM, fx 2026-11") from None
    end = date(year + month // 12, month % 12 + 1, 1)
    return Period(start, end, f"Månedsrapport for {MONTHS[month - 1]} {year}")


def year_period(text: str) -> Period:
    try:
        year = int(text)
        start = date(year, 1, 1)
    except ValueError:
        raise ReportError(f"ugyldigt år {text!r}: skriv det som ÅÅÅÅ, fx 2026") from None
    return Period(start, date(year + 1, 1, 1), f"Årsrapport for {year}")


def render_html(
    engine: Engine, period: Period, clock: Clock, policy_path: Path | None = None
) -> str:
    today = clock.today()
    if period.start > today:
        raise ReportError("perioden er ikke begyndt endnu")
    day = min(period.last_day, today)
    with Session(engine) as session:
        overview = build(
            session,
            day,
            period.start,
            min(period.end, today + timedelta(days=1)),
            period.title,
            clock.now().tzinfo,
            policy_path,
            today=today,
        )
    groups = [
        (g, list(items)) for g, items in itertools.groupby(overview.figures, lambda f: f.group)
    ]
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2"]))
    return env.get_template("rapport.html.j2").render(
        title=period.title,
        overview=overview,
        groups=groups,
        period_text=f"{dato(period.start)} – {dato(period.last_day)}",
        day_text=dato(day),
    )


def render_pdf(
    engine: Engine, period: Period, clock: Clock, policy_path: Path | None = None
) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=render_html(engine, period, clock, policy_path)).write_pdf()
    return pdf
