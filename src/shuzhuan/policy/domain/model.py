"""A policy as values: dated versions of parameters (each citing its source), conditions, an amount
formula, caps, a quota, a difference rule and rounding; and the facts it reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from shuzhuan.policy.domain.expr import Compiled, Num, Scalar, Type

SUBJECT_KINDS: dict[str, str] = {"enterprise": "企业", "project": "项目", "platform": "平台", "park": "园区",
                                 "cluster": "产业集群"}
FACT_TYPES: dict[str, str] = {"money": "金额（元）", "int": "整数", "bool": "是/否", "str": "文本", "decimal": "小数"}
DECIMAL_FACT_SCALE = 4


def fact_value_type(kind: str) -> Type:
    types: dict[str, Type] = {"money": Num(2), "int": Num(0), "decimal": Num(DECIMAL_FACT_SCALE),
                              "bool": Scalar("bool"), "str": Scalar("str")}
    return types[kind]


@dataclass(frozen=True)
class FactSpec:
    """A named, typed, documented fact. `by_year` facts are read for a period: `revenue[2024]`."""

    name: str
    type: str  # a key of FACT_TYPES
    label: str
    description: str = ""
    by_year: bool = False
    subject: str = "enterprise"

    @property
    def value_type(self) -> Type:
        return fact_value_type(self.type)


def base_name(key: str) -> str:
    return key.split("[", 1)[0]


def period_of(key: str) -> int | None:
    return int(key[key.index("[") + 1:-1]) if "[" in key else None


@dataclass(frozen=True)
class Citation:
    document: str
    verified: bool = False
    article: str | None = None
    note: str | None = None

    def words(self) -> str:
        text = self.document + (f" {self.article}" if self.article else "")
        return text + ("" if self.verified else "，未核实")


@dataclass(frozen=True)
class Parameter:
    name: str
    value: Any  # Decimal | int | bool | str | list | dict
    label: str
    source: Citation
    unit: str = ""  # "元" | "%" | "" (count, level, …)


@dataclass(frozen=True)
class Condition:
    label: str
    test: Compiled
    unmet: str = ""  # what to tell the subject when it fails ("每家企业仅限一个示范车间")


@dataclass(frozen=True)
class Cap:
    kind: str  # per_item | per_subject_year | lifetime | other
    label: str
    limit: Compiled
    when: Compiled | None = None
    already: Compiled | None = None  # what the subject already got within the cap's scope


@dataclass(frozen=True)
class Difference:
    label: str
    subtract: Compiled


@dataclass(frozen=True)
class Quota:
    per_year: int
    rank_by: Compiled
    descending: bool = True
    label: str = ""


@dataclass(frozen=True)
class Rounding:
    quantum: Decimal = Decimal("0.01")
    mode: str = "down"  # down | half_up

    def words(self) -> str:
        unit = {Decimal("0.01"): "分", Decimal("1"): "元"}.get(self.quantum, f"{self.quantum} 元")
        return f"{'向下取整' if self.mode == 'down' else '四舍五入'}到{unit}"


@dataclass(frozen=True)
class PolicyVersion:
    policy: str
    effective_from: dt.date
    effective_until: dt.date | None
    parameters: Mapping[str, Parameter]
    conditions: tuple[Condition, ...]
    amount: Compiled
    caps: tuple[Cap, ...] = ()
    difference: Difference | None = None
    rounding: Rounding = field(default_factory=Rounding)
    quota: Quota | None = None
    note: str = ""

    @property
    def label(self) -> str:
        return self.effective_from.isoformat()

    @property
    def period(self) -> str:
        until = f"{self.effective_until.isoformat()}（不含）" if self.effective_until else "长期"
        return f"{self.effective_from.isoformat()} 至 {until}"

    def covers(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_until is None or on < self.effective_until)

    @property
    def values(self) -> dict[str, Any]:
        return {name: p.value for name, p in self.parameters.items()}

    @property
    def facts(self) -> tuple[str, ...]:
        """Every fact key the version reads, in first-use order."""
        keys: list[str] = []
        for compiled in self.expressions(with_quota=False):
            keys.extend(k for k in compiled.facts if k not in keys)
        return tuple(keys)

    @property
    def quota_facts(self) -> tuple[str, ...]:
        """Facts only the ranking reads (needed by a run, not by one subject's evaluation)."""
        return tuple(k for k in (self.quota.rank_by.facts if self.quota else ()) if k not in self.facts)

    def expressions(self, with_quota: bool = True) -> list[Compiled]:
        found = [c.test for c in self.conditions] + [self.amount]
        for cap in self.caps:
            found += [e for e in (cap.limit, cap.when, cap.already) if e is not None]
        if self.difference:
            found.append(self.difference.subtract)
        if self.quota and with_quota:
            found.append(self.quota.rank_by)
        return found


@dataclass(frozen=True)
class TestCase:
    name: str
    on: dt.date
    facts: Mapping[str, Any]
    eligible: bool | None = None
    amount: Decimal | None = None
    reasons: tuple[str, ...] | None = None
    explanation_includes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Policy:
    code: str
    title: str
    summary: str
    subject: str
    source: Citation
    versions: tuple[PolicyVersion, ...]
    tests: tuple[TestCase, ...] = ()
    exclusive_with: tuple[str, ...] = ()
    origin: str = ""

    def version_on(self, on: dt.date) -> PolicyVersion | None:
        return next((v for v in self.versions if v.covers(on)), None)

    @property
    def subject_label(self) -> str:
        return SUBJECT_KINDS[self.subject]


FactCatalog = Mapping[str, FactSpec]
