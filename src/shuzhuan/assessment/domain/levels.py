"""The level rule: which level a score and the scenario ratings reach, and what is missing for the next.

A level is reached when its gate score (the sum of the rule's `score_dimensions`) is at least
`min_score` and at least `min_scenarios` scenarios are rated at or above `scenario_level`, of which
at least `min_mandatory` are 约束性. Levels are tried from the highest down (source B's rule); a
score-bands rule (2022 edition) is the same with no scenario conditions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shuzhuan.assessment.domain.model import IndicatorSet, LevelRequirement, format_points


@dataclass(frozen=True)
class ScenarioCount:
    total: int
    mandatory: int


def count_at(indicator_set: IndicatorSet, levels: Mapping[str, int], at_least: int) -> ScenarioCount:
    index = indicator_set.scenario_index
    total = mandatory = 0
    for code, level in levels.items():
        if level >= at_least:
            total += 1
            mandatory += index[code].mandatory
    return ScenarioCount(total, mandatory)


def meets(req: LevelRequirement, gate: int, count: ScenarioCount) -> bool:
    return gate >= req.min_score and count.total >= req.min_scenarios and count.mandatory >= req.min_mandatory


def decide(indicator_set: IndicatorSet, gate: int, levels: Mapping[str, int]) -> int:
    """The highest level whose conditions all hold; 0 when not even the first."""
    for req in reversed(indicator_set.level_rule.levels):
        if meets(req, gate, count_at(indicator_set, levels, req.scenario_level)):
            return req.level
    return 0


@dataclass(frozen=True)
class Gap:
    """What the next level still needs: points on the gate score, scenarios (and how many 约束性)."""

    level: int
    points: int  # milli-points
    scenarios: int
    mandatory: int

    @property
    def closed(self) -> bool:
        return not (self.points or self.scenarios or self.mandatory)


def gap(indicator_set: IndicatorSet, req: LevelRequirement, gate: int, levels: Mapping[str, int]) -> Gap:
    count = count_at(indicator_set, levels, req.scenario_level)
    mandatory = max(0, req.min_mandatory - count.mandatory)
    # raising a mandatory scenario also counts towards the total, so the total gap is the larger one
    scenarios = max(max(0, req.min_scenarios - count.total), mandatory)
    return Gap(req.level, max(0, req.min_score - gate), scenarios, mandatory)


def gate_label(indicator_set: IndicatorSet) -> str:
    names = [d.short_name for d in indicator_set.dimensions if d.code in indicator_set.level_rule.score_dimensions]
    return (" + ".join(names) + " 得分") if names else "得分"


def describe_requirement(indicator_set: IndicatorSet, req: LevelRequirement, gate: int, levels: Mapping[str, int]) -> str:
    """'得分 62.5 ≥ 60；三级及以上场景 8 个 ≥ 8，其中约束性 5 个 ≥ 5' — each condition with its figures."""
    parts = [f"{gate_label(indicator_set)} {format_points(gate)} {'≥' if gate >= req.min_score else '<'} {format_points(req.min_score)}"]
    if req.min_scenarios or req.min_mandatory:
        count = count_at(indicator_set, levels, req.scenario_level)
        at = indicator_set.level_name(req.scenario_level)
        ok_total = "≥" if count.total >= req.min_scenarios else "<"
        ok_mand = "≥" if count.mandatory >= req.min_mandatory else "<"
        parts.append(f"{at}及以上场景 {count.total} 个 {ok_total} {req.min_scenarios}，其中约束性 {count.mandatory} 个 {ok_mand} {req.min_mandatory}")
    return "；".join(parts)


def describe_gap(indicator_set: IndicatorSet, g: Gap) -> str:
    """'距三级：基础 + 管理 + 成效 得分需再提高 3.5 分；还差 2 个场景达到三级，其中至少 1 个约束性场景'."""
    name = indicator_set.level_name(g.level)
    parts = []
    if g.points:
        parts.append(f"{gate_label(indicator_set)}需再提高 {format_points(g.points)} 分")
    if g.scenarios:
        req = indicator_set.level_rule.requirement(g.level)
        at = indicator_set.level_name(req.scenario_level) if req else name
        text = f"还差 {g.scenarios} 个场景达到{at}"
        if g.mandatory:
            text += f"，其中至少 {g.mandatory} 个约束性场景"
        parts.append(text)
    return f"距{name}：" + "；".join(parts)
