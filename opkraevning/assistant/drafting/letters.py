"""Rendering letters: Jinja2 (StrictUndefined, HTML autoescape) and babel ``da_DK``.

A template's first line is the subject. Templates cite legal references by id with
``cite("gil-2-4")`` (prints the citation) or ``cite_all("gil-3")`` (prints nothing);
every cited id is collected, listed at the foot of the letter and returned, so the
draft records exactly which references it used.

The output of a template is HTML-escaped (autoescape is on for everything); the
HTML form is that output in paragraphs, and the plain-text form (email, MeMo) is
the same output unescaped. So a name like ``<b>Ågade & Co</b>`` can never become
markup where a person sees the letter, and reads as written in the text.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from opkraevning.domain.claim_types import danish_name
from opkraevning.templates_da import TEMPLATE_DIR, Reference, reference
from opkraevning.templates_da.formatting import dato, kr

CITED = "_cited"


@dataclass(frozen=True)
class RenderedLetter:
    template: str
    template_version: str
    subject: str
    text: str
    escaped: str  # the body as rendered, HTML-escaped
    legal_refs: list[str] = field(default_factory=list)

    @property
    def html(self) -> str:
        """The body in paragraphs for a screen (made on demand: sending needs only text)."""
        return _paragraphs(self.escaped)


@pass_context
def _cite(context: Context, ref_id: str) -> str:
    ref = reference(ref_id)  # raises UnknownReference
    cited: list[str] = context[CITED]
    if ref_id not in cited:
        cited.append(ref_id)
    return ref.citation


@pass_context
def _cite_all(context: Context, *ref_ids: str) -> str:
    for ref_id in ref_ids:
        _cite(context, ref_id)
    return ""


@pass_context
def _cited(context: Context) -> list[Reference]:
    return [reference(ref_id) for ref_id in context[CITED]]


def _kr(ore: int) -> str:
    if not isinstance(ore, int):
        raise TypeError(f"amounts are integer øre, got {ore!r}")
    return kr(ore)


def _dato(day: date) -> str:
    if not isinstance(day, date):
        raise TypeError(f"expected a date, got {day!r}")
    return dato(day)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
    )
    env.filters["kr"] = _kr
    env.filters["dato"] = _dato
    env.filters["type_name"] = danish_name
    env.globals["cite"] = _cite
    env.globals["cite_all"] = _cite_all
    env.globals["cited"] = _cited
    return env


@lru_cache(maxsize=64)
def template_version(name: str) -> str:
    """``name@hash`` of the template and the shared frame and parts it builds on."""
    digest = hashlib.sha256()
    for path in [*sorted(TEMPLATE_DIR.glob("_*.j2")), TEMPLATE_DIR / f"{name}.j2"]:
        digest.update(path.read_bytes())
    digest.update((TEMPLATE_DIR.parent / "references.toml").read_bytes())
    return f"{name}@{digest.hexdigest()[:12]}"


def _paragraphs(escaped: str) -> str:
    return "".join(
        "<p>" + block.replace("\n", "<br>\n") + "</p>\n"
        for block in escaped.split("\n\n")
        if block.strip()
    )


_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def _tidy(text: str) -> str:
    """One blank line between paragraphs; "kr." ending a sentence takes no second full stop."""
    return _BLANK_LINES.sub("\n\n", text).replace("kr..", "kr.")


def render(name: str, context: dict[str, Any]) -> RenderedLetter:
    """Render template ``name`` (without ``.j2``) with ``context``."""
    cited: list[str] = []
    output = environment().get_template(f"{name}.j2").render({**context, CITED: cited})
    subject_line, _, body = _tidy(output).partition("\n")
    body = body.strip("\n") + "\n"
    return RenderedLetter(
        template=name,
        template_version=template_version(name),
        subject=html.unescape(subject_line.strip()),
        text=html.unescape(body),
        escaped=body,
        legal_refs=list(cited),
    )
