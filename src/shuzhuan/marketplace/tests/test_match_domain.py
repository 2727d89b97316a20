"""The matching rules in pure Python: each component, its explanation, the total and the ranking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import yaml

from shuzhuan.assessment import indicator_sets
from shuzhuan.marketplace.domain import progress
from shuzhuan.marketplace.domain.matching import (
    COMPONENTS,
    EnterpriseFacts,
    Matcher,
    OfferingFacts,
    Weights,
    WeightsError,
    pilot_price,
    scenario_gaps,
    tenths,
)
from shuzhuan.marketplace.services.match import WEIGHTS_FILE, load_weights

S24 = indicator_sets.load("miit-2024")
NAMES = {s.code: s.name for s in S24.scenarios}
LEVELS = {0: "无等级", 1: "一级", 2: "二级", 3: "三级", 4: "四级"}


def matcher() -> Matcher:
    return Matcher(load_weights(), NAMES, frozenset(s.code for s in S24.scenarios if s.mandatory), LEVELS,
                   {"387": "照明器具制造"})


def off(**kw) -> OfferingFacts:
    base = dict(id=1, scenarios=frozenset({"S08"}), industries=(), min_level=0, max_level=4, price_min=None,
                pilot_discount=None, provider_id=10, provider_town_id=None, stars=None, deliveries={})
    return OfferingFacts(**(base | kw))


def ent(**kw) -> EnterpriseFacts:
    base = dict(industry="3872", town_id=5, level=None, gaps=None, need_scenarios=frozenset(), budget=None)
    return EnterpriseFacts(**(base | kw))


def test_weights_file_is_valid_and_sums_to_100():
    w = load_weights()
    assert w.total_points == 100 and w.top == 10


@pytest.mark.parametrize("change, message", [
    (lambda d: d["components"].pop("gap"), "components: expected exactly"),
    (lambda d: d["components"]["rating"].update(unrated=[6, 5]), "components.rating.unrated"),
    (lambda d: d["components"]["gap"].update(saturation=0), "components.gap.saturation"),
    (lambda d: d["components"]["need"].update(points="30"), "components.need.points"),
])
def test_malformed_weights_are_refused_with_the_place(change, message):
    data = yaml.safe_load(WEIGHTS_FILE.read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(WeightsError, match=message):
        Weights.from_mapping(data)


def test_tenths_round_half_up_in_integers():
    assert tenths(30, 1, 3) == 100  # 10.0
    assert tenths(25, 3, 4) == 188  # 18.75 → 18.8
    assert tenths(15, 1, 2) == 75
    assert tenths(5, 45, 50) == 45


def test_pilot_price_takes_off_the_discount_to_the_cent():
    assert pilot_price(Decimal("100000.00"), Decimal("20")) == Decimal("80000.00")
    assert pilot_price(Decimal("99.99"), Decimal("33.3")) == Decimal("66.69")  # 66.68667 → 66.69
    assert pilot_price(None, Decimal("10")) is None


def test_gaps_follow_the_level_rule_mandatory_first():
    levels = {c: 1 for c in NAMES} | {"S03": 2, "S08": 3}
    gaps = scenario_gaps(S24, 1, levels, 45_000)
    assert gaps.target == 2 and gaps.required == 2
    assert "S03" not in gaps.codes and "S08" not in gaps.codes
    assert all(S24.scenario_index[c].mandatory for c in gaps.mandatory)
    assert not any(S24.scenario_index[c].mandatory for c in gaps.optional)
    assert gaps.summary.startswith("距二级")
    assert scenario_gaps(S24, None, levels) is None
    assert scenario_gaps(indicator_sets.load("miit-2022"), 2, levels) is None
    top = scenario_gaps(S24, 4, {c: 4 for c in NAMES})
    assert top.target == 4 and not top.codes


def test_each_component_explains_itself():
    m = matcher()
    gaps = scenario_gaps(S24, 1, {c: 1 for c in NAMES} | {"S03": 2})
    e = ent(level=1, gaps=gaps, need_scenarios=frozenset({"S08", "S11"}), budget=Decimal("90000.00"))
    o = off(scenarios=frozenset({"S08", "S09"}), industries=("387",), price_min=Decimal("100000.00"),
            pilot_discount=Decimal("20"), min_level=0, max_level=2, provider_town_id=5, stars=Decimal("4.5"),
            deliveries={5: 2})
    s = m.score(e, o)
    parts = {c.key: c for c in s.components}
    assert (parts["need"].num, parts["need"].den) == (1, 2) and parts["need"].tenths == 125
    assert "S08 设备管理" in parts["need"].why and "未覆盖：S11" in parts["need"].why
    s08_mandatory = S24.scenario_index["S08"].mandatory
    s09_mandatory = S24.scenario_index["S09"].mandatory
    units = (2 if s08_mandatory else 1) + (2 if s09_mandatory else 1)
    assert parts["gap"].num == min(units, 4) and "距二级" in parts["gap"].why
    assert parts["industry"].tenths == 113  # a group (387) code: 3/4 of 15
    assert "适用行业 387 照明器具制造，含本企业行业 3872（按中类匹配）" == parts["industry"].why
    assert parts["level"].tenths == 50 and "本企业现为一级" in parts["level"].why
    assert parts["specificity"].tenths == 50 and parts["specificity"].why == "覆盖的 2 个场景中 1 个是本企业的需求场景"
    assert parts["budget"].tenths == 150 and "试点价 80,000.00 元起（标价 100,000.00 元，让利 20%） ≤ 预算 90,000.00 元" == parts["budget"].why
    assert parts["rating"].tenths == 45 and parts["rating"].why == "4.5 星 / 5 星"
    assert (parts["local"].num, parts["local"].den) == (5, 6) and parts["local"].tenths == 42
    assert s.total == sum(c.tenths for c in s.components)
    assert s.points == f"{s.total // 10}.{s.total % 10}"
    assert s.reasons()[0].startswith("需求场景") or s.reasons()[0].startswith("诊断差距")


def test_unknowns_get_the_configured_fractions():
    m = matcher()
    s = m.score(ent(industry=""), off(industries=("38",)))
    parts = {c.key: c for c in s.components}
    assert parts["industry"].tenths == 75 and "未登记行业" in parts["industry"].why
    assert parts["level"].tenths == 25 and parts["budget"].tenths == 75
    assert parts["budget"].why == "未填写预算，也无营业收入可估算"
    assert parts["rating"].tenths == 20 and parts["rating"].why == "暂无星级，按 2.0 星计"
    assert parts["need"].tenths == 0 and parts["gap"].tenths == 0
    mismatch = {c.key: c for c in m.score(ent(level=3), off(industries=("33",), max_level=2)).components}
    assert mismatch["industry"].tenths == 0 and mismatch["level"].tenths == 0
    over = {c.key: c for c in m.score(ent(budget=Decimal("10")), off(price_min=Decimal("11"))).components}
    assert over["budget"].tenths == 0 and "> 预算" in over["budget"].why


def test_ranking_filters_to_interesting_scenarios_and_breaks_ties_by_id():
    m = matcher()
    e = ent(need_scenarios=frozenset({"S08"}))
    offers = [off(id=3), off(id=2), off(id=9, scenarios=frozenset({"S01"})), off(id=4, stars=Decimal("5.0"))]
    ranked = m.rank(e, offers)
    assert [s.offering_id for s in ranked] == [4, 2, 3]
    assert [s.offering_id for s in m.rank(ent(), offers, top=2)] == [4, 2]  # no interest: everything is a candidate


def test_level_progress_uses_the_official_order():
    rows = [
        progress.Rated(1, dt.date(2023, 5, 1), False, 1, 1),
        progress.Rated(1, dt.date(2024, 5, 1), True, 2, 2),   # on-site beats the newer self-assessment
        progress.Rated(1, dt.date(2024, 9, 1), False, 3, 3),
        progress.Rated(2, dt.date(2024, 2, 1), False, 4, 0),
    ]
    assert progress.official_levels(rows) == {1: 2, 2: 0}
    assert progress.official_levels(rows, dt.date(2023, 12, 31)) == {1: 1}
    years = progress.progress_by_year(rows, 3, [2023, 2024])
    assert [d.by_level for d in years] == [(0, 1, 0, 0, 0), (1, 0, 1, 0, 0)]
    assert years[1].assessed == 2 and years[1].share_two_plus == "50.0%" and years[1].share_assessed == "66.7%"


# --- issue 10 item 17: recommendations that fit the firm ------------------------------------------------------------
def test_default_budget_comes_from_size_and_revenue_and_is_stated():
    w = load_weights()
    assert w.default_budget("small", Decimal("12345678.00")) == Decimal("493000.00")  # 4 %, rounded down to 1,000
    assert w.default_budget("micro", Decimal("3000000.00")) == Decimal("150000.00")
    assert w.default_budget("", Decimal("3000000.00")) is None and w.default_budget("small", None) is None
    assert w.default_budget("micro", Decimal("0")) is None
    m = matcher()
    e = ent(need_scenarios=frozenset({"S12"}), size_class="small", revenue=Decimal("5000000.00"))
    cheap = {c.key: c for c in m.score(e, off(scenarios=frozenset({"S12"}), price_min=Decimal("100000.00"))).components}
    dear = {c.key: c for c in m.score(e, off(scenarios=frozenset({"S12"}), price_min=Decimal("842500.00"))).components}
    assert cheap["budget"].tenths == 150 and dear["budget"].tenths == 0
    assert cheap["budget"].why == ("试点价 100,000.00 元起 ≤ 可承受预算 200,000.00 元"
                                   "（未填写预算：按小型企业营业收入 500.00 万元的 4% 估算）")
    stated = {c.key: c for c in m.score(ent(budget=Decimal("900000.00"), size_class="small", revenue=Decimal("5000000.00")),
                                        off(price_min=Decimal("842500.00"))).components}
    assert stated["budget"].tenths == 150  # a stated budget wins over the estimate


def test_specificity_prefers_an_offering_focused_on_the_need():
    m = matcher()
    e = ent(need_scenarios=frozenset({"S12"}))
    focused = {c.key: c for c in m.score(e, off(scenarios=frozenset({"S12", "S11"}))).components}
    everything = {c.key: c for c in m.score(e, off(scenarios=frozenset(NAMES))).components}
    assert focused["specificity"].tenths == 50 and everything["specificity"].tenths == 6  # 1/16 of 10
    assert m.score(ent(), off()).components[COMPONENTS.index("specificity")].tenths == 50  # nothing asked: unknown


def test_industry_fit_rewards_the_class_over_the_division():
    m = matcher()
    fit = {code: {c.key: c for c in m.score(ent(industry="3872"), off(industries=(code,))).components}["industry"].tenths
           for code in ("3872", "387", "38", "33")}
    assert fit == {"3872": 150, "387": 113, "38": 75, "33": 0}


def test_a_small_lighting_firm_short_of_stock_control_gets_the_warehouse_product_first():
    """The issue's case: a whole-factory appliance solution at 842,500 yuan covering every scenario, for
    division 38, against a 100,000-yuan warehouse product for any industry."""
    m = matcher()
    firm = ent(industry="3872", level=1, need_scenarios=frozenset({"S12"}), size_class="small",
               revenue=Decimal("18000000.00"))
    whole_factory = off(id=1, scenarios=frozenset(NAMES), industries=("38",), price_min=Decimal("842500.00"),
                        stars=Decimal("4.5"))
    warehouse = off(id=2, scenarios=frozenset({"S12", "S11"}), industries=(), price_min=Decimal("100000.00"),
                    stars=Decimal("4.0"))
    ranked = m.rank(firm, [whole_factory, warehouse])
    assert [s.offering_id for s in ranked] == [2, 1]
    assert any("可承受预算" in r for r in ranked[0].reasons())
