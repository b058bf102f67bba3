"""The text layer of a PDF (a Digital Post main document, an attached letter) via pypdf.

pypdf is pure Python and maintained (the PyPDF2 line's successor): no system library,
and a broken or encrypted file is an error we catch, not a crash. A scanned PDF has
no text layer; then the text is empty and the message waits for a person, as before.
Bounded: at most ``MAX_PAGES`` pages are read.
"""

from __future__ import annotations

import io
import logging
import re

log = logging.getLogger(__name__)
MAX_PAGES = 20


def pdf_text(content: bytes) -> str | None:
    """The PDF's text, pages separated by blank lines; None when it cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            return None
        pages = [page.extract_text() or "" for page in reader.pages[:MAX_PAGES]]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        log.warning("a PDF could not be read: %s", type(exc).__name__)
        return None
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    # a line that goes on in lower case continues the sentence of the line before
    text = re.sub(r"[ \t]*\n(?=[a-zæøå0-9(])", " ", text)
    return text or None
