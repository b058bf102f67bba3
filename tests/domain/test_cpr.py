"""Issue 15 item 9: one CPR finder for the outbox guard, the log masker and screens."""

from __future__ import annotations

import io
import json
import logging

import pytest

from opkraevning.domain.cpr import contains_cpr, find_cprs, mask_cprs
from opkraevning.domain.privacy import redact_cpr_in_text
from opkraevning.logs import handler

SPELLINGS = [
    "2507563219",
    "250756-3219",
    "250756\u20103219",  # hyphen
    "250756\u20113219",  # non-breaking hyphen
    "250756\u20123219",  # figure dash
    "250756\u20133219",  # en dash
    "250756\u20143219",  # em dash
    "250756\u22123219",  # minus sign
    "250756\uff0d3219",  # full-width hyphen-minus
    "250756 - 3219",
    "250756 \u2013 3219",
    "250756 3219",
    "250756\u00a03219",
    "2507 563219",
    "25 07 56 3219",
    "25.07.56-3219",
    "25.07.56 3219",
    "25.07.56.3219",
    "25-07-56-3219",
]
SURROUNDINGS = [
    "{}",
    "CPR: {}",
    "cpr:{}",
    "CPR-nr.{}",
    "mit cpr er {}.",
    "({})",
    "x{}y",
    "-{}-",
    "nr{}kr",
    "{}\n",
    "«{}»",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("around", SURROUNDINGS)
def test_every_spelling_is_found_masked_and_guarded(spelling: str, around: str) -> None:
    text = around.format(spelling)
    assert find_cprs(text) == ["2507563219"]
    assert contains_cpr(text)
    masked = mask_cprs(text)
    assert "3219" not in masked
    assert "250756-****" in masked
    assert redact_cpr_in_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "ring 86 32 11 00 eller 2026-453257",
        "betalings-id 000001234567890",
        "konto 1234 0012345678901",
        "beløb 1.234.567,50 kr.",
        "den 25.07.2026 kl. 12:00",
        "faktura 12507563219",  # eleven digits: not a CPR
        "25075632190",
    ],
)
def test_other_numbers_are_not_a_cpr(text: str) -> None:
    assert find_cprs(text) == []
    assert not contains_cpr(text)


def test_the_log_masker_uses_the_same_finder() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("test.cpr.masker")
    logger.handlers = [handler(stream, "json")]
    logger.propagate = False
    for spelling in SPELLINGS:
        logger.warning("citizen wrote %s", spelling)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == len(SPELLINGS)
    assert all("3219" not in line["msg"] for line in lines)
