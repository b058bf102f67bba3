"""The overview as people read it: figures with the list behind each, plots with their
numbers as a table, all in Danish. The page and the PDF report show the same thing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from opkraevning.app.overview import plots
from opkraevning.app.overview.figures import (
    Flows,
    Levels,
    figures_on,
    history,
    monthly,
    period_flows,
)
from opkraevning.domain.claim_types import danish_name
from opkraevning.templates_da.formatting import dato, kr
from opkraevning.templates_da.names import CHANNEL_NAMES, LETTER_KINDS

MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)
AGE_NAMES = {
    "0-30": "0–30 dage",
    "31-90": "31–90 dage",
    "91-365": "91–365 dage",
    "366-": "over et år",
}


def month_name(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def _days(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}".replace(".", ",").removesuffix(",0") + " arbejdsdage"


@dataclass(frozen=True)
class Figure:
    group: str
    label: str
    value: str
    link: str


@dataclass(frozen=True)
class Plot:
    title: str
    alt: str
    svg_uri: str
    headers: tuple[str, str]
    rows: list[tuple[str, str]]
    note: str = ""


@dataclass
class Overview:
    day: date
    period: str
    municipality: str
    levels: Levels
    flows: Flows
    figures: list[Figure] = field(default_factory=list)
    plots: list[Plot] = field(default_factory=list)


def _figures(levels: Levels, flows: Flows) -> list[Figure]:
    arrears = "Restancer"
    return [
        Figure(arrears, "Restancer i alt", kr(levels.arrears_ore), "/oversigt/liste/restancer"),
        Figure(
            arrears, "Kravlinjer i restance", str(levels.arrears_lines), "/oversigt/liste/restancer"
        ),
        Figure(
            "Gældsstyrelsen",
            "Sendt til Gældsstyrelsen",
            f"{levels.transferred_count} krav · {kr(levels.transferred_ore)}",
            "/oversigt/liste/overdraget",
        ),
        Figure(
            "Gældsstyrelsen",
            "Fortrinsberettigede beholdt i egen inddrivelse",
            f"{levels.kept_preferential_count} krav · {kr(levels.kept_preferential_ore)}",
            "/oversigt/liste/restancer",
        ),
        Figure(
            "Aftaler", "Aktive aftaler", str(levels.agreements_active), "/oversigt/liste/aftaler"
        ),
        Figure(
            "Aftaler",
            "Heraf overholdt",
            str(levels.agreements_good_standing),
            "/oversigt/liste/aftaler",
        ),
        Figure(
            "Aftaler",
            "Misligholdte aftaler",
            str(levels.agreements_broken),
            "/oversigt/liste/aftaler",
        ),
        Figure(
            "Aftaler",
            "Betalt på aftaler",
            kr(levels.agreements_paid_ore),
            "/oversigt/liste/aftaler",
        ),
        Figure(
            "Afskrivning",
            "Afskrevet",
            f"{levels.written_off_count} krav · {kr(levels.written_off_ore)}",
            "/oversigt/liste/afskrevet",
        ),
        Figure("Borgernes post", "Modtaget i perioden", str(flows.mail_received), "/indbakke"),
        Figure("Borgernes post", "Besvaret", str(flows.mail_answered), "/udbakke"),
        Figure("Borgernes post", "Svartid, median", _days(flows.answer_median_days), "/indbakke"),
        Figure(
            "Borgernes post",
            "Svartid, 90 % inden for",
            f"{_days(flows.answer_p90_days)} (mål: {flows.answer_target_days})",
            "/indbakke",
        ),
        Figure("Borgernes post", "Venter nu", str(levels.mail_waiting), "/indbakke"),
        Figure(
            "Breve og gebyrer",
            "Gebyrer pålagt",
            f"{flows.fees_count} · {kr(flows.fees_ore)}",
            "/udbakke",
        ),
    ]


def _bars(labels: list[str], values: list[float], unit: str) -> str:
    return plots.bars(tuple(labels), tuple(values), unit)


def _plots(levels: Levels, months: list[tuple[Levels, str]], flows: Flows) -> list[Plot]:
    labels = [month_name(m.day) + (" *" if source == "backfill" else "") for m, source in months]
    values = [m.arrears_ore / 100 for m, _ in months]
    development = Plot(
        "Restancer måned for måned",
        "Kurve over restancerne i alt ved hver måneds udgang",
        plots.data_uri(plots.line(tuple(labels), tuple(values), "kr.")),
        ("Måned", "Restancer"),
        [(label, kr(m.arrears_ore)) for label, (m, _) in zip(labels, months, strict=True)],
        "* genskabt ud fra registrets datoer" if any(s == "backfill" for _, s in months) else "",
    )
    by_type = sorted(levels.arrears_by_type.items(), key=lambda item: -item[1])
    types = Plot(
        "Restancer efter kravtype",
        "Søjler med restancerne for hver kravtype",
        plots.data_uri(
            _bars([danish_name(k) for k, _ in by_type], [v / 100 for _, v in by_type], "kr.")
        ),
        ("Kravtype", "Restancer"),
        [(danish_name(k), kr(v)) for k, v in by_type],
    )
    ages = list(levels.arrears_by_age.items())
    age = Plot(
        "Restancernes alder",
        "Søjler med restancerne efter dage siden forfald",
        plots.data_uri(
            _bars([AGE_NAMES.get(k, k) for k, _ in ages], [v / 100 for _, v in ages], "kr.")
        ),
        ("Dage siden forfald", "Restancer"),
        [(AGE_NAMES.get(k, k), kr(v)) for k, v in ages],
    )
    sent = sorted(flows.letters.items(), key=lambda item: -item[1])

    def letter_label(key: str) -> str:
        kind, channel = key.split("|")
        return f"{LETTER_KINDS.get(kind, kind)} ({CHANNEL_NAMES.get(channel, channel)})"

    letters = Plot(
        "Breve sendt i perioden",
        "Søjler med antal sendte breve efter slags og kanal",
        plots.data_uri(
            _bars([letter_label(k) for k, _ in sent], [float(v) for _, v in sent], "antal")
        ),
        ("Brev (kanal)", "Antal"),
        [(letter_label(k), str(v)) for k, v in sent],
    )
    return [development, types, age, letters]


def build(
    session: Session,
    day: date,
    start: date,
    end: date,
    period: str,
    zone: Any,
    policy_path: Path | None = None,
    *,
    today: date,
) -> Overview:
    """The overview on ``day`` (levels) and over [start, end) (flows). A past day with a
    snapshot shows the snapshot: the figures of that day are reproduced as they were."""
    from opkraevning.assistant.policy.model import policy_for

    kept = history(session)
    stored = {levels.day: levels for levels, _ in kept}
    levels = stored[day] if day < today and day in stored else figures_on(session, day, policy_path)
    flows = period_flows(session, start, end, zone, policy_path)
    months = [row for row in monthly(kept) if row[0].day < date(day.year, day.month, 1)]
    months.append((levels, "daily"))
    municipality = policy_for(day, policy_path).letters.municipality
    overview = Overview(day, period, municipality, levels, flows)
    overview.figures = _figures(levels, flows)
    overview.plots = _plots(levels, months[-24:], flows)
    return overview


def period_text(start: date, end_inclusive: date) -> str:
    return f"{dato(start)} – {dato(end_inclusive)}"
