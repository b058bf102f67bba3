"""Server-rendered plots (matplotlib's SVG backend): no script, no CDN, readable without
colour. Lines carry markers and the bars hatching; every plot sits beside a table of
its numbers on the page and in the report. The object API (``Figure``), not pyplot,
so plots can be drawn from the web app's threads."""

from __future__ import annotations

import base64
import io
from functools import lru_cache

import matplotlib

matplotlib.use("svg")
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

matplotlib.rcParams.update(
    {"svg.fonttype": "none", "font.size": 9, "svg.hashsalt": "opkraevning"}  # text stays text
)
HATCHES = ("//", "..", "xx", "\\\\", "++", "--", "oo", "**")


def _kroner(value: float, _position: object = None) -> str:
    return f"{value:,.0f}".replace(",", ".")


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


@lru_cache(maxsize=64)  # the same numbers draw the same plot: the page pays once
def line(labels: tuple[str, ...], values_kr: tuple[float, ...], ylabel: str) -> str:
    figure = Figure(figsize=(6.0, 2.8), layout="constrained")
    axes = figure.subplots()
    axes.plot(list(labels), list(values_kr), color="black", marker="o", linestyle="-")
    axes.set_ylabel(ylabel)
    axes.yaxis.set_major_formatter(FuncFormatter(_kroner))
    axes.grid(axis="y", linestyle=":", color="0.6")
    axes.tick_params(axis="x", labelrotation=45)
    axes.set_ylim(bottom=0)
    return _svg(figure)


@lru_cache(maxsize=64)
def bars(labels: tuple[str, ...], values: tuple[float, ...], xlabel: str) -> str:
    figure = Figure(figsize=(6.0, 0.4 * max(len(labels), 2) + 0.9), layout="constrained")
    axes = figure.subplots()
    drawn = axes.barh(list(labels), list(values), color="white", edgecolor="black")
    for bar, hatch in zip(drawn, HATCHES * (len(labels) // len(HATCHES) + 1), strict=False):
        bar.set_hatch(hatch)
    axes.invert_yaxis()
    axes.set_xlabel(xlabel)
    axes.xaxis.set_major_formatter(FuncFormatter(_kroner))
    axes.grid(axis="x", linestyle=":", color="0.6")
    return _svg(figure)


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
