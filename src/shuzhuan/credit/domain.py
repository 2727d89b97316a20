"""Consent rules and the results-only portrait a bank receives (no Django).

Fail closed: `consent_active` is the one test of whether a bank may read; a consent ends at its
expiry (mandatory) or when revoked. The portrait carries results only: score, band, grantable
credit, warning texts and the model version, never a raw figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml

PURPOSES: dict[str, str] = {"credit_application": "授信申请", "post_loan_monitoring": "贷后监测"}
DATA_CATEGORIES: tuple[str, ...] = ("registration", "tax", "social_insurance", "utilities", "judicial", "credit_lists")
METHOD_API = "api"
METHOD_WEB = "web"
ACTIVE, REVOKED = "active", "revoked"
RULES_PATH = Path(__file__).parent / "data" / "portrait.yaml"


def validate_consent(purpose: str, expires: dt.date | None, today: dt.date, max_days: int) -> list[tuple[str, str]]:
    """Errors as (field, message); empty when the consent may be granted."""
    errors: list[tuple[str, str]] = []
    if purpose not in PURPOSES:
        errors.append(("purpose", "用途须为 credit_application 或 post_loan_monitoring"))
    if expires is None:
        errors.append(("expires", "必须填写授权到期日"))
    elif expires <= today:
        errors.append(("expires", "授权到期日须晚于今天"))
    elif expires > today + dt.timedelta(days=max_days):
        errors.append(("expires", f"授权期限不得超过 {max_days} 天"))
    return errors


def consent_active(status: str, expires: dt.date, today: dt.date) -> bool:
    """Active means not revoked and not past its expiry date (the expiry day itself still counts)."""
    return status == ACTIVE and today <= expires


@dataclass(frozen=True)
class Year:
    year: int
    tax: Decimal | None
    employees: int | None


def load_rules(path: Path = RULES_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        rules: dict[str, Any] = yaml.safe_load(fh)
    return rules


def _change(new: Decimal | int | None, old: Decimal | int | None) -> Decimal | None:
    if new is None or old is None or Decimal(old) <= 0:
        return None
    return (Decimal(new) - Decimal(old)) / Decimal(old)


def grantable_credit(years: list[Year], rules: dict[str, Any]) -> Decimal:
    """k × the average yearly tax of the last `years` years with a figure (0 when none)."""
    spec = rules["grantable_credit"]
    taxes = [y.tax for y in sorted(years, key=lambda y: -y.year) if y.tax is not None][: int(spec["years"])]
    if not taxes:
        return Decimal("0.00")
    average = sum(taxes, Decimal(0)) / len(taxes)
    return (average * Decimal(spec["multiple"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def warnings(years: list[Year], listed: bool, rules: dict[str, Any],
             records: dict[str, dict[str, Any]] | None = None) -> list[str]:
    spec = rules["warnings"]
    records = records or {}
    ordered = sorted(years, key=lambda y: -y.year)
    out: list[str] = []
    if len(ordered) >= 2:
        last, prev = ordered[0], ordered[1]
        head = _change(last.employees, prev.employees)
        if head is not None and head <= -Decimal(spec["headcount_drop"]["threshold"]):
            out.append(spec["headcount_drop"]["message"])
        tax = _change(last.tax, prev.tax)
        if tax is not None and tax <= -Decimal(spec["tax_drop"]["threshold"]):
            out.append(spec["tax_drop"]["message"])
    if Decimal(str(records.get("tax", {}).get("arrears") or 0)) > 0:
        out.append(spec["tax_arrears"]["message"])
    if int(records.get("judgments", {}).get("judgments") or 0) + int(records.get("judgments", {}).get("enforcement") or 0):
        out.append(spec["judgments"]["message"])
    if listed:
        out.append(spec["listing"]["message"])
    return out


def score(years: list[Year], warning_count: int, rules: dict[str, Any]) -> int:
    spec = rules["score"]
    ordered = sorted(years, key=lambda y: -y.year)
    points = Decimal(spec["base"])
    cap = Decimal(spec["cap"])
    if len(ordered) >= 2:
        for change, weight in ((_change(ordered[0].tax, ordered[1].tax), spec["tax_growth_points"]),
                               (_change(ordered[0].employees, ordered[1].employees), spec["headcount_growth_points"])):
            if change is not None:
                points += max(-cap, min(cap, change * Decimal(weight)))
    points -= Decimal(spec["per_warning"]) * warning_count
    return int(max(Decimal(spec["min"]), min(Decimal(spec["max"]), points)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def band(value: int, rules: dict[str, Any]) -> str:
    for row in rules["bands"]:
        if value >= row["min"]:
            return str(row["band"])
    return str(rules["bands"][-1]["band"])


def portrait(years: list[Year], listed: bool, rules: dict[str, Any],
             records: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The results a bank may receive: nothing here is a raw record."""
    found = warnings(years, listed, rules, records)
    value = score(years, len(found), rules)
    return {"score": value, "band": band(value, rules), "grantable_credit": f"{grantable_credit(years, rules):.2f}",
            "warnings": found, "model_version": str(rules["model_version"])}


# --- public-data feeds ---------------------------------------------------------------------------------

FEEDS_PATH = Path(__file__).parent / "data" / "feeds.yaml"
TYPES = ("decimal", "int", "bool", "str")


def load_feeds(path: Path = FEEDS_PATH) -> dict[str, dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        feeds: dict[str, dict[str, Any]] = yaml.safe_load(fh)["feeds"]
    for code, spec in feeds.items():
        bad = [f for f, t in spec["fields"].items() if t not in TYPES]
        if bad or spec.get("period") not in ("year", "quarter", "month") or not spec.get("department"):
            raise ValueError(f"数据源 {code} 的格式声明有误：{bad or spec}")
    return feeds


def valid_period(period: str, kind: str) -> bool:
    import re

    pattern = {"year": r"\d{4}", "quarter": r"\d{4}-Q[1-4]", "month": r"\d{4}-(0[1-9]|1[0-2])"}[kind]
    return re.fullmatch(pattern, period or "") is not None


def parse_value(raw: Any, kind: str) -> tuple[Any, str]:
    """(value as JSON-ready, error message or "")."""
    if raw is None or raw == "":
        return None, ""
    text = str(raw).strip()
    if kind == "decimal":
        try:
            value = Decimal(text)
        except ArithmeticError:
            return None, f"应为数字：{text}"
        if not value.is_finite():
            return None, f"应为数字：{text}"
        return f"{value:.2f}", ""
    if kind == "int":
        if not text.lstrip("-").isdigit():
            return None, f"应为整数：{text}"
        return int(text), ""
    if kind == "bool":
        if text.lower() in ("1", "true", "是", "yes"):
            return True, ""
        if text.lower() in ("0", "false", "否", "no"):
            return False, ""
        return None, f"应为是/否：{text}"
    return text[:200], ""


def parse_row(row: dict[str, Any], spec: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for name in row:
        if name not in spec["fields"] and name not in ("uscc", "period"):
            errors.append((name, f"未声明的字段：{name}"))
    for name, kind in spec["fields"].items():
        value, error = parse_value(row.get(name), kind)
        if error:
            errors.append((name, error))
        else:
            values[name] = value
    if not valid_period(str(row.get("period", "")), spec["period"]):
        errors.append(("period", f"期间格式应为 {spec['period']}"))
    return values, errors
