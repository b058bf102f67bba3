"""PDF letters: the same words as the text letter (read back with pdftotext), on the
letterhead with date, journalnummer, page numbers and the FI line boxed; PDF/A; a print
batch is one PDF; the PDF is the MeMo main document and the message validates."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from opkraevning.mailbox.formats.memo import NS, OutgoingMemo, build_memo, validation_errors
from opkraevning.mailbox.formats.pdf import Letterhead, batch_pdf, letter_pdf
from tests.assistant.drafting.letter_cases import POLICY, all_letters

LETTERS = all_letters()
HEAD = Letterhead.of(POLICY)
SAMPLE = ("rykker_1", "svar_doedsbo", "svar_afdrag_modforslag", "tilsigelse_udlaeg")


def _pdftotext(pdf: bytes, tmp_path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        message = "pdftotext (poppler-utils) is not installed (.ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    path = tmp_path / "brev.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, str(path), "-"], capture_output=True, text=True, check=True).stdout


def _in_order(words: list[str], among: list[str]) -> list[str]:
    """``among`` without ``words`` taken in order; fails when one is missing."""
    rest, position = list(among), 0
    for word in words:
        found = rest.index(word, position)  # ValueError: a word of the letter is missing
        del rest[found]
        position = found
    return rest


@pytest.mark.parametrize("name", SAMPLE)
def test_the_pdf_has_the_same_words_as_the_text_letter(name: str, tmp_path: Path) -> None:
    letter = LETTERS[name]
    pdf = letter_pdf(letter.subject, letter.text, HEAD)
    assert pdf.startswith(b"%PDF-")
    extra = _in_order(letter.text.split(), _pdftotext(pdf, tmp_path).split())
    allowed = set(HEAD.words()) | set(letter.subject.split()) | {"Side", "af"}
    assert [word for word in extra if word not in allowed and not word.isdigit()] == []
    assert "Side" in extra  # page numbers at the foot


def test_the_pdf_is_pdf_a_with_the_fi_line_as_on_a_bill(tmp_path: Path) -> None:
    letter = LETTERS["rykker_1"]
    pdf = letter_pdf(letter.subject, letter.text, HEAD)
    (tmp_path / "brev.pdf").write_bytes(pdf)
    meta = subprocess.run(
        ["pdfinfo", "-meta", str(tmp_path / "brev.pdf")], capture_output=True, check=True
    ).stdout.decode()
    assert 'pdfaid:part="3"' in meta and 'pdfaid:conformance="B"' in meta  # PDF/A-3b
    layout = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    fi = [line for line in layout.splitlines() if "+71<" in line]
    assert fi and all(line.rstrip().endswith("+85286148<") for line in fi)
    assert "Dato: 27. november 2026" in layout and "Journalnummer: OPK-D1100022" in layout


def test_a_logo_file_from_the_policy_is_drawn(tmp_path: Path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20">'
        '<rect width="60" height="20" fill="#036"/></svg>',
        encoding="utf-8",
    )
    letter = LETTERS["svar_saldo"]
    plain = letter_pdf(letter.subject, letter.text, HEAD)
    with_logo = letter_pdf(letter.subject, letter.text, Letterhead(**{**vars(HEAD), "logo": logo}))
    assert with_logo != plain and len(with_logo) > len(plain)


def test_a_print_batch_is_one_pdf_with_every_letter(tmp_path: Path) -> None:
    names = ["rykker_1", "rykker_2_renteloven", "svar_saldo"]
    pdf = batch_pdf([(LETTERS[n].subject, LETTERS[n].text) for n in names], HEAD)
    text = _pdftotext(pdf, tmp_path)
    words = [word for n in names for word in LETTERS[n].text.split()]
    _in_order(words, text.split())  # every letter, in order
    assert text.count("\f") >= len(names)  # each letter from a new page


def test_memo_with_the_pdf_as_main_document_validates(tmp_path: Path) -> None:
    letter = LETTERS["rykker_1"]
    pdf = letter_pdf(letter.subject, letter.text, HEAD)
    memo = OutgoingMemo(
        sender_cvr="29189919", sender_label="Norddjurs Kommune", recipient_id="2507563219",
        recipient_id_type="CPR", recipient_label="Karla Frederiksen", label=letter.subject,
        text=letter.text, case_id="OPK-D1100022", letter_ref="OPK-L1", pdf=pdf,
    )  # fmt: skip
    xml = build_memo(memo)
    assert validation_errors(xml) == []
    files = etree.fromstring(xml).findall(f".//{{{NS}}}MainDocument/{{{NS}}}File")
    kinds = [f.findtext(f"{{{NS}}}encodingFormat") for f in files]
    assert kinds == ["application/pdf", "text/plain"]  # the PDF, the text as alternative
    content = files[0].findtext(f"{{{NS}}}content")
    assert content is not None and base64.b64decode(content) == pdf
    assert _pdftotext(base64.b64decode(content), tmp_path).count("Karla Frederiksen") >= 1
