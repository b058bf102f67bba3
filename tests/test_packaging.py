"""The install is reproducible and quiet: the lock files cover pyproject.toml, every pin
has hashes, and building our package prints no warning of its own."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def _pins(lock: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    lines = lock.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        match = PIN.match(line)
        if match is None:
            continue
        following = " ".join(lines[number : number + 3])
        assert "--hash=sha256:" in following, f"{lock.name}: {line} has no hash"
        pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def _project() -> dict[str, list[str]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {"runtime": data["dependencies"], "dev": data["optional-dependencies"]["dev"]}


def test_lock_files_pin_every_dependency_of_pyproject() -> None:
    runtime, dev = _pins(ROOT / "requirements.lock"), _pins(ROOT / "requirements-dev.lock")
    project = _project()
    for kind, pins in (("runtime", runtime), ("dev", dev)):
        names = project["runtime"] + (project["dev"] if kind == "dev" else [])
        for text in names:
            requirement = Requirement(text)
            name = canonicalize_name(requirement.name)
            assert name in pins, f"{name} is missing from the {kind} lock: run `make lock`"
            assert requirement.specifier.contains(pins[name], prereleases=True), (
                f"{name}=={pins[name]} does not satisfy {requirement}: run `make lock`"
            )
    # The dev lock is compiled with the runtime lock as constraint: the same versions.
    assert {name: dev[name] for name in runtime} == runtime


def test_building_our_package_prints_no_warning(tmp_path: Path) -> None:
    build = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation"),
            *("--disable-pip-version-check", "-w", str(tmp_path), str(ROOT)),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={"PIP_CONFIG_FILE": "/dev/null", "PATH": "/usr/bin:/bin"},
    )
    output = build.stdout + build.stderr
    assert list(tmp_path.glob("opkraevning-*.whl"))
    noise = [
        line
        for line in output.splitlines()
        if re.search(r"SetuptoolsDeprecationWarning|SetuptoolsWarning|deprecated", line)
    ]
    assert noise == []
