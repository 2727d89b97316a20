"""Level progress of a group of enterprises (a consortium's members, a chain leader's suppliers).

Pure Python. Input: each enterprise's final assessments as `Rated` rows. At a cut-off date an
enterprise's level is its official one among the assessments up to that date: an on-site rating
before a self-assessment, then the newest (the same order as `assessment.results.official_order`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

LEVELS: tuple[int, ...] = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class Rated:
    enterprise_id: int
    assessed_on: dt.date
    onsite: bool
    id: int
    level: int | None


def _key(row: Rated) -> tuple[int, dt.date, int]:
    return (int(row.onsite), row.assessed_on, row.id)


def official_levels(rows: Iterable[Rated], until: dt.date | None = None) -> dict[int, int | None]:
    """enterprise id → its official level as of `until` (inclusive; None: every row)."""
    best: dict[int, Rated] = {}
    for row in rows:
        if until is not None and row.assessed_on > until:
            continue
        current = best.get(row.enterprise_id)
        if current is None or _key(row) > _key(current):
            best[row.enterprise_id] = row
    return {k: v.level for k, v in best.items()}


@dataclass(frozen=True)
class Distribution:
    label: str
    members: int
    assessed: int
    by_level: tuple[int, ...]  # counts for levels 0..4 (0 = below 一级)

    @property
    def at_least_two(self) -> int:
        return sum(self.by_level[2:])

    @property
    def share_assessed(self) -> str:
        return f"{100 * self.assessed / self.members:.1f}%" if self.members else "—"

    @property
    def share_two_plus(self) -> str:
        return f"{100 * self.at_least_two / self.assessed:.1f}%" if self.assessed else "—"


def distribution(label: str, members: int, levels: dict[int, int | None]) -> Distribution:
    counts = [0] * len(LEVELS)
    assessed = 0
    for level in levels.values():
        if level is None:
            continue
        assessed += 1
        counts[max(0, min(level, LEVELS[-1]))] += 1
    return Distribution(label, members, assessed, tuple(counts))


def progress_by_year(rows: Sequence[Rated], members: int, years: Iterable[int]) -> list[Distribution]:
    """The distribution at the end of each year."""
    return [distribution(str(y), members, official_levels(rows, dt.date(y, 12, 31))) for y in years]


def years_span(rows: Sequence[Rated], today: dt.date, at_most: int = 5) -> list[int]:
    if not rows:
        return [today.year]
    first = max(min(r.assessed_on.year for r in rows), today.year - at_most + 1)
    return list(range(first, today.year + 1))
