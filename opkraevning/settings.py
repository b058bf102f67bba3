"""Configuration: environment variables (prefix ``OPKRAEVNING_``) over an optional TOML file.

Nested groups use ``__`` in environment names, e.g. ``OPKRAEVNING_SMTP__PORT=2525``.
The TOML file is named by ``OPKRAEVNING_CONFIG`` (or ``--config`` on the command line);
its tables have the same names as the groups below (``[smtp]``, ``[web]`` ...).
Environment variables win over the file. Empty connection settings mean "off".

Lists take the natural forms: a JSON list (``["a@x.dk", "b@x.dk"]``), or a
comma-separated string (``a@x.dk, b@x.dk``), in the environment and in the file. An
invalid value is reported with the place it came from: the environment variable, or
the key and the file.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

ENV_PREFIX = "OPKRAEVNING_"
CONFIG_ENV = "OPKRAEVNING_CONFIG"
DEFAULT_DATABASE_URL = "sqlite:///./var/opkraevning.db"
DATABASE_FILE = "opkraevning.db"  # in the data directory, unless DATABASE_URL says otherwise


class SettingsError(Exception):
    """Invalid configuration, with one line naming the setting."""


def _split_list(value: Any) -> Any:
    """A list from a JSON list or a comma-separated string (or a list already)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not a valid JSON list ({exc.msg})") from None
    return [part.strip() for part in text.split(",") if part.strip()]


# A list setting: JSON or comma-separated, from the environment and from the file alike.
StrList = Annotated[list[str], NoDecode, BeforeValidator(_split_list)]


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SmtpSettings(_Group):
    """Our inbound SMTP listener."""

    host: str = "127.0.0.1"
    port: int = Field(default=2525, ge=0, le=65535)
    hostname: str = "localhost"
    max_message_bytes: int = Field(default=25 * 1024 * 1024, gt=0)
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None


class WebSettings(_Group):
    """The caseworkers' web app. Put it behind TLS (a reverse proxy) beyond localhost."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    session_hours: float = Field(default=10.0, gt=0)  # a working day
    secure_cookies: bool = True  # cookies only over HTTPS (browsers accept it on localhost)
    max_failed_logins: int = Field(default=5, ge=1)
    lockout_minutes: float = Field(default=15.0, gt=0)


AuthMethod = Literal["password", "oauth2"]


class OAuth2Settings(_Group):
    """An app registration for XOAUTH2 (Microsoft 365): the client-credentials grant.

    Used by the IMAP poller and the relay when their ``auth`` is ``oauth2``. The app
    proves itself with ``client_secret`` or with a certificate (``certificate_file``,
    PEM; its key in the same file or in ``private_key_file``).
    """

    tenant: str = ""  # Entra ID tenant id or domain, e.g. norddjurs.onmicrosoft.com
    client_id: str = ""
    client_secret: str = ""
    certificate_file: Path | None = None
    private_key_file: Path | None = None
    scope: str = "https://outlook.office365.com/.default"  # IMAP and SMTP in Exchange Online
    token_url: str = ""  # default: Microsoft's v2.0 endpoint of ``tenant``

    @property
    def endpoint(self) -> str:
        return (
            self.token_url or f"https://login.microsoftonline.com/{self.tenant}/oauth2/v2.0/token"
        )

    @property
    def configured(self) -> bool:
        return bool(self.client_id and (self.tenant or self.token_url))

    @model_validator(mode="after")
    def _one_credential(self) -> OAuth2Settings:
        if self.client_secret and self.certificate_file is not None:
            raise ValueError("certificate_file: give client_secret or certificate_file, not both")
        for key in ("certificate_file", "private_key_file"):
            path = getattr(self, key)
            if path is not None and not path.is_file():
                raise ValueError(f"{key}: file not found: {path}")
        return self


class ImapSettings(_Group):
    """IMAP poller; off while ``host`` is empty."""

    host: str = ""
    port: int = Field(default=993, ge=1, le=65535)
    ssl: bool = True
    auth: AuthMethod = "password"  # oauth2: XOAUTH2 with a token from [oauth2]
    username: str = ""
    password: str = ""
    folder: str = "INBOX"
    processed_folder: str = ""  # move stored mail here; empty: flag it with ``keyword``
    keyword: str = "$Opkraevning"
    poll_interval_seconds: float = Field(default=60.0, gt=0)
    idle_seconds: float = Field(default=300.0, gt=0, le=1740)

    @property
    def enabled(self) -> bool:
        return bool(self.host)


class RelaySettings(_Group):
    """Outbound SMTP relay; off while ``host`` is empty."""

    host: str = ""
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    auth: AuthMethod = "password"  # oauth2: XOAUTH2 with a token from [oauth2]
    username: str = ""  # with oauth2: the mailbox the app sends as
    password: str = ""
    from_address: str = ""
    ca_file: str | None = None  # extra CA bundle for the relay's certificate
    sent_folder: str = ""  # IMAP folder where the relay keeps sent mail (for reconciling)

    @property
    def enabled(self) -> bool:
        return bool(self.host)


class DigitalPostSettings(_Group):
    """Digital Post (MeMo); each source and the sending path is off while empty."""

    drop_dir: Path | None = None  # incoming MeMo files
    outbox_dir: Path | None = None  # outgoing MeMo files for a send job to pick up
    api_url: str = ""  # NgDP memo endpoints (pull)
    api_token: str = ""
    send_url: str = ""  # SF1601-style sending endpoint
    poll_interval_seconds: float = Field(default=60.0, gt=0)
    # the largest MeMo read (drop directory and NgDP); larger files stay where they are
    max_memo_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    sender_cvr: str = "29189919"  # the municipality's CVR (Norddjurs Kommune)
    sender_label: str = "Norddjurs Kommune, Opkrævningen"

    @property
    def enabled(self) -> bool:
        return self.drop_dir is not None or bool(self.api_url)

    @property
    def can_send(self) -> bool:
        return self.outbox_dir is not None or bool(self.send_url)


class SchedulerSettings(_Group):
    """The daily reminder run."""

    enabled: bool = True
    remind_at: time = time(6, 0)  # local time (``timezone``)
    catch_up_days: int = Field(default=31, ge=1, le=366)
    check_interval_seconds: float = Field(default=60.0, gt=0)


class OutboxSettings(_Group):
    """Sending approved letters."""

    interval_seconds: float = Field(default=10.0, gt=0)
    max_attempts: int = Field(default=8, ge=1)
    daily_cap_per_address: int = Field(default=5, ge=1)
    message_id_domain: str = "opkraevning.local"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
    )

    database_url: str = ""  # empty: SQLite in the data directory (data_dir/opkraevning.db)
    timezone: str = "Europe/Copenhagen"
    accepted_recipients: StrList = Field(default_factory=lambda: ["opkraevning@localhost"])
    policy_file: Path | None = None
    # policies an administrator may compare a reminder run with (*.toml in this folder)
    policy_dir: Path | None = None
    data_dir: Path = Path("var")
    min_free_disk_mb: int = Field(default=1024, ge=0)  # doctor warns below, fails below a tenth
    worker_interval_seconds: float = Field(default=2.0, gt=0)
    # processes that compute the reminder run (the calling process records); 1: in-process
    remind_workers: int = Field(default=2, ge=1, le=64)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    imap: ImapSettings = Field(default_factory=ImapSettings)
    relay: RelaySettings = Field(default_factory=RelaySettings)
    digital_post: DigitalPostSettings = Field(default_factory=DigitalPostSettings)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    oauth2: OAuth2Settings = Field(default_factory=OAuth2Settings)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ValueError("must start with sqlite:// or postgresql+psycopg://")
        return value

    @field_validator("accepted_recipients")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        cleaned = [address.strip().lower() for address in value if address.strip()]
        for address in cleaned:
            if address.count("@") != 1 or " " in address:
                raise ValueError(f"not an email address: {address!r}")
        return cleaned

    @field_validator("policy_file")
    @classmethod
    def _policy_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"file not found: {value}")
        return value

    @model_validator(mode="after")
    def _database_in_data_dir(self) -> Settings:
        if not self.database_url:
            path = self.data_dir / DATABASE_FILE
            shown = str(path) if path.is_absolute() else f"./{path.as_posix().removeprefix('./')}"
            self.database_url = f"sqlite:///{shown}"
        for group in ("imap", "relay"):
            if getattr(self, group).auth == "oauth2" and not self.oauth2.configured:
                raise ValueError(f"{group}.auth: oauth2 needs [oauth2] client_id and tenant")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get(CONFIG_ENV)
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)


def _env_name(location: tuple[int | str, ...]) -> str:
    return ENV_PREFIX + "__".join(str(part).upper() for part in location)


def _source(location: tuple[int | str, ...], config_file: str | None) -> str:
    """Where the value at ``location`` came from: an environment variable or a TOML key."""
    names = {key.upper() for key in os.environ}
    for depth in range(len(location), 0, -1):  # OPKRAEVNING_SMTP__PORT, then OPKRAEVNING_SMTP
        if _env_name(location[:depth]) in names:
            return _env_name(location[:depth])
    if config_file:
        try:
            table: Any = tomllib.loads(Path(config_file).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            table = {}
        found: list[str] = []
        for part in location:
            if not isinstance(table, dict) or str(part) not in table:
                break
            found.append(str(part))
            table = table[str(part)]
        if found:
            return f"{'.'.join(found)} in {config_file}"
    return _env_name(location)


def _location(error: dict[str, Any]) -> tuple[int | str, ...]:
    """The setting's path, without list indexes (``accepted_recipients``, not ``…__0``)."""
    return tuple(part for part in error["loc"] if isinstance(part, str)) or ("settings",)


PARSE_ERROR = re.compile(r'error parsing value for field "(\w+)"')
NAMED_REASON = re.compile(r"^([a-z_]+(?:\.[a-z_]+)*): (.+)$")  # "imap.auth: ..." from a model check


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Load settings; raise :class:`SettingsError` with one line naming the bad setting."""
    if config_file is not None:
        if not config_file.is_file():
            raise SettingsError(f"invalid setting {CONFIG_ENV}: file not found: {config_file}")
        os.environ[CONFIG_ENV] = str(config_file)
    env_file = os.environ.get(CONFIG_ENV)
    if env_file and not Path(env_file).is_file():
        raise SettingsError(f"invalid setting {CONFIG_ENV}: file not found: {env_file}")
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        location = _location(dict(first))
        reason = str(first["msg"]).removeprefix("Value error, ")
        named = NAMED_REASON.match(reason)
        if named:
            location = (*location, *named.group(1).split("."))
            location = tuple(part for part in location if part != "settings")
            reason = named.group(2)
        name = _source(location, env_file)
        raise SettingsError(f"invalid setting {name}: {reason}") from None
    except ValueError as exc:  # a TOML syntax error, or a value that is not valid JSON
        match = PARSE_ERROR.search(str(exc))
        if match:
            name = _source((match.group(1),), env_file)
            raise SettingsError(f"invalid setting {name}: not valid JSON") from None
        raise SettingsError(f"invalid setting {CONFIG_ENV}: {exc}") from None
