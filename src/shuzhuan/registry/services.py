"""Registry use cases: derive size and scale, edit with history. One transaction each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from shuzhuan.core import audit
from shuzhuan.registry.domain import SizeRule, parse_size_rules, rule_for
from shuzhuan.registry.models import Enterprise, EnterpriseYear

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def size_rules() -> list[SizeRule]:
    with (DATA_DIR / "size_rules.yaml").open(encoding="utf-8") as fh:
        return parse_size_rules(yaml.safe_load(fh))


def derive(year: int | None, employees: int | None, revenue: Decimal | None) -> tuple[str, bool]:
    """size_class and above_scale for a year's figures, by the rule in force at that year's end."""
    if year is None:
        return "", False
    try:
        rule = rule_for(size_rules(), dt.date(year, 12, 31))
    except LookupError:  # a year before the first rule in force: no class can be given
        return "", False
    return rule.size_class(employees, revenue) or "", rule.above_scale(revenue)


def latest_figures(enterprise: Enterprise) -> dict[str, Any]:
    latest = enterprise.years.order_by("-year").first()
    if latest is None:
        return {"latest_year": None, "employees": None, "revenue": None, "tax": None, "size_class": "", "above_scale": False}
    size_class, above = derive(latest.year, latest.employees, latest.revenue)
    return {
        "latest_year": latest.year,
        "employees": latest.employees,
        "revenue": latest.revenue,
        "tax": latest.tax,
        "size_class": size_class,
        "above_scale": above,
    }


def refresh_derived(enterprise: Enterprise) -> None:
    for field, value in latest_figures(enterprise).items():
        setattr(enterprise, field, value)


DERIVED_FIELDS = ("latest_year", "employees", "revenue", "tax", "size_class", "above_scale")


@transaction.atomic
def update_profile(actor: Any, enterprise: Enterprise, values: dict[str, Any], name: str | None = None, reason: str = "") -> dict:
    """Change profile fields; records one audit entry with the changed fields. Returns the changes."""
    before = {f: getattr(enterprise, f) for f in values}
    changes = audit.diff(before, values)
    org = enterprise.organisation
    if name is not None and name != org.name:
        changes["name"] = [org.name, name]
        org.name = name
        org.save(update_fields=["name"])
    if not changes:
        return {}
    for field, value in values.items():
        setattr(enterprise, field, value)
    enterprise.updated_at = timezone.now()
    enterprise.save(update_fields=[*values, "updated_at"])  # never write back stale derived figures
    audit.record(actor, "update", enterprise, "修改企业档案", organisation=org, changes=changes, reason=reason)
    return changes


@transaction.atomic
def set_year(actor: Any, enterprise: Enterprise, year: int, employees: int | None, revenue: Decimal | None, tax: Decimal | None) -> None:
    row, created = EnterpriseYear.objects.get_or_create(enterprise=enterprise, year=year)
    new = {"employees": employees, "revenue": revenue, "tax": tax}
    changes = audit.diff({k: getattr(row, k) for k in new}, new)
    if not changes and not created:
        return
    for k, v in new.items():
        setattr(row, k, v)
    row.save()
    refresh_derived(enterprise)
    enterprise.updated_at = timezone.now()
    enterprise.save(update_fields=[*DERIVED_FIELDS, "updated_at"])
    audit.record(
        actor, "update", enterprise, f"{'新增' if created else '修改'} {year} 年度数据",
        organisation=enterprise.organisation, changes={f"{year}.{k}": v for k, v in changes.items()},
    )

