"""The registry and the chains: one name per rule, every rule in a chain, every chain
link a known rule; the trace lists what was checked and fired, with values."""

from __future__ import annotations

from datetime import date

import pytest

from opkraevning.assistant.rules.base import MISS, Rule
from opkraevning.assistant.rules.chain import CHAINS
from opkraevning.assistant.rules.registry import RULES, DuplicateRule, register
from tests.assistant.rules.cases import claim, full, letter


def _names(chain: str) -> list[str]:
    return [link if isinstance(link, str) else link[0] for link in CHAINS[chain]]


def test_registry_refuses_a_second_rule_with_a_taken_name() -> None:
    rules = dict(RULES)
    with pytest.raises(DuplicateRule, match="'hold'"):
        register(rules, Rule("hold", "another hold", lambda case: MISS))


def test_every_rule_is_in_a_chain_and_every_link_is_a_rule() -> None:
    linked = {name for chain in CHAINS for name in _names(chain)}
    assert linked == set(RULES)
    jumps = {link[1] for chain in CHAINS.values() for link in chain if not isinstance(link, str)}
    assert jumps <= set(CHAINS)


def test_each_rule_is_named_after_its_module_and_described() -> None:
    for name, rule in RULES.items():
        assert rule.check.__module__ == f"opkraevning.assistant.rules.{name}"
        assert len(rule.description) > 20


def test_the_trace_of_a_transfer_lists_the_rules_in_chain_order() -> None:
    transferred = full(claim(letters=[letter(date(2026, 11, 1))], due_on=date(2026, 10, 1)))
    trace = transferred.trace_json()
    assert transferred.action == "transfer"
    assert trace["checked"] == [
        "active", "foraeldelse", "write_off", "in_agreement_elsewhere", "last_on_time",
        "hold", "fee_budget", "interval", "own_collection", "transfer", "near_expiry",
    ]  # fmt: skip
    assert trace["fired"] == [
        "active", "last_on_time", "fee_budget", "interval", "transfer",
    ]  # fmt: skip
    assert trace["values"]["transfer"] == {
        "total_ore": 300_000, "notice_given": True, "has_identity": True,
    }  # fmt: skip
    assert trace["values"]["last_on_time"] == {"last_on_time": "2026-10-01"}
