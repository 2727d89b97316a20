"""How well recommendations fit what small firms can pay: the figure `shuzhuan evaluate-recommendations` prints.

Pure Python. A case is one firm (or one need) with its yearly revenue and the pilot prices of its ranked
recommendations. An offering is *affordable* when its pilot price is at most `share` (10 %) of the yearly
revenue; an unpriced one is not. Among the cases that have an affordable option in their list, the share
whose first recommendation is affordable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

AFFORDABLE_SHARE = Decimal("0.10")
SMALL_CLASSES = frozenset({"micro", "small"})


@dataclass(frozen=True)
class Case:
    size_class: str
    revenue_cents: int | None
    prices_cents: Sequence[int | None]  # the ranked recommendations' pilot prices
    covers_need: Sequence[bool] = ()  # per recommendation: covers one of the need's scenarios (optional)


@dataclass(frozen=True)
class Share:
    cases: int  # micro and small cases with an affordable option among their recommendations
    first_affordable: int
    first_covers_need: int  # of those, the first recommendation covers a need scenario
    with_need: int  # of those, cases that carry need coverage at all

    @property
    def ratio(self) -> float:
        return self.first_affordable / self.cases if self.cases else 0.0

    @property
    def need_ratio(self) -> float:
        return self.first_covers_need / self.with_need if self.with_need else 0.0


def affordable(price_cents: int | None, revenue_cents: int | None, share: Decimal = AFFORDABLE_SHARE) -> bool:
    if price_cents is None or revenue_cents is None or revenue_cents <= 0:
        return False
    return Decimal(price_cents) <= Decimal(revenue_cents) * share


def measure(cases: Iterable[Case], share: Decimal = AFFORDABLE_SHARE) -> Share:
    n = first = need_first = with_need = 0
    for case in cases:
        if case.size_class not in SMALL_CLASSES or not case.prices_cents:
            continue
        flags = [affordable(p, case.revenue_cents, share) for p in case.prices_cents]
        if not any(flags):
            continue
        n += 1
        first += flags[0]
        if case.covers_need:
            with_need += 1
            need_first += bool(case.covers_need[0])
    return Share(n, first, need_first, with_need)
