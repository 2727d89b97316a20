"""Provider star rating (评星评级), DESIGN decision 12. Pure Python: no Django, no I/O.

stars 1–5 from a composite score = satisfaction × w₁ + on-time acceptance rate × w₂ + admission
score × w₃ (weights from `data/star_rule.yaml`, default 50 / 30 / 20 %), mapped to stars by bands.
A provider without delivery data gets no stars at all (shown as "暂无评级"), never a guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class StarRule:
    effective_from: dt.date
    effective_until: dt.date | None
    satisfaction_weight: Decimal  # percent
    on_time_weight: Decimal
    admission_weight: Decimal
    min_rated_projects: int
    min_accepted_projects: int
    bands: tuple[tuple[Decimal, int], ...]  # (min composite, stars), highest first
    satisfaction_points_per_unit: Decimal = Decimal("20")  # a 1–5 satisfaction rating → 0–100 (data file)

    def satisfaction_points(self, mean_rating: Decimal) -> Decimal:
        """A mean satisfaction rating (1–5) on the 0–100 scale of the composite, two places."""
        return (mean_rating * self.satisfaction_points_per_unit).quantize(Decimal("0.01"))

    def __post_init__(self) -> None:
        total = self.satisfaction_weight + self.on_time_weight + self.admission_weight
        if total != HUNDRED:
            raise ValueError(f"star rule: weights add up to {total}, not 100")
        if any(not 1 <= s <= 5 for _m, s in self.bands):
            raise ValueError("star rule: stars must be 1–5")


@dataclass(frozen=True)
class DeliveryRecord:
    """What the rating is computed from; percentages on 0–100."""

    rated_projects: int = 0
    satisfaction: Decimal | None = None  # mean enterprise satisfaction, 0–100
    accepted_projects: int = 0
    on_time_projects: int = 0
    admission_score: Decimal | None = None  # expert score at admission, 0–100


@dataclass(frozen=True)
class StarResult:
    stars: int | None
    composite: Decimal | None
    explanation: tuple[str, ...]


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


def parse_rules(data: Mapping[str, Any]) -> list[StarRule]:
    """The versions of a star-rule file (as loaded from YAML)."""
    rules = []
    for version in data["versions"]:
        p = version["parameters"]
        w = p["weights"]
        rules.append(StarRule(
            effective_from=version["effective_from"],
            effective_until=version.get("effective_until"),
            satisfaction_weight=_dec(w["satisfaction"]["value"]),
            on_time_weight=_dec(w["on_time"]["value"]),
            admission_weight=_dec(w["admission"]["value"]),
            min_rated_projects=int(p["min_rated_projects"]["value"]),
            min_accepted_projects=int(p["min_accepted_projects"]["value"]),
            bands=tuple(sorted(((_dec(b["min"]), int(b["stars"])) for b in p["stars"]["bands"]), reverse=True)),
            satisfaction_points_per_unit=_dec(p["satisfaction_points_per_unit"]["value"]),
        ))
    return rules


def rule_for(rules: Sequence[StarRule], day: dt.date) -> StarRule:
    for rule in rules:
        if rule.effective_from <= day and (rule.effective_until is None or day < rule.effective_until):
            return rule
    raise LookupError(f"no star rule in force on {day}")


def _pct(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'), ROUND_HALF_UP)}"


def rate(rule: StarRule, record: DeliveryRecord) -> StarResult:
    """Stars for a provider's delivery record, with the computation in words."""
    missing = []
    if record.rated_projects < rule.min_rated_projects or record.satisfaction is None:
        missing.append(f"满意度评价不足 {rule.min_rated_projects} 个项目")
    if record.accepted_projects < rule.min_accepted_projects:
        missing.append(f"已验收项目不足 {rule.min_accepted_projects} 个")
    if record.admission_score is None:
        missing.append("缺少入池评审得分")
    if missing:
        return StarResult(None, None, ("暂无评级：" + "；".join(missing),))
    if record.on_time_projects > record.accepted_projects or record.on_time_projects < 0:
        raise ValueError("on-time projects cannot exceed accepted projects")
    for name, value in (("satisfaction", record.satisfaction), ("admission_score", record.admission_score)):
        if not Decimal(0) <= value <= HUNDRED:  # type: ignore[operator]
            raise ValueError(f"{name} must be on 0–100, got {value}")
    satisfaction = _dec(record.satisfaction)
    admission = _dec(record.admission_score)
    on_time = HUNDRED * record.on_time_projects / record.accepted_projects
    parts = [
        ("满意度", satisfaction, rule.satisfaction_weight,
         f"满意度 {_pct(satisfaction)} 分（{record.rated_projects} 个项目评价的平均）"),
        ("按期验收率", on_time, rule.on_time_weight,
         f"按期验收率 {record.on_time_projects}/{record.accepted_projects} = {_pct(on_time)}%"),
        ("入池评审得分", admission, rule.admission_weight, f"入池评审得分 {_pct(admission)} 分"),
    ]
    lines, composite = [], Decimal(0)
    for _label, value, weight, text in parts:
        contribution = (value * weight / HUNDRED).quantize(CENT, ROUND_HALF_UP)
        composite += contribution
        lines.append(f"{text} × {weight.normalize():f}% = {contribution}")
    stars = next((s for minimum, s in rule.bands if composite >= minimum), 1)
    band = next((minimum for minimum, s in rule.bands if composite >= minimum), None)
    reason = f"≥ {band.normalize():f} 分" if band is not None else f"低于 {rule.bands[-1][0].normalize():f} 分" if rule.bands else ""
    lines.append(f"综合得分 {composite} 分（{reason}）→ {stars} 星")
    return StarResult(stars, composite, tuple(lines))
