"""Registry rules in pure Python: size class; USCC (GB 32100-2015) and organisation code (GB 11714)
come from `shuzhuan.core.uscc`.

No Django imports: the importer, the demo generator and the batch engines all call these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shuzhuan.core.uscc import (  # noqa: F401  (USCC rules live in core; re-exported for the registry's callers)
    ORG_WEIGHTS,
    USCC_ALPHABET,
    USCC_VALUES,
    USCC_WEIGHTS,
    UsccError,
    UsccResult,
    make_uscc,
    normalise_uscc,
    org_code_check_char,
    uscc_check_char,
    validate_uscc,
)

# --- size class (工信部联企业〔2011〕300号 for industry), rules as data --------------------------

@dataclass(frozen=True)
class SizeBand:
    size_class: str  # large / medium / small / micro
    min_employees: int
    min_revenue: Decimal  # yuan


@dataclass(frozen=True)
class SizeRule:
    """One dated version of the size rule for industry; bands from the largest down; micro otherwise."""

    effective_from: dt.date
    bands: tuple[SizeBand, ...]
    above_scale_revenue: Decimal
    source: str = ""

    def size_class(self, employees: int | None, revenue: Decimal | None) -> str | None:
        if employees is None or revenue is None:
            return None
        for band in self.bands:
            if employees >= band.min_employees and revenue >= band.min_revenue:
                return band.size_class
        return "micro"

    def above_scale(self, revenue: Decimal | None) -> bool:
        return revenue is not None and revenue >= self.above_scale_revenue


def rule_for(rules: list[SizeRule], on: dt.date) -> SizeRule:
    """The version in force on a date (rules sorted by effective_from)."""
    current = None
    for rule in sorted(rules, key=lambda r: r.effective_from):
        if rule.effective_from <= on:
            current = rule
    if current is None:
        raise LookupError(f"no size rule in force on {on}")
    return current


def parse_size_rules(data: Mapping[str, Any]) -> list[SizeRule]:
    rules = []
    for version in data["versions"]:
        params = version["parameters"]
        bands = tuple(
            SizeBand(b["class"], int(b["min_employees"]), Decimal(str(b["min_revenue"]))) for b in params["bands"]
        )
        rules.append(
            SizeRule(
                effective_from=dt.date.fromisoformat(str(version["effective_from"])),
                bands=bands,
                above_scale_revenue=Decimal(str(params["above_scale_revenue"])),
                source=version.get("source", {}).get("document", "") if isinstance(version.get("source"), dict) else "",
            )
        )
    return rules
