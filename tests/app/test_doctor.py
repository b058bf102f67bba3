"""opkraevning doctor: each check fails for its own reason, against real servers (a
closed port, an aiosmtpd relay with and without TLS, the session's Dovecot, a port held
by a socket) and says what to do; the exit code says whether every check passed."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from opkraevning.app.doctor import Check, Status, run_checks
from opkraevning.cli import main
from opkraevning.settings import Settings, load_settings
from opkraevning.store import migrate
from opkraevning.store.db import make_engine
from tests.helpers import free_port, self_signed_certificate
from tests.mailbox.dovecot import Mailbox
from tests.mailbox.smtp_sink import smtp_sink


@pytest.fixture
def base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Settings for a sound installation on SQLite in tmp_path (free ports, our address)."""
    data = tmp_path / "data"
    url = f"sqlite:///{data / 'opkraevning.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield {
        "data_dir": data,
        "accepted_recipients": ["opkraevning@norddjurs.dk"],
        "web": {"port": free_port()},
        "smtp": {"port": free_port()},
        "min_free_disk_mb": 1,
    }


def _checks(overrides: dict[str, Any], **more: Any) -> dict[str, Check]:
    settings = load_settings(**{**overrides, **more})
    engine = make_engine(settings.database_url)
    try:
        return {check.name: check for check in run_checks(settings, engine)}
    finally:
        engine.dispose()


def _only_failures(checks: dict[str, Check]) -> dict[str, Check]:
    return {name: c for name, c in checks.items() if c.status is Status.ERROR}


def test_a_sound_installation_passes_with_warnings_for_what_is_not_set_up(
    base: dict[str, Any],
) -> None:
    checks = _checks(base)
    assert _only_failures(checks) == {}
    assert checks["database"].status is Status.OK
    assert checks["databaseskema"].status is Status.OK
    assert checks["relay (udgående post)"].status is Status.WARNING
    assert "OPKRAEVNING_RELAY__HOST" in checks["relay (udgående post)"].message
    assert checks["Digital Post"].status is Status.WARNING


def test_configuration_fails_in_the_cli_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPKRAEVNING_WEB__PORT", "otte-tusind")
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1
    assert result.output.startswith("FEJL     konfiguration: invalid setting OPKRAEVNING_WEB__PORT")


def test_configuration_warns_when_only_localhost_is_accepted(base: dict[str, Any]) -> None:
    check = _checks(base, accepted_recipients=["opkraevning@localhost"])["konfiguration"]
    assert check.status is Status.WARNING
    assert "OPKRAEVNING_ACCEPTED_RECIPIENTS" in check.message


def test_database_unreachable(base: dict[str, Any]) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/opkraevning"
    checks = _checks(base, database_url=url)
    assert checks["database"].status is Status.ERROR
    assert "kan ikke nå" in checks["database"].message
    assert "OPKRAEVNING_DATABASE_URL" in checks["database"].message
    assert checks["databaseskema"].status is Status.ERROR


def test_database_schema_not_current(base: dict[str, Any], tmp_path: Path) -> None:
    checks = _checks(base, database_url=f"sqlite:///{tmp_path / 'tom.db'}")
    assert checks["database"].status is Status.OK
    assert checks["databaseskema"].status is Status.ERROR
    assert "opkraevning db upgrade" in checks["databaseskema"].message


def test_policy_file_invalid(base: dict[str, Any], tmp_path: Path) -> None:
    policy = tmp_path / "politik.toml"
    policy.write_text("rykkergebyr = 'meget'\n", encoding="utf-8")
    check = _checks(base, policy_file=policy)["politik"]
    assert check.status is Status.ERROR
    assert str(policy) in check.message and "policy check" in check.message


def test_relay_connect_fails(base: dict[str, Any]) -> None:
    check = _checks(base, relay={"host": "127.0.0.1", "port": free_port()})["relay (udgående post)"]
    assert check.status is Status.ERROR
    assert check.message.startswith("forbindelse fejlede")


def test_relay_without_starttls_fails_when_starttls_is_required(base: dict[str, Any]) -> None:
    with smtp_sink() as sink:
        relay = {"host": "127.0.0.1", "port": sink.port, "starttls": True}
        check = _checks(base, relay=relay)["relay (udgående post)"]
    assert check.status is Status.ERROR
    assert check.message.startswith("STARTTLS fejlede")


def test_relay_refuses_the_password(base: dict[str, Any], tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    with smtp_sink(tls=(cert, key)) as sink:
        relay = {"host": "localhost", "port": sink.port, "ca_file": str(cert)}
        good = _checks(base, relay={**relay, "username": "relay", "password": "secret"})
        bad = _checks(base, relay={**relay, "username": "relay", "password": "forkert"})
    assert good["relay (udgående post)"].status is Status.OK
    assert "STARTTLS" in good["relay (udgående post)"].message
    assert bad["relay (udgående post)"].status is Status.ERROR
    assert bad["relay (udgående post)"].message.startswith("log-ind fejlede")
    assert "tjek OPKRAEVNING_RELAY__USERNAME og __PASSWORD" in bad["relay (udgående post)"].message


def test_imap_refuses_the_password_and_a_closed_port(base: dict[str, Any], imap: Mailbox) -> None:
    account = {"host": "127.0.0.1", "port": imap.port, "ssl": False, "username": imap.user}
    good = _checks(base, imap={**account, "password": imap.password})["IMAP (indgående post)"]
    bad = _checks(base, imap={**account, "password": "forkert"})["IMAP (indgående post)"]
    closed = _checks(base, imap={**account, "port": free_port()})["IMAP (indgående post)"]
    assert good.status is Status.OK
    assert bad.status is Status.ERROR and bad.message.startswith("log-ind fejlede")
    assert closed.status is Status.ERROR and closed.message.startswith("kan ikke forbinde")


def test_digital_post_directories(base: dict[str, Any], tmp_path: Path) -> None:
    a_file = tmp_path / "fil.txt"
    a_file.write_text("x", encoding="utf-8")
    checks = _checks(base, digital_post={"drop_dir": a_file, "outbox_dir": "/proc/opk-ud"})
    assert checks["Digital Post, indgående mappe"].status is Status.ERROR
    assert "er ikke en mappe" in checks["Digital Post, indgående mappe"].message
    outgoing = checks["Digital Post, udgående mappe"]
    assert outgoing.status is Status.ERROR and "kan ikke oprettes" in outgoing.message
    # /proc exists but nobody, not even root, can create files in it
    locked = _checks(base, digital_post={"outbox_dir": "/proc"})["Digital Post, udgående mappe"]
    assert locked.status is Status.ERROR and "kan ikke skrives i" in locked.message
    fine = _checks(base, digital_post={"outbox_dir": tmp_path})["Digital Post, udgående mappe"]
    assert fine.status is Status.OK


def test_port_taken_by_another_program(base: dict[str, Any]) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", base["web"]["port"]))
        holder.listen()
        check = _checks(base)["port, web"]
    assert check.status is Status.ERROR
    assert "OPKRAEVNING_WEB__PORT" in check.message
    assert _checks(base)["port, web"].status is Status.OK  # free again


def test_disk_space_below_the_minimum(base: dict[str, Any]) -> None:
    check = _checks(base, min_free_disk_mb=10**12)["diskplads"]
    assert check.status is Status.ERROR
    assert "OPKRAEVNING_MIN_FREE_DISK_MB" in check.message
    assert _checks(base)["diskplads"].status is Status.OK


def test_cli_prints_one_line_per_check_and_exit_code(
    base: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OPKRAEVNING_DATA_DIR", str(base["data_dir"]))
    monkeypatch.setenv("OPKRAEVNING_ACCEPTED_RECIPIENTS", "opkraevning@norddjurs.dk")
    monkeypatch.setenv("OPKRAEVNING_WEB__PORT", str(base["web"]["port"]))
    monkeypatch.setenv("OPKRAEVNING_SMTP__PORT", str(base["smtp"]["port"]))
    monkeypatch.setenv("OPKRAEVNING_MIN_FREE_DISK_MB", "1")
    passed = CliRunner().invoke(main, ["doctor"])
    assert passed.exit_code == 0, passed.output
    lines = passed.output.splitlines()
    assert all(line.split()[0] in ("OK", "ADVARSEL", "FEJL") for line in lines[:-1])
    assert lines[-1].endswith("0 fejl, 2 advarsler")
    monkeypatch.setenv("OPKRAEVNING_DATABASE_URL", f"sqlite:///{tmp_path / 'tom.db'}")
    failed = CliRunner().invoke(main, ["doctor"])
    assert failed.exit_code == 1
    assert "FEJL     databaseskema" in failed.output


def test_serve_logs_the_checks_and_starts_only_what_is_configured(
    base: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from opkraevning.runners.serve import parts_to_start, startup_checks

    settings: Settings = load_settings(**base)
    running, skipped = parts_to_start(settings, ("web", "smtp", "worker", "imap", "outbox"))
    assert running == ["web", "smtp", "worker"]
    assert [line.split(":")[0] for line in skipped] == ["imap", "outbox"]
    assert "OPKRAEVNING_IMAP__HOST" in skipped[0]
    engine = make_engine(settings.database_url)
    with caplog.at_level(logging.INFO, logger="opkraevning.runners.serve"):
        startup_checks(settings, engine, ("web", "outbox"))
    engine.dispose()
    logged = [record for record in caplog.records if record.getMessage().startswith("check ")]
    relay = [r for r in logged if "relay" in r.getMessage()]
    assert relay and relay[0].levelno == logging.WARNING
    assert not any("IMAP" in r.getMessage() for r in logged)  # not a chosen part


def test_relay_with_xoauth2_and_a_refused_app(base: dict[str, Any]) -> None:
    from tests.mailbox.oauth_standin import identity_platform, oauth_relay

    with identity_platform() as platform, oauth_relay(platform) as relay:
        app = {"client_id": platform.client_id, "token_url": platform.token_url}
        relay_settings = {
            "host": "127.0.0.1",
            "port": relay.port,
            "starttls": False,
            "auth": "oauth2",
            "username": platform.mailbox,
        }
        good = _checks(
            base, relay=relay_settings, oauth2={**app, "client_secret": platform.client_secret}
        )["relay (udgående post)"]
        bad = _checks(base, relay=relay_settings, oauth2={**app, "client_secret": "forkert"})[
            "relay (udgående post)"
        ]
    assert good.status is Status.OK and "XOAUTH2" in good.message
    assert bad.status is Status.ERROR and "invalid_client" in bad.message
    assert "OPKRAEVNING_OAUTH2__" in bad.message
