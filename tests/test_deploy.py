"""The example deployment in deploy/: the TOML configuration loads as it stands, and the
systemd unit runs the service with that configuration."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from opkraevning.settings import load_settings

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def test_the_example_configuration_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("OPKRAEVNING_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("OPKRAEVNING_OAUTH2__CLIENT_SECRET", "from-secrets-env")
    settings = load_settings(DEPLOY / "opkraevning.toml")
    assert settings.database_url == "sqlite:////var/lib/opkraevning/opkraevning.db"
    assert settings.accepted_recipients == ["opkraevning@norddjurs.dk"]
    assert settings.relay.enabled and settings.relay.auth == "oauth2"
    assert settings.oauth2.configured and settings.oauth2.client_secret == "from-secrets-env"
    assert settings.oauth2.endpoint == (
        "https://login.microsoftonline.com/norddjurs.onmicrosoft.com/oauth2/v2.0/token"
    )
    assert not settings.imap.enabled
    assert settings.digital_post.can_send and settings.digital_post.enabled
    assert settings.smtp.port == 2525 and settings.web.host == "127.0.0.1"


def test_the_systemd_unit_serves_with_that_configuration() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "opkraevning.service", encoding="utf-8")
    service = unit["Service"]
    assert service["ExecStart"].endswith("/bin/opkraevning serve")
    assert service["Environment"] == "OPKRAEVNING_CONFIG=/etc/opkraevning/opkraevning.toml"
    assert service["User"] == "opkraevning"
    assert "/var/lib/opkraevning" in service["ReadWritePaths"]
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    # the configuration's data directory is the unit's state directory
    config = (DEPLOY / "opkraevning.toml").read_text(encoding="utf-8")
    assert f'data_dir = "/var/lib/{service["StateDirectory"]}"' in config
