"""Every rule by name, found once at import: each module in this package that defines
``RULE`` (a :class:`~opkraevning.assistant.rules.base.Rule`) is registered. Two rules
with one name are refused (like Mailman's rule registry): the name is the id that
traces, tests and the chain use."""

from __future__ import annotations

import importlib
import pkgutil

from opkraevning.assistant.rules.base import Rule

# modules of this package that are machinery, not rules
NOT_RULES = frozenset({"base", "registry", "chain", "engine"})


class DuplicateRule(ValueError):
    """A second rule claimed a name already taken."""


def register(rules: dict[str, Rule], rule: Rule) -> None:
    if rule.name in rules:
        raise DuplicateRule(f"rule {rule.name!r} is defined twice")
    rules[rule.name] = rule


def discover() -> dict[str, Rule]:
    import opkraevning.assistant.rules as package

    rules: dict[str, Rule] = {}
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module.name in NOT_RULES or module.name.startswith("_"):
            continue
        loaded = importlib.import_module(f"{package.__name__}.{module.name}")
        rule = getattr(loaded, "RULE", None)
        if isinstance(rule, Rule):
            register(rules, rule)
    return rules


RULES: dict[str, Rule] = discover()
