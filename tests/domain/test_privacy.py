from __future__ import annotations

from opkraevning.domain.privacy import mask_cpr, redact_cpr_in_text


def test_cpr_is_masked_to_the_birth_date() -> None:
    assert mask_cpr("2507563219") == "250756-****"
    assert mask_cpr("250756-3219") == "250756-****"
    assert mask_cpr("garbage") == "**********"
    assert mask_cpr(None) is None


def test_cpr_shaped_numbers_are_redacted_in_log_text() -> None:
    line = "matched 250756-3219 and 2507563219 but not 123 or 12345678901"
    redacted = redact_cpr_in_text(line)
    assert "3219" not in redacted
    assert redacted.count("250756-****") == 2
    assert "12345678901" in redacted
