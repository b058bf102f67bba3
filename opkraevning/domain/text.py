"""Text from outside made safe to store and to show.

``nul_free``: PostgreSQL text cannot hold U+0000, and a NUL in a subject or an address
must not make a message unstorable; derived text columns get U+2400 (␀) instead (the
raw bytes are kept as they came). ``visible_controls``: bidi overrides and zero-width
characters can make a name or subject read as something else (``gnp.exe`` shown as
``exe.png``); pages show them as their code point, e.g. ``⟨U+202E⟩``.
"""

from __future__ import annotations

import re
from typing import Any

NUL_SIGN = "\u2400"

# Bidi embeddings, overrides and isolates, marks, zero-width characters, the BOM,
# the soft hyphen and other invisible format characters, and C0/C1 controls but
# tab and newline.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)


def nul_free(text: str) -> str:
    return text.replace("\x00", NUL_SIGN) if "\x00" in text else text


def nul_free_deep(value: Any) -> Any:
    """``nul_free`` through dicts and lists (for JSON columns)."""
    if isinstance(value, str):
        return nul_free(value)
    if isinstance(value, dict):
        return {nul_free_deep(key): nul_free_deep(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [nul_free_deep(item) for item in value]
    return value


def visible_controls(text: str) -> str:
    """Invisible and direction-changing characters written as ``⟨U+XXXX⟩``."""
    return _INVISIBLE.sub(lambda match: f"\u27e8U+{ord(match.group()):04X}\u27e9", text)
