"""The municipality's collection policy as data: versioned, validated, resolved for a date.

Any value in the policy file may be a plain value or a list of versions::

    fee_kr = [
      { effective_from = "2018-01-23", value = "250.00" },
      { effective_from = "2027-01-01", value = "275.00" },
    ]

:func:`policy_for` picks, for every such value, the version in force on the given
date and validates the result; an error names the key (``fees.renteloven.fee_kr``).
Tables that are data by date (interest rates by half-year, tabeltræk by year) use
``valid_from``/``year`` rows and are looked up by the rules, not resolved here.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from opkraevning.domain.claim_types import CLAIM_TYPES

DEFAULT_POLICY = Path(__file__).parent / "default.toml"


class PolicyError(ValueError):
    """The policy file is wrong; the message names the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClaimTypePolicy(_Strict):
    regime: Literal["gebyrloven", "renteloven"]
    udpantningsret: bool
    fortrinsberettiget: bool
    interest: Literal["none", "renteloven", "sector"]
    installments_allowed: bool = True
    # renteloven § 3: False when no due date is fixed in advance (interest then runs
    # from interest.demand_days_when_no_due_date days after the written demand)
    due_date_fixed: bool = True
    # forældelsesloven § 4, stk. 1: 5 years for claims based on employment (loenkrav);
    # None: foraeldelse.years (§ 3)
    foraeldelse_years: int | None = Field(default=None, ge=1)


class Thresholds(_Strict):
    min_reminder_kr: Decimal = Field(ge=0)
    transfer_min_kr: Decimal = Field(ge=0)


class RegimeFees(_Strict):
    fee_kr: Decimal = Field(ge=0)
    max_fee_letters: int = Field(ge=0)
    min_days_between_letters: int = Field(ge=0)
    no_fee_after_dispute: bool = True


class Reminders(_Strict):
    deadline_days: int = Field(ge=1, description="days to pay given in a reminder")
    one_letter_per_debtor: bool = True
    one_fee_per_letter: bool = True
    transfer_notice_in_reminder: bool = True
    auto_release_reminders: bool = False
    auto_release_breach_reminders: bool = True


class InterestRate(_Strict):
    valid_from: date
    annual_pct: Decimal = Field(ge=0, le=100)


class Interest(_Strict):
    renteloven_rates: list[InterestRate]
    sector_annual_pct: Decimal = Field(ge=0, le=100)
    gebyrloven_morarente_enabled: bool = False
    gebyrloven_morarente_pct_per_month: Decimal = Field(default=Decimal("1"), ge=0, le=100)
    demand_days_when_no_due_date: int = Field(default=30, ge=0)

    @field_validator("renteloven_rates")
    @classmethod
    def _sorted(cls, rates: list[InterestRate]) -> list[InterestRate]:
        if not rates:
            raise ValueError("at least one rate is needed")
        return sorted(rates, key=lambda rate: rate.valid_from)


class TabeltraekBracket(_Strict):
    up_to_kr: Decimal = Field(gt=0)
    pct: Decimal = Field(ge=0, le=100)
    pct_with_children: Decimal = Field(ge=0, le=100)


class TabeltraekYear(_Strict):
    year: int = Field(ge=2000, le=2100)
    brackets: list[TabeltraekBracket]
    top_pct: Decimal = Field(ge=0, le=100)
    top_pct_with_children: Decimal = Field(ge=0, le=100)
    # above the last bracket: + step_pct per begun step_kr, up to top_pct (RULES.md §4 ⚠️)
    step_kr: Decimal | None = Field(default=None, gt=0)
    step_pct: Decimal = Field(default=Decimal("1"), ge=0, le=100)

    def pct_for(self, yearly_net_kr: Decimal, children: bool) -> Decimal:
        """The tabeltræk percentage for a yearly net income (with forsørgerpligt or not)."""
        top = self.top_pct_with_children if children else self.top_pct
        for bracket in self.brackets:
            if yearly_net_kr <= bracket.up_to_kr:
                return bracket.pct_with_children if children else bracket.pct
        if self.step_kr is None or not self.brackets:
            return top
        last = self.brackets[-1]
        base = last.pct_with_children if children else last.pct
        steps = math.ceil((yearly_net_kr - last.up_to_kr) / self.step_kr)  # begun steps
        return min(top, base + steps * self.step_pct)


class Installments(_Strict):
    min_monthly_kr: Decimal = Field(gt=0)
    max_months: int = Field(ge=1)
    first_due_days: int = Field(ge=0)
    use_tabeltraek: bool = True
    rounding_kr: Decimal = Field(default=Decimal("50"), gt=0)


class Deferral(_Strict):
    max_days: int = Field(ge=0)


class Letters(_Strict):
    """Who signs the letters and how citizens reach the office (shown in every letter)."""

    office: str
    municipality: str
    address: str
    phone: str
    email: str
    phone_hours: str
    bank_account: str
    fi_creditor_number: str = Field(pattern=r"^\d{8}$")
    secure_email_to_verified: bool = False
    gaeldsstyrelsen_phone: str = "70 15 73 04"
    gaeldsstyrelsen_web: str = "gaeldst.dk"
    # our case number on every letter: the prefix, then the debtor's number (or, before
    # anyone is identified, the message's: H + its id)
    journal_prefix: str = Field(default="OPK", pattern=r"^[A-ZÆØÅ0-9.\-]{1,12}$")
    # prevention (strategy): automatic payment and the public payment overview
    betalingsservice_text: str = ""
    betalingsoverblik_text: str = ""
    answer_days: int = Field(default=10, ge=1, le=60)  # bank days promised in a kvittering
    logo_file: str = ""  # the letterhead's logo (PNG, JPEG or SVG) on PDF letters; "" none


class Udlaeg(_Strict):
    """Udlæg for fortrinsberettigede krav (the municipality collects them itself)."""

    # gebyrloven § 2 a: a fee per notice of udlæg, at most 450 kr. (stk. 2); 0 = none
    notice_fee_kr: Decimal = Field(default=Decimal(0), ge=0, le=450)


class Calendar(_Strict):
    # "MM-DD" (Grundlovsdag, 24/12, 31/12) or "easter+N" (the Friday after Kristi
    # himmelfartsdag is easter+40)
    extra_closing_days: list[str]
    late_payment_moves_to_next_bank_day: bool = True

    @field_validator("extra_closing_days")
    @classmethod
    def _month_days(cls, values: list[str]) -> list[str]:
        for value in values:
            if value.startswith("easter+"):
                if not value.removeprefix("easter+").isdigit():
                    raise ValueError(f"{value!r}: write easter+N with N days after Easter Sunday")
                continue
            month, _, day = value.partition("-")
            date(2024, int(month), int(day))  # raises for "13-40"
        return values


class Forældelse(_Strict):
    years: int = Field(ge=1)
    acknowledged_years: int = Field(ge=1)
    near_expiry_days: int = Field(ge=1)


class Policy(_Strict):
    name: str
    version: str
    claim_types: dict[str, ClaimTypePolicy]
    thresholds: Thresholds
    fees: dict[Literal["gebyrloven", "renteloven"], RegimeFees]
    reminders: Reminders
    interest: Interest
    tabeltraek: list[TabeltraekYear]
    installments: Installments
    deferral: Deferral
    letters: Letters
    udlaeg: Udlaeg = Field(default_factory=Udlaeg)
    calendar: Calendar
    foraeldelse: Forældelse

    @field_validator("claim_types")
    @classmethod
    def _known_types(cls, types: dict[str, ClaimTypePolicy]) -> dict[str, ClaimTypePolicy]:
        unknown = sorted(set(types) - set(CLAIM_TYPES))
        if unknown:
            raise ValueError(f"unknown claim type(s): {', '.join(unknown)}")
        missing = sorted(set(CLAIM_TYPES) - set(types))
        if missing:
            raise ValueError(f"claim type(s) without policy: {', '.join(missing)}")
        return types

    def interest_rate_on(self, day: date) -> Decimal:
        """The renteloven § 5 rate in force on ``day`` (Nationalbanken's rate + 8 points)."""
        rate = None
        for row in self.interest.renteloven_rates:
            if row.valid_from <= day:
                rate = row.annual_pct
        if rate is None:
            raise PolicyError(f"no interest rate in force on {day.isoformat()}")
        return rate

    def tabeltraek_for(self, year: int) -> TabeltraekYear:
        rows = [row for row in self.tabeltraek if row.year <= year]
        if not rows:
            raise PolicyError(f"no tabeltræk table for {year} or earlier")
        return max(rows, key=lambda row: row.year)


_VERSION_KEYS = {"effective_from", "value"}


def _is_versions(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(
            isinstance(item, dict) and set(item) == {"effective_from", "value"} for item in value
        )
    )


def _resolve(tree: Any, day: date, path: str) -> Any:
    if _is_versions(tree):
        in_force = None
        for item in sorted(tree, key=lambda item: str(item["effective_from"])):
            start = item["effective_from"]
            if isinstance(start, str):
                try:
                    start = date.fromisoformat(start)
                except ValueError:
                    raise PolicyError(f"{path}: effective_from {start!r} is not a date") from None
            if start <= day:
                in_force = item["value"]
        if in_force is None:
            raise PolicyError(f"{path}: no version in force on {day.isoformat()}")
        return _resolve(in_force, day, path)
    if isinstance(tree, dict):
        return {
            key: _resolve(value, day, f"{path}.{key}" if path else key)
            for key, value in tree.items()
        }
    if isinstance(tree, list):
        return [_resolve(item, day, f"{path}[{index}]") for index, item in enumerate(tree)]
    return tree


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _effective_dates(tree: Any) -> set[date]:
    found: set[date] = set()
    if _is_versions(tree):
        for item in tree:
            found.add(_as_date(item["effective_from"]))
            found |= _effective_dates(item["value"])
    elif isinstance(tree, dict):
        for value in tree.values():
            found |= _effective_dates(value)
    elif isinstance(tree, list):
        for item in tree:
            found |= _effective_dates(item)
    return found


def _read(path: Path) -> tuple[dict[str, Any], str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return tomllib.loads(raw.decode("utf-8")), hashlib.sha256(raw).hexdigest()[:12]
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: not valid TOML: {exc}") from None


def _validate(tree: dict[str, Any], path: Path) -> Policy:
    try:
        return Policy.model_validate(tree)
    except ValidationError as exc:
        errors = exc.errors()
        # a misspelt key is both "unknown" and "missing": name the one that was written
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        key = ".".join(str(part) for part in first["loc"])
        reason = str(first["msg"]).removeprefix("Value error, ")
        raise PolicyError(f"{path}: {key}: {reason}") from None


@lru_cache(maxsize=64)
def _cached(path: Path, mtime: float, day: date) -> Policy:
    tree, digest = _read(path)
    policy = _validate(_resolve(tree, day, ""), path)
    return policy.model_copy(update={"version": f"{policy.version}+{digest}"})


def policy_for(day: date, path: Path | None = None) -> Policy:
    """The policy in force on ``day``; its ``version`` ends with the file's hash."""
    path = path or DEFAULT_POLICY
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read: {exc.strerror}") from None
    return _cached(path, mtime, day)


def _first_complete_day(tree: Any) -> date | None:
    """The first day on which every versioned value has a version in force."""
    starts: list[date] = []

    def walk(node: Any) -> None:
        if _is_versions(node):
            starts.append(min(_as_date(item["effective_from"]) for item in node))
            for item in node:
                walk(item["value"])
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(tree)
    return max(starts) if starts else None


def check_policy(path: Path, today: date) -> list[date]:
    """Validate the file on the day it becomes complete (``today`` when no date says so)
    and on every later version date."""
    tree, _ = _read(path)
    try:
        start = _first_complete_day(tree) or today
    except ValueError as exc:
        raise PolicyError(f"{path}: effective_from is not a date: {exc}") from None
    dates = sorted({start} | {day for day in _effective_dates(tree) if day > start})
    for day in dates:
        _validate(_resolve(tree, day, ""), path)
    return dates
