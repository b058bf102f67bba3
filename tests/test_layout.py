"""Tests mirror the package tree: tests/<part>/test_<module>.py tests opkraevning/<part>/<module>.

At the top of tests/ sit only the tests of the root modules (cli.py, logs.py,
settings.py), of the package as a whole (packaging) and this test of the tree
itself. A few modules test a whole part through
its outside (the web app through HTTP and a browser, several service instances at once,
the demo end to end); they are named here with the reason, so a misplaced test module
fails and a deliberate exception is visible. ``tests/reliability/`` (issue 15) crosses
every part on purpose and mirrors no package folder.
"""

from __future__ import annotations

from pathlib import Path

import opkraevning

PACKAGE = Path(opkraevning.__file__).parent
TESTS = Path(__file__).parent

WHOLE_PART = {
    "app/reminder/test_reminder_run.py": "the reminder run end to end (run, workers, letters)",
    "app/reminder/test_run_trace.py": "the recorded run's trace read back (run, rules, store)",
    "assistant/policy/test_every_setting_is_read.py": "every policy key is read by some code",
    "demo/test_demo.py": "the demo seeding and the synthetic register end to end",
    "runners/test_instances.py": "two worker and two outbox runners on one PostgreSQL",
    "store/test_store.py": "the schema's guarantees (types, uniqueness, raw bytes)",
    "web/test_web.py": "the web app's screens and API through HTTP",
    "web/test_browser.py": "the running service in a real browser",
    "web/test_api_docs_browser.py": "the API documentation page in a real browser",
    "web/test_danish_pages.py": "every page of the demo crawled for Danish text",
    "web/test_citizen_text.py": "CPR and invisible characters in citizen text, on every screen",
    "web/test_hostile_input.py": "NUL, huge integers and the server's logs, through HTTP",
    "web/test_policy_compare.py": "the policy comparison's rights and files, through HTTP",
    "web/test_retry_unknown_outcome.py": "'Send igen' after an unknown outcome, page and API",
    "test_packaging.py": "the installable package as a whole (metadata, lock files)",
    "test_deploy.py": "the example deployment in deploy/ (systemd unit, configuration)",
}


# Folders of tests that cross every part on purpose, mirroring no package folder.
WHOLE_SERVICE = {
    "reliability": "issue 15: crashes (SIGKILL), floods, hostile input, parallel log-in",
}


def _tested_part(test: Path) -> Path:
    relative = test.relative_to(TESTS)
    return PACKAGE / relative.parent / relative.name.removeprefix("test_").removesuffix(".py")


def test_every_test_module_sits_beside_the_part_it_tests() -> None:
    misplaced = []
    for test in sorted(TESTS.rglob("test_*.py")):
        relative = str(test.relative_to(TESTS))
        if relative in WHOLE_PART or test == Path(__file__):
            continue
        if relative.split("/")[0] in WHOLE_SERVICE:
            continue
        part = _tested_part(test)
        if not (part.with_suffix(".py").is_file() or (part / "__init__.py").is_file()):
            misplaced.append(relative)
    assert misplaced == [], "name each test module after the module it tests, in its folder"


def test_the_exceptions_still_exist_and_sit_in_a_package_folder() -> None:
    for relative in WHOLE_PART:
        assert (TESTS / relative).is_file(), f"{relative} is gone: remove it from WHOLE_PART"
        assert (PACKAGE / relative).parent.is_dir(), relative


def test_every_test_folder_is_a_package_like_the_part_it_mirrors() -> None:
    for folder in sorted(path for path in TESTS.rglob("*") if path.is_dir()):
        if not any(folder.glob("test_*.py")):
            continue
        relative = folder.relative_to(TESTS)
        assert (folder / "__init__.py").is_file(), f"tests/{relative} has no __init__.py"
        if str(relative) in WHOLE_SERVICE:
            continue
        assert (PACKAGE / relative).is_dir(), f"tests/{relative} mirrors no package folder"
