"""Letters as PDF (WeasyPrint): the print file and the Digital Post main document.

The PDF carries exactly the letter's text — the same words as the text letter, in the
same order (a test reads it back with ``pdftotext``) — laid out on the municipality's
letterhead (name, address and logo file from the policy's ``letters``), with the subject
as heading, the date and journalnummer at the top right, page numbers ("Side 1 af 2")
at the foot, and each FI line (``+71<betalings-ID +kreditornummer<``) set in a box in a
monospaced face as on a bill. Written as PDF/A-3b, the archival variant WeasyPrint
produces. A print batch is one PDF: every letter starts on a new page (the page numbers
count through the batch, so a printed stack can be checked for a missing sheet).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from opkraevning.assistant.policy.model import Policy

PDF_VARIANT = "pdf/a-3b"
FI_LINE = re.compile(r"^- (?P<label>[^:]+): (?P<code>\+71<\d+ \+\d{8}<)$")
META_LINE = re.compile(r"^(Dato|Journalnummer): ")

CSS = """
@page { size: A4; margin: 22mm 20mm 24mm 25mm;
        @bottom-right { content: "Side " counter(page) " af " counter(pages);
                        font-size: 8.5pt; color: #444; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.42; }
section.letter { page-break-before: always; }
section.letter:first-child { page-break-before: auto; }
header { display: flex; justify-content: space-between; align-items: flex-start;
         border-bottom: 0.6pt solid #222; padding-bottom: 3mm; margin-bottom: 8mm; }
header img { max-height: 16mm; max-width: 50mm; }
header .sender { text-align: right; font-size: 9pt; }
header .sender .name { font-weight: bold; font-size: 10.5pt; }
.meta { text-align: right; font-size: 9pt; margin-bottom: 6mm; }
h1 { font-size: 13pt; margin: 0 0 5mm 0; }
p { margin: 0 0 3.2mm 0; }
.fi { font-family: "DejaVu Sans Mono", monospace; border: 0.8pt solid #000;
      padding: 2mm 3mm; margin: 1mm 0; display: flex; justify-content: space-between; }
.fi .code { font-size: 11pt; letter-spacing: 0.4pt; }
"""


@dataclass(frozen=True)
class Letterhead:
    name: str
    municipality: str
    address: str
    logo: Path | None = None

    @classmethod
    def of(cls, policy: Policy) -> Letterhead:
        logo = Path(policy.letters.logo_file) if policy.letters.logo_file else None
        letters = policy.letters
        return cls(letters.office, letters.municipality, letters.address, logo)

    def words(self) -> list[str]:
        return f"{self.name} {self.municipality} {self.address}".split()


def _header(head: Letterhead) -> str:
    logo = ""
    if head.logo is not None and head.logo.is_file():
        logo = f'<img src="{html.escape(head.logo.resolve().as_uri())}" alt="">'
    return (
        f"<header><div>{logo}</div><div class='sender'>"
        f"<div class='name'>{html.escape(head.name)}</div>"
        f"<div>{html.escape(head.municipality)}</div><div>{html.escape(head.address)}</div>"
        "</div></header>"
    )


def _block(lines: list[str]) -> str:
    """One paragraph of the text letter; FI lines as on a bill, the rest verbatim."""
    out: list[str] = []
    text: list[str] = []
    for line in lines:
        fi = FI_LINE.match(line)
        if fi is None:
            text.append(html.escape(line))
            continue
        if text:
            out.append("<p>" + "<br>".join(text) + "</p>")
            text = []
        out.append(
            f"<div class='fi'><span>- {html.escape(fi['label'])}:</span>"
            f"<span class='code'>{html.escape(fi['code'])}</span></div>"
        )
    if text:
        out.append("<p>" + "<br>".join(text) + "</p>")
    return "".join(out)


def _section(subject: str, text: str, head: Letterhead) -> str:
    blocks = [block.splitlines() for block in text.strip("\n").split("\n\n") if block.strip()]
    meta = ""
    if blocks and all(META_LINE.match(line) for line in blocks[0]):
        meta = "<div class='meta'>" + "<br>".join(html.escape(x) for x in blocks[0]) + "</div>"
        blocks = blocks[1:]
    body = "".join(_block(block) for block in blocks)
    return (
        f"<section class='letter'>{_header(head)}{meta}"
        f"<h1>{html.escape(subject)}</h1>{body}</section>"
    )


def _document(sections: list[str]) -> str:
    return (
        "<!DOCTYPE html><html lang='da'><head><meta charset='utf-8'>"
        f"<title>Brev</title><style>{CSS}</style></head><body>{''.join(sections)}</body></html>"
    )


def _write(document: str) -> bytes:
    from weasyprint import HTML  # imported here: loading pango costs ~0.3 s

    pdf = HTML(string=document).write_pdf(pdf_variant=PDF_VARIANT)
    assert pdf is not None
    return bytes(pdf)


def letter_pdf(subject: str, text: str, head: Letterhead) -> bytes:
    """One letter (its subject and its text as rendered) as a PDF."""
    return _write(_document([_section(subject, text, head)]))


def batch_pdf(letters: list[tuple[str, str]], head: Letterhead) -> bytes:
    """Several letters (subject, text) as one PDF to print, each from a new page."""
    return _write(_document([_section(subject, text, head) for subject, text in letters]))
