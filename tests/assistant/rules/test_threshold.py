"""threshold: no reminder for arrears under 25 kr."""

from __future__ import annotations

import pytest

from tests.assistant.rules.cases import action, claim


@pytest.mark.parametrize(("remaining", "expected"), [(2_499, "nothing"), (2_500, "remind")])
def test_threshold_24_99_and_25_00(remaining: int, expected: str) -> None:
    assert action(claim(amount_ore=remaining)) == expected
