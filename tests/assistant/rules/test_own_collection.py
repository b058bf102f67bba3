"""own_collection: fortrinsberettigede krav are collected by the municipality."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.assistant.rules.cases import DAY, action, claim, edited_policy, letter, step


def test_own_collection_never_transfer_for_fortrinsberettigede_krav() -> None:
    fact = claim("ejendomsskat", letters=[letter(date(2026, 11, 1))], amount_ore=5_000_000)
    assert action(fact) == "own_collection"


def test_own_collection_without_udpantningsret_needs_a_judgment(tmp_path: Path) -> None:
    fact = claim("rottebekaempelse", letters=[letter(date(2026, 11, 1))])
    assert step(fact).reason == "fortrinsberettiget: the municipality collects"
    policy = edited_policy(
        tmp_path,
        (
            '[claim_types.rottebekaempelse]\nregime = "gebyrloven"\nudpantningsret = true',
            '[claim_types.rottebekaempelse]\nregime = "gebyrloven"\nudpantningsret = false',
        ),
    )
    changed = step(fact, DAY, policy)
    assert changed.action == "own_collection" and "after a judgment" in changed.reason
