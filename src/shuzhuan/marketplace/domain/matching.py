"""Supply–demand matching (供需对接): score the pool's offerings for one enterprise, with reasons.

Pure Python (no Django). The weights are data (`data/matching_weights.yaml`). For an enterprise
(its industry, town, official level and scenario gaps, its size and revenue, and its open needs) each
published offering gets eight components; each is a fraction num/den of its points:

- need: the need's scenarios the offering covers (covered / all the need's scenarios);
- gap: the scenarios below the next level's requirement (from the latest official assessment) that
  it covers, 约束性 ones counting more, up to a saturation;
- industry: its target industries (GB/T 4754 division, group or class codes) contain the
  enterprise's class; the fraction depends on how closely the matching code targets it (a class code
  more than a group, a group more than a whole division: `fit`), or it targets every industry
  (`generic`), else nothing;
- level: the enterprise's level lies in its min_level..max_level (unknown level: `unknown`);
- budget: its pilot price (price floor less the provider's pilot discount, 服务商让一点) is within
  the need's budget; without a budget, within a default budget from the firm's size class and
  yearly revenue (`affordability`: a share of the revenue, said so in the reason); no revenue either,
  or no price: `unknown`;
- specificity: how focused the offering is on what the firm asked for: the share of its scenarios
  that are the needs' scenarios (or, without needs, the gap scenarios); nothing to focus on: `unknown`;
- rating: the provider's stars out of 5 (no stars yet: `unrated`);
- local: the provider sits in the enterprise's town, and has signed contracts in that town.

A component's points are rounded half-up to 0.1 分 in integer arithmetic (`tenths`), the total is
the sum of the rounded components, so the page's numbers add up and the batch engine (polars,
`marketplace.recommend`) computes the very same integers. Ranking: total descending, then offering
id ascending. An offering is a candidate only when it covers a scenario the enterprise is
interested in (its needs' and its gaps'), unless there are none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from shuzhuan.assessment.domain.levels import Gap, describe_gap, gap
from shuzhuan.assessment.domain.model import IndicatorSet

COMPONENTS: tuple[str, ...] = ("need", "gap", "industry", "level", "budget", "specificity", "rating", "local")
INDUSTRY_DEPTHS = {2: "division", 3: "group", 4: "class"}  # a GB/T 4754 code's length → its level
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class WeightsError(ValueError):
    """The weights file is malformed; the message says where."""


def _fraction(value: Any, where: str) -> tuple[int, int]:
    if not (isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        raise WeightsError(f"{where}: expected [numerator, denominator] integers, got {value!r}")
    num, den = value
    if den <= 0 or not 0 <= num <= den:
        raise WeightsError(f"{where}: expected 0 ≤ numerator ≤ denominator > 0, got {value!r}")
    return num, den


def _positive(data: Mapping[str, Any], key: str, where: str, minimum: int = 1) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise WeightsError(f"{where}.{key}: expected an integer ≥ {minimum}, got {value!r}")
    return value


@dataclass(frozen=True)
class Weights:
    """The matching parameters: points per component and the fractions for unknowns."""

    id: str
    version: str
    top: int
    points: Mapping[str, int]
    labels: Mapping[str, str]
    mandatory_units: int
    optional_units: int
    saturation: int
    industry_generic: tuple[int, int]
    level_unknown: tuple[int, int]
    budget_unknown: tuple[int, int]
    unrated: tuple[int, int]
    same_town_units: int
    delivery_cap: int
    industry_fit: Mapping[str, tuple[int, int]]  # division / group / class → the fraction of the industry points
    specificity_unknown: tuple[int, int]
    budget_share: Mapping[str, Decimal]  # size class → the share of yearly revenue taken as a default budget
    budget_step: Decimal  # the default budget is rounded down to this (yuan)

    @property
    def total_points(self) -> int:
        return sum(self.points.values())

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Weights:
        if not isinstance(data, Mapping):
            raise WeightsError("weights: expected a mapping")
        comps = data.get("components")
        if not isinstance(comps, Mapping) or sorted(comps) != sorted(COMPONENTS):
            raise WeightsError(f"components: expected exactly {', '.join(COMPONENTS)}")
        points: dict[str, int] = {}
        labels: dict[str, str] = {}
        for key in COMPONENTS:
            comp = comps[key]
            if not isinstance(comp, Mapping):
                raise WeightsError(f"components.{key}: expected a mapping")
            points[key] = _positive(comp, "points", f"components.{key}", minimum=0)
            labels[key] = str(comp.get("label") or key)
        gap_c, local_c = comps["gap"], comps["local"]
        fit = comps["industry"].get("fit")
        if not isinstance(fit, Mapping) or sorted(fit) != sorted(INDUSTRY_DEPTHS.values()):
            raise WeightsError("components.industry.fit: expected division, group and class fractions")
        afford = data.get("affordability")
        if not isinstance(afford, Mapping) or not isinstance(afford.get("share_of_revenue"), Mapping):
            raise WeightsError("affordability.share_of_revenue: expected a mapping of size class to a share")
        shares: dict[str, Decimal] = {}
        for size, share in afford["share_of_revenue"].items():
            try:
                value = Decimal(str(share))
            except ArithmeticError:
                raise WeightsError(f"affordability.share_of_revenue.{size}: expected a decimal, got {share!r}") from None
            if not Decimal(0) <= value <= Decimal(1):
                raise WeightsError(f"affordability.share_of_revenue.{size}: expected 0–1, got {share!r}")
            shares[str(size)] = value
        return cls(
            id=str(data.get("id", "")), version=str(data.get("version", "")),
            top=_positive(data, "top", "weights"),
            points=points, labels=labels,
            mandatory_units=_positive(gap_c, "mandatory_units", "components.gap"),
            optional_units=_positive(gap_c, "optional_units", "components.gap", minimum=0),
            saturation=_positive(gap_c, "saturation", "components.gap"),
            industry_generic=_fraction(comps["industry"].get("generic"), "components.industry.generic"),
            level_unknown=_fraction(comps["level"].get("unknown"), "components.level.unknown"),
            budget_unknown=_fraction(comps["budget"].get("unknown"), "components.budget.unknown"),
            unrated=_fraction(comps["rating"].get("unrated"), "components.rating.unrated"),
            same_town_units=_positive(local_c, "same_town_units", "components.local", minimum=0),
            delivery_cap=_positive(local_c, "delivery_cap", "components.local", minimum=0),
            industry_fit={k: _fraction(fit[k], f"components.industry.fit.{k}") for k in INDUSTRY_DEPTHS.values()},
            specificity_unknown=_fraction(comps["specificity"].get("unknown"), "components.specificity.unknown"),
            budget_share=shares,
            budget_step=Decimal(_positive(afford, "round_down_to", "affordability")),
        )

    def default_budget(self, size_class: str, revenue: Decimal | None) -> Decimal | None:
        """What a firm of this size can afford without saying: a share of its yearly revenue, rounded down."""
        share = self.budget_share.get(size_class or "")
        if share is None or revenue is None or revenue <= 0:
            return None
        budget = (revenue * share / self.budget_step).to_integral_value(rounding=ROUND_DOWN) * self.budget_step
        return budget.quantize(CENT) if budget > 0 else None


def tenths(points: int, num: int, den: int) -> int:
    """points × num / den in tenths of a point, rounded half-up, in integers (both engines)."""
    return (2 * points * 10 * num + den) // (2 * den)


def format_tenths(value: int) -> str:
    return f"{value // 10}.{value % 10}"


def pilot_price(price_min: Decimal | None, discount: Decimal | None) -> Decimal | None:
    """The price floor less the pilot discount (percent), to the cent, half-up."""
    if price_min is None:
        return None
    rate = (HUNDRED - (discount or Decimal(0))) / HUNDRED
    return (price_min * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def pilot_price_cents(price_min: Decimal | None, discount: Decimal | None) -> int | None:
    price = pilot_price(price_min, discount)
    return None if price is None else int(price * 100)


def industry_matches(codes: Iterable[str], industry: str) -> str | None:
    """The first target code that the enterprise's class starts with (division 38 ⊃ group 387 ⊃ class 3872)."""
    for code in codes:
        if code and industry.startswith(code):
            return code
    return None


SIZE_WORDS = {"micro": "微型", "small": "小型", "medium": "中型", "large": "大型"}


# --- the enterprise's side ------------------------------------------------------------------------
@dataclass(frozen=True)
class Gaps:
    """Scenarios below what the next level requires (DOMAIN §4), 约束性 first."""

    target: int  # the level these gaps lead to
    required: int  # the scenario level the target requires
    mandatory: tuple[str, ...]
    optional: tuple[str, ...]
    summary: str  # '距三级：还差 2 个场景达到三级，其中至少 1 个约束性场景'

    @property
    def codes(self) -> tuple[str, ...]:
        return self.mandatory + self.optional


def scenario_gaps(indicator_set: IndicatorSet, level: int | None, scenario_levels: Mapping[str, int],
                  gate_milli: int | None = None) -> Gaps | None:
    """The gaps towards the next level (or, at the top level, towards keeping every scenario there).

    None when the set rates no scenarios (2022 edition) or the level is unknown."""
    rule = indicator_set.level_rule
    if level is None or not indicator_set.scenarios or not rule.levels:
        return None
    top = rule.levels[-1].level
    target = min(level + 1, top)
    req = rule.requirement(target)
    if req is None or not req.scenario_level:
        return None
    below = [s for s in indicator_set.scenarios if int(scenario_levels.get(s.code) or 0) < req.scenario_level]
    mandatory = tuple(s.code for s in below if s.mandatory)
    optional = tuple(s.code for s in below if not s.mandatory)
    summary = ""
    if level < top:
        g: Gap = gap(indicator_set, req, gate_milli if gate_milli is not None else req.min_score, scenario_levels)
        summary = describe_gap(indicator_set, g) if not g.closed else f"已满足{indicator_set.level_name(target)}的场景条件"
    return Gaps(target, req.scenario_level, mandatory, optional, summary)


@dataclass(frozen=True)
class EnterpriseFacts:
    industry: str  # GB/T 4754 class, "" when unknown
    town_id: int | None
    level: int | None  # the official level; None: not assessed
    gaps: Gaps | None
    need_scenarios: frozenset[str] = frozenset()
    budget: Decimal | None = None  # the needs' largest stated budget
    size_class: str = ""  # micro / small / medium / large, "" unknown
    revenue: Decimal | None = None  # the latest yearly revenue (营业收入, yuan)

    @property
    def interest(self) -> frozenset[str]:
        return self.need_scenarios | frozenset(self.gaps.codes if self.gaps else ())

    @property
    def focus(self) -> frozenset[str]:
        """What the firm asked for: its needs' scenarios, or without needs its gap scenarios."""
        return self.need_scenarios or frozenset(self.gaps.codes if self.gaps else ())


@dataclass(frozen=True)
class OfferingFacts:
    id: int
    scenarios: frozenset[str]
    industries: tuple[str, ...]
    min_level: int
    max_level: int
    price_min: Decimal | None
    pilot_discount: Decimal | None
    provider_id: int
    provider_town_id: int | None
    stars: Decimal | None
    deliveries: Mapping[int, int] = field(default_factory=dict)  # town id → signed contracts there


# --- scoring ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Component:
    key: str
    label: str
    tenths: int
    max_tenths: int
    num: int
    den: int
    why: str = ""

    @property
    def points(self) -> str:
        return format_tenths(self.tenths)

    @property
    def max_points(self) -> str:
        return format_tenths(self.max_tenths)


@dataclass(frozen=True)
class Scored:
    offering_id: int
    total: int  # tenths
    components: tuple[Component, ...]

    @property
    def points(self) -> str:
        return format_tenths(self.total)

    def reasons(self) -> list[str]:
        """The components that earned points, strongest first, as sentences."""
        earned = sorted((c for c in self.components if c.tenths and c.why), key=lambda c: -c.tenths)
        return [f"{c.label}：{c.why}" for c in earned]


@dataclass
class Matcher:
    """The scoring with its parameters and the names used in explanations."""

    weights: Weights
    scenario_names: Mapping[str, str] = field(default_factory=dict)
    mandatory: frozenset[str] = frozenset()
    level_names: Mapping[int, str] = field(default_factory=dict)
    industry_names: Mapping[str, str] = field(default_factory=dict)

    def _scenarios(self, codes: Iterable[str]) -> str:
        return "、".join(f"{c} {self.scenario_names.get(c, '')}".strip() for c in sorted(codes))

    def _level(self, level: int) -> str:
        return self.level_names.get(level, str(level))

    def is_candidate(self, ent: EnterpriseFacts, off: OfferingFacts) -> bool:
        interest = ent.interest
        return not interest or bool(off.scenarios & interest)

    # each component: (num, den, why)
    def need(self, ent: EnterpriseFacts, off: OfferingFacts, explain: bool) -> tuple[int, int, str]:
        if not ent.need_scenarios:
            return 0, 1, "未提出需求场景" if explain else ""
        covered = off.scenarios & ent.need_scenarios
        why = ""
        if explain:
            why = f"覆盖 {len(covered)}/{len(ent.need_scenarios)} 个需求场景"
            if covered:
                why += f"：{self._scenarios(covered)}"
            missing = ent.need_scenarios - covered
            if missing:
                why += f"（未覆盖：{self._scenarios(missing)}）"
        return len(covered), len(ent.need_scenarios), why

    def gap(self, ent: EnterpriseFacts, off: OfferingFacts, explain: bool) -> tuple[int, int, str]:
        w = self.weights
        if ent.gaps is None or not ent.gaps.codes:
            return 0, w.saturation, ("尚无正式评测结果，无诊断差距" if ent.gaps is None else "没有低于下一等级要求的场景") if explain else ""
        mand = [c for c in ent.gaps.mandatory if c in off.scenarios]
        opt = [c for c in ent.gaps.optional if c in off.scenarios]
        units = len(mand) * w.mandatory_units + len(opt) * w.optional_units
        num = min(units, w.saturation)
        why = ""
        if explain:
            target = self._level(ent.gaps.target)
            if not mand and not opt:
                why = f"未覆盖距{target}的差距场景"
            else:
                parts = [f"{c} {self.scenario_names.get(c, '')}（约束性，计 {w.mandatory_units}）" for c in mand]
                parts += [f"{c} {self.scenario_names.get(c, '')}（计 {w.optional_units}）" for c in opt]
                why = f"覆盖距{target}的差距场景 {'、'.join(parts)}，合计 {units}，满 {w.saturation} 得满分"
        return num, w.saturation, why

    def industry(self, ent: EnterpriseFacts, off: OfferingFacts, explain: bool) -> tuple[int, int, str]:
        generic_num, generic_den = self.weights.industry_generic
        if not off.industries:
            return generic_num, generic_den, "不限行业（通用产品）" if explain else ""
        if not ent.industry:
            return generic_num, generic_den, "本企业未登记行业，按通用计" if explain else ""
        hit = industry_matches(off.industries, ent.industry)
        if hit is not None:
            depth = INDUSTRY_DEPTHS.get(len(hit), "division")
            num, den = self.weights.industry_fit[depth]
            if not explain:
                return num, den, ""
            name = self.industry_names.get(hit, "")
            words = {"class": "小类", "group": "中类", "division": "大类"}[depth]
            return num, den, f"适用行业 {hit} {name}".rstrip() + f"，含本企业行业 {ent.industry}（按{words}匹配）"
        return 0, 1, f"适用行业 {'、'.join(off.industries[:6])}，不含本企业行业 {ent.industry}" if explain else ""

    def level(self, ent: EnterpriseFacts, off: OfferingFacts, explain: bool) -> tuple[int, int, str]:
        span = f"{self._level(off.min_level)}–{self._level(off.max_level)}" if explain else ""
        if ent.level is None:
            num, den = self.weights.level_unknown
            return num, den, f"适用 {span}；本企业尚无评测等级" if explain else ""
        ok = off.min_level <= ent.level <= off.max_level
        return int(ok), 1, f"适用 {span}，本企业现为{self._level(ent.level)}" if explain else ""

    def effective_budget(self, ent: EnterpriseFacts) -> Decimal | None:
        """The stated budget, else the default one from the firm's size class and revenue."""
        if ent.budget is not None:
            return ent.budget
        return self.weights.default_budget(ent.size_class, ent.revenue)

    def budget(self, ent: EnterpriseFacts, off: OfferingFacts, explain: bool) -> tuple[int, int, str]:
        price = pilot_price(off.price_min, off.pilot_discount)
        budget = self.effective_budget(ent)
        if budget is None or price is None:
            num, den = self.weights.budget_unknown
            if not explain:
                return num, den, ""
            return num, den, "未填写预算，也无营业收入可估算" if budget is None else "服务商未标价"
        ok = price <= budget
        if not explain:
            return int(ok), 1, ""
        shown = f"试点价 {price:,.2f} 元起"
        if off.pilot_discount:
            shown += f"（标价 {off.price_min:,.2f} 元，让利 {off.pilot_discount.normalize():f}%）"
        if ent.budget is not None:
            return int(ok), 1, f"{shown} {'≤' if ok else '>'} 预算 {budget:,.2f} 元"
        share = self.weights.budget_share[ent.size_class] * 100
        size = SIZE_WORDS.get(ent.size_class, ent.size_class)
        assert ent.revenue is not None
        return int(ok), 1, (f"{shown} {'≤' if ok else '>'} 可承受预算 {budget:,.2f} 元"
                            f"（未填写预算：按{size}企业营业收入 {ent.revenue / 10000:,.2f} 万元的 {share.normalize():f}% 估算）")

    def specificity(self, ent: EnterpriseFacts, off: OfferingFacts, explain: bool) -> tuple[int, int, str]:
        focus = ent.focus
        if not focus:
            num, den = self.weights.specificity_unknown
            return num, den, "未提出需求、无诊断差距，不计专注程度" if explain else ""
        if not off.scenarios:
            return 0, 1, "未标注适用场景" if explain else ""
        hit = off.scenarios & focus
        if not explain:
            return len(hit), len(off.scenarios), ""
        what = "需求" if ent.need_scenarios else "差距"
        return len(hit), len(off.scenarios), f"覆盖的 {len(off.scenarios)} 个场景中 {len(hit)} 个是本企业的{what}场景"

    def rating(self, ent: EnterpriseFacts, off: OfferingFacts, explain: bool) -> tuple[int, int, str]:
        if off.stars is None:
            num, den = self.weights.unrated
            return num, den, f"暂无星级，按 {Decimal(5 * num) / den:.1f} 星计" if explain else ""
        num = int((off.stars * 10).to_integral_value(rounding=ROUND_HALF_UP))
        return max(0, min(num, 50)), 50, f"{off.stars:.1f} 星 / 5 星" if explain else ""

    def local(self, ent: EnterpriseFacts, off: OfferingFacts, explain: bool) -> tuple[int, int, str]:
        w = self.weights
        den = max(1, w.same_town_units + w.delivery_cap)
        same = ent.town_id is not None and off.provider_town_id == ent.town_id
        done = off.deliveries.get(ent.town_id, 0) if ent.town_id is not None else 0
        num = (w.same_town_units if same else 0) + min(done, w.delivery_cap)
        why = ""
        if explain:
            why = ("服务商位于本镇街" if same else "服务商不在本镇街") + f"；在本镇街已签约 {done} 单"
        return num, den, why

    def score(self, ent: EnterpriseFacts, off: OfferingFacts, explain: bool = True) -> Scored:
        comps = []
        total = 0
        for key in COMPONENTS:
            num, den, why = getattr(self, key)(ent, off, explain)
            points = self.weights.points[key]
            value = tenths(points, num, den)
            total += value
            comps.append(Component(key, self.weights.labels[key], value, points * 10, num, den, why))
        return Scored(off.id, total, tuple(comps))

    def rank(self, ent: EnterpriseFacts, offerings: Sequence[OfferingFacts], top: int | None = None,
             explain: bool = True) -> list[Scored]:
        """The best `top` candidates, total descending then offering id ascending."""
        scored = [self.score(ent, off, explain) for off in offerings if self.is_candidate(ent, off)]
        scored.sort(key=lambda s: (-s.total, s.offering_id))
        return scored[: top or self.weights.top]
