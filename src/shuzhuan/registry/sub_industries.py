"""Sub-industries (细分行业): named, dated sets of GB/T 4754-2017 classes, kept as data (DESIGN decision 5).

`data/sub_industries.yaml` names each set by classes (4 digits) or whole groups / divisions (3 / 2
digits); `load()` expands them against the GB/T 4754-2017 table in `data/gbt4754-2017.csv`. No
Django imports: statistics, programmes and the batch engine read the same definitions.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFINITIONS = DATA_DIR / "sub_industries.yaml"
CLASSES = DATA_DIR / "gbt4754-2017.csv"


class SubIndustryError(ValueError):
    """The data file is malformed or names a class the table does not have."""


@dataclass(frozen=True)
class SubIndustry:
    code: str
    name: str
    classes: frozenset[str]  # 4-digit GB/T 4754-2017 classes
    effective_from: dt.date
    effective_until: dt.date | None  # exclusive
    source: Mapping[str, Any]
    notes: str
    written: tuple[str, ...]  # as the data file names them (classes, groups, divisions)

    def contains(self, industry: str | None) -> bool:
        return bool(industry) and industry in self.classes

    def in_force(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_until is None or on < self.effective_until)

    @property
    def label(self) -> str:
        return f"{self.name}（{'、'.join(self.written)}）"


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise SubIndustryError(f"{where}: not a date: {value!r}") from exc


def expand(codes: Iterable[str], classes: Iterable[str], where: str = "") -> frozenset[str]:
    """Classes, groups and divisions → the 4-digit classes they cover."""
    table = sorted(classes)
    found: set[str] = set()
    for code in codes:
        code = str(code)
        if not code.isdigit() or not 2 <= len(code) <= 4:
            raise SubIndustryError(f"{where}: {code!r} is not a GB/T 4754 division, group or class code")
        covered = [c for c in table if c.startswith(code)]
        if not covered:
            raise SubIndustryError(f"{where}: {code} is not in GB/T 4754-2017")
        found.update(covered)
    return frozenset(found)


def parse(data: Mapping[str, Any], classes: Iterable[str]) -> tuple[SubIndustry, ...]:
    """Every version of every sub-industry, checked against the class table."""
    table = list(classes)
    result: list[SubIndustry] = []
    for item in data.get("sub_industries") or ():
        code, name = str(item["code"]), str(item["name"])
        for version in item.get("versions") or ():
            where = f"sub-industry {code}"
            written = tuple(str(c) for c in version["classes"])
            result.append(SubIndustry(
                code=code, name=name, classes=expand(written, table, where),
                effective_from=_date(version["effective_from"], where),
                effective_until=_date(version["effective_until"], where) if version.get("effective_until") else None,
                source=dict(version.get("source") or {}), notes=str(version.get("notes", "")).strip(), written=written,
            ))
    codes = [s.code for s in result]
    for code in set(codes):
        spans = sorted((s.effective_from, s.effective_until or dt.date.max) for s in result if s.code == code)
        if any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:], strict=False)):
            raise SubIndustryError(f"sub-industry {code}: versions overlap")
    return tuple(result)


def class_codes(path: Path = CLASSES) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [row["code"] for row in csv.DictReader(fh) if row["level"] == "class"]


@cache
def load_all(path: Path = DEFINITIONS) -> tuple[SubIndustry, ...]:
    with path.open(encoding="utf-8") as fh:
        return parse(yaml.safe_load(fh), class_codes())


def in_force(on: dt.date | None = None) -> tuple[SubIndustry, ...]:
    """The sub-industries in force on a day (today by default), in the data file's order."""
    day = on or dt.date.today()
    return tuple(s for s in load_all() if s.in_force(day))


def get(code: str, on: dt.date | None = None) -> SubIndustry | None:
    return next((s for s in in_force(on) if s.code == code), None)
