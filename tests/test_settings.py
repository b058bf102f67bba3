from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from opkraevning.cli import main
from opkraevning.settings import DEFAULT_DATABASE_URL, SettingsError, load_settings


def test_defaults_use_sqlite_under_var_and_copenhagen_time() -> None:
    settings = load_settings()
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.database_url.startswith("sqlite:///./var/")
    assert settings.timezone == "Europe/Copenhagen"
    assert not settings.imap.enabled
    assert not settings.relay.enabled
    assert not settings.digital_post.enabled


def test_environment_overrides_nested_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPKRAEVNING_SMTP__PORT", "2626")
    monkeypatch.setenv("OPKRAEVNING_IMAP__HOST", "imap.example.dk")
    monkeypatch.setenv("OPKRAEVNING_ACCEPTED_RECIPIENTS", '["Opkraevning@Norddjurs.dk"]')
    settings = load_settings()
    assert settings.smtp.port == 2626
    assert settings.imap.enabled
    assert settings.accepted_recipients == ["opkraevning@norddjurs.dk"]


def test_toml_file_is_read_and_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "opkraevning.toml"
    config.write_text(
        'database_url = "sqlite:///x.db"\n[web]\nport = 9100\nhost = "0.0.0.0"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("OPKRAEVNING_WEB__PORT", "9200")
    settings = load_settings(config)
    assert settings.database_url == "sqlite:///x.db"
    assert settings.web.host == "0.0.0.0"
    assert settings.web.port == 9200


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("OPKRAEVNING_WEB__PORT", "abc", "invalid setting OPKRAEVNING_WEB__PORT:"),
        ("OPKRAEVNING_SMTP__PORT", "70000", "invalid setting OPKRAEVNING_SMTP__PORT:"),
        ("OPKRAEVNING_TIMEZONE", "Mars/Olympus", "OPKRAEVNING_TIMEZONE: unknown time zone"),
        ("OPKRAEVNING_DATABASE_URL", "mysql://x", "invalid setting OPKRAEVNING_DATABASE_URL:"),
        ("OPKRAEVNING_POLICY_FILE", "/nonexistent.toml", "OPKRAEVNING_POLICY_FILE: file not"),
        ("OPKRAEVNING_ACCEPTED_RECIPIENTS", '["no-at-sign"]', "ACCEPTED_RECIPIENTS: not an"),
        ("OPKRAEVNING_NO_SUCH_THING", "1", None),
    ],
)
def test_invalid_setting_fails_with_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str | None
) -> None:
    monkeypatch.setenv(name, value)
    if expected is None:  # unknown environment variables are ignored, as is customary
        load_settings()
        return
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert expected in message
    assert "\n" not in message


def test_unknown_key_in_toml_file_is_named(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[smtp]\nprot = 25\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"invalid setting smtp\.prot in .*bad\.toml: Extra"):
        load_settings(config)


def test_broken_toml_file_is_named(tmp_path: Path) -> None:
    config = tmp_path / "broken.toml"
    config.write_text("[smtp\nport = 25\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="OPKRAEVNING_CONFIG"):
        load_settings(config)


def test_cli_reports_bad_setting_in_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPKRAEVNING_WEB__PORT", "not-a-port")
    result = CliRunner().invoke(main, ["settings"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [lines[0]]
    assert lines[0].startswith("opkraevning: invalid setting OPKRAEVNING_WEB__PORT")


def test_cli_settings_hides_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPKRAEVNING_RELAY__PASSWORD", "hemmeligt")
    monkeypatch.setenv("OPKRAEVNING_DATABASE_URL", "postgresql+psycopg://u:pw123@db/x")
    result = CliRunner().invoke(main, ["settings"])
    assert result.exit_code == 0, result.output
    assert "hemmeligt" not in result.output
    assert "pw123" not in result.output
    assert '"port": 2525' in result.output


@pytest.mark.parametrize(
    "value",
    [
        "opkraevning@norddjurs.dk, Post@Norddjurs.dk",
        '["opkraevning@norddjurs.dk", "post@norddjurs.dk"]',
        "opkraevning@norddjurs.dk,post@norddjurs.dk,",
    ],
)
def test_a_list_setting_takes_json_or_commas(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("OPKRAEVNING_ACCEPTED_RECIPIENTS", value)
    expected = ["opkraevning@norddjurs.dk", "post@norddjurs.dk"]
    assert load_settings().accepted_recipients == expected


def test_a_plain_address_is_a_list_of_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPKRAEVNING_ACCEPTED_RECIPIENTS", "opkraevning@norddjurs.dk")
    assert load_settings().accepted_recipients == ["opkraevning@norddjurs.dk"]


def test_a_list_in_the_toml_file_may_be_a_comma_string(tmp_path: Path) -> None:
    config = tmp_path / "opkraevning.toml"
    config.write_text('accepted_recipients = "a@norddjurs.dk, b@norddjurs.dk"\n', "utf-8")
    assert load_settings(config).accepted_recipients == ["a@norddjurs.dk", "b@norddjurs.dk"]


def test_broken_json_list_names_the_variable_not_the_config(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPKRAEVNING_ACCEPTED_RECIPIENTS", '["opkraevning@norddjurs.dk"')
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value).startswith("invalid setting OPKRAEVNING_ACCEPTED_RECIPIENTS: ")
    assert "OPKRAEVNING_CONFIG" not in str(error.value)


def test_an_error_in_the_toml_file_names_the_key_and_the_file(tmp_path: Path) -> None:
    config = tmp_path / "opkraevning.toml"
    config.write_text('[smtp]\nport = "femogtyve"\n', encoding="utf-8")
    with pytest.raises(SettingsError) as error:
        load_settings(config)
    assert str(error.value).startswith(f"invalid setting smtp.port in {config}: ")


def test_the_environment_is_named_when_it_overrides_a_good_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "opkraevning.toml"
    config.write_text("[smtp]\nport = 25\n", encoding="utf-8")
    monkeypatch.setenv("OPKRAEVNING_SMTP__PORT", "femogtyve")
    with pytest.raises(SettingsError, match=r"^invalid setting OPKRAEVNING_SMTP__PORT: "):
        load_settings(config)


def test_oauth2_without_an_app_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPKRAEVNING_RELAY__AUTH", "oauth2")
    with pytest.raises(SettingsError, match=r"^invalid setting OPKRAEVNING_RELAY__AUTH: oauth2"):
        load_settings()


def test_data_dir_moves_the_database_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPKRAEVNING_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'opkraevning.db'}"
    monkeypatch.setenv("OPKRAEVNING_DATABASE_URL", "sqlite:///elsewhere.db")
    assert load_settings().database_url == "sqlite:///elsewhere.db"


def test_cli_creates_the_database_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPKRAEVNING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("OPKRAEVNING_DATABASE_URL", raising=False)
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "opkraevning.db").is_file()


UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/opkraevning"


@pytest.mark.parametrize(
    "command",
    [
        ["db", "current"],
        ["db", "upgrade"],
        ["demo", "--no-serve"],
        ["serve"],
        ["remind", "--dry-run"],
        ["user", "unlock", "karin"],
        ["policy", "show"],
    ],
)
def test_an_unreachable_database_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: list[str]
) -> None:
    monkeypatch.setenv("OPKRAEVNING_DATABASE_URL", UNREACHABLE)
    monkeypatch.setenv("OPKRAEVNING_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(main, command)
    if command == ["policy", "show"]:  # needs no database: it must still work
        assert result.exit_code == 0, result.output
        return
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert len(lines) == 1, result.output
    assert lines[0].startswith("opkraevning: cannot reach the database: ")
    assert "Connection refused" in lines[0] or "connection failed" in lines[0]
