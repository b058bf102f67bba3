"""Danish letter templates (``breve/``) and the one table of legal references.

Data, not code: the templates are Jinja2 files and the references a TOML table
(``references.toml``). Templates cite a reference by its id; the renderer in
``opkraevning.assistant.drafting.letters`` resolves it here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TEMPLATE_DIR = Path(__file__).parent / "breve"
REFERENCES_FILE = Path(__file__).parent / "references.toml"


class UnknownReference(KeyError):
    """A template or rule cited an id that is not in references.toml."""


@dataclass(frozen=True)
class Reference:
    id: str
    citation: str  # "gældsinddrivelsesloven § 2, stk. 3"
    text: str  # what it says, in plain Danish


@lru_cache(maxsize=1)
def references() -> dict[str, Reference]:
    table = tomllib.loads(REFERENCES_FILE.read_text(encoding="utf-8"))
    return {
        key: Reference(key, str(value["citation"]), str(value["text"]))
        for key, value in table.items()
    }


def reference(ref_id: str) -> Reference:
    try:
        return references()[ref_id]
    except KeyError:
        raise UnknownReference(f"unknown legal reference {ref_id!r}") from None


def template_names() -> list[str]:
    """Every letter template (files starting with ``_`` are frames and shared parts)."""
    return sorted(p.stem for p in TEMPLATE_DIR.glob("*.j2") if not p.name.startswith("_"))
