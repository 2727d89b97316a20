"""The subsidy quote, computed by hand at every cap and rounding edge of the demo city's pilot."""

from __future__ import annotations

import dataclasses
from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuzhuan.programs import programmes
from shuzhuan.programs.domain import CostItem, ProgrammeVersion, QuoteInputError, quote

D = Decimal
DESIGN_EXAMPLE = "可补助投资 1,500,000.00 元 × 50% = 750,000.00 元；三级上限 600,000.00 元 → 补助 600,000.00 元"


@pytest.fixture(scope="module")
def pilot() -> ProgrammeVersion:
    return programmes.load("demo-pilot").versions[0]


def items(*pairs: tuple[str, str]) -> list[CostItem]:
    return [CostItem(category, D(amount)) for category, amount in pairs]


def test_the_design_example_explains_itself(pilot: ProgrammeVersion) -> None:
    result = quote(pilot, 3, items(("software", "1500000.00")))
    assert result.amount == D("600000.00")
    assert "；".join(result.explanation[1:3]) == DESIGN_EXAMPLE
    assert (result.programme, result.version, result.level) == ("demo-pilot", "2024-07-01", 3)


@pytest.mark.parametrize(("level", "investment", "available", "expected"), [
    # exactly at each level's cap
    (2, "600000.00", None, "300000.00"),
    (3, "1200000.00", None, "600000.00"),
    (4, "2000000.00", None, "1000000.00"),
    # one cent of subsidy over each cap → the cap
    (2, "600000.02", None, "300000.00"),
    (3, "1200000.02", None, "600000.00"),
    (4, "2000000.02", None, "1000000.00"),
    # one cent of subsidy under the cap → not capped
    (2, "599999.98", None, "299999.99"),
    (4, "1999999.98", None, "999999.99"),
    # 50 % of an odd cent amount rounds down
    (3, "600000.01", None, "300000.00"),
    (2, "0.01", None, "0.00"),
    (2, "0.03", None, "0.01"),
    (2, "599999.99", None, "299999.99"),
    # below 二级: nothing, whatever the investment
    (0, "1000000.00", None, "0.00"),
    (1, "1000000.00", None, "0.00"),
    # what the programme still has
    (3, "1500000.00", "450000.00", "450000.00"),
    (3, "1500000.00", "600000.00", "600000.00"),
    (3, "1500000.00", "600000.01", "600000.00"),
    (3, "1500000.00", "0.00", "0.00"),
    (2, "100000.00", "450000.00", "50000.00"),
    # level 4, the largest investment accepted
    (4, "999999999999.99", None, "1000000.00"),
])
def test_amount_by_hand(pilot: ProgrammeVersion, level: int, investment: str, available: str | None,
                        expected: str) -> None:
    result = quote(pilot, level, items(("software", investment)), D(available) if available else None)
    assert result.amount == D(expected)
    assert sum(result.by_source.values()) == result.amount


def test_cap_and_rounding_lines(pilot: ProgrammeVersion) -> None:
    over = quote(pilot, 2, items(("software", "600000.02")))
    assert over.explanation[1:3] == ("可补助投资 600,000.02 元 × 50% = 300,000.01 元",
                                     "二级上限 300,000.00 元 → 补助 300,000.00 元")
    at = quote(pilot, 2, items(("software", "600000.00")))
    assert at.explanation[2] == "未超过二级上限 300,000.00 元 → 补助 300,000.00 元"
    odd = quote(pilot, 3, items(("software", "600000.01")))
    assert odd.explanation[1] == "可补助投资 600,000.01 元 × 50% = 300,000.00 元"


def test_below_level_two_says_why(pilot: ProgrammeVersion) -> None:
    result = quote(pilot, 0, items(("cloud", "80000.00")))
    assert result.explanation == ("可补助费用：云服务 80,000.00 元", "改造后等级：未达到一级，低于二级 → 不予补助，补助 0.00 元")
    assert result.by_source == {"central": D("0.00"), "provincial": D("0.00"), "municipal": D("0.00")}


def test_all_items_excluded(pilot: ProgrammeVersion) -> None:
    result = quote(pilot, 4, items(("office_pc", "300000.00"), ("plc_software", "200000.00"), ("it_operations", "1.00")))
    assert result.amount == D("0.00") and result.eligible_investment == D("0.00")
    assert result.excluded_investment == D("500001.00")
    assert result.explanation == (
        "不可补助费用（不计入可补助投资）：办公电脑 300,000.00 元、PLC 内嵌软件 200,000.00 元、IT 运维服务 1.00 元",
        "可补助投资 0.00 元 → 补助 0.00 元",
    )


def test_mixed_items_are_summed_per_category_in_order(pilot: ProgrammeVersion) -> None:
    result = quote(pilot, 3, items(("cloud", "100000.00"), ("office_pc", "5000.00"), ("software", "200000.00"),
                                   ("cloud", "50000.01"), ("data_hardware", "0.00")))
    assert result.eligible_investment == D("350000.01") and result.excluded_investment == D("5000.00")
    assert result.amount == D("175000.00")
    assert result.explanation[0] == "可补助费用：云服务 150,000.01 元、软件 200,000.00 元、数据采集与传输硬件 0.00 元"
    assert result.explanation[1] == "不可补助费用（不计入可补助投资）：办公电脑 5,000.00 元"
    assert result.explanation[-1] == "按 中央:省级:市级 = 1:1:1 分担：中央 58,333.34 元、省级 58,333.33 元、市级 58,333.33 元"


def test_no_items_is_nothing(pilot: ProgrammeVersion) -> None:
    assert quote(pilot, 3, []).explanation == ("可补助投资 0.00 元 → 补助 0.00 元",)


def test_a_version_without_share_or_caps(pilot: ProgrammeVersion) -> None:
    plain = dataclasses.replace(pilot, share_of_eligible_investment=None, cap_by_level={}, cap_per_project=None)
    result = quote(plain, 2, items(("software", "1234.56")))
    assert result.amount == D("1234.56")
    assert result.explanation[1:3] == ("可补助投资 1,234.56 元", "补助 1,234.56 元")


def test_every_input_problem_is_named_at_once(pilot: ProgrammeVersion) -> None:
    with pytest.raises(QuoteInputError) as caught:
        quote(pilot, 5, [CostItem("software", D("1.00")), CostItem("hardware", D("1.00")),
                         CostItem("cloud", D("-1.00")), CostItem("cloud", D("0.001"))], available=D("-5.00"))
    fields = [e.field for e in caught.value.errors]
    assert fields == ["level", "items.1.category", "items.2.amount", "items.3.amount", "available"]
    assert "software（软件）" in caught.value.errors[1].message


@pytest.mark.parametrize("level", [-1, 5, True, "2", 2.0])
def test_level_must_be_an_integer_from_0_to_4(pilot: ProgrammeVersion, level: object) -> None:
    with pytest.raises(QuoteInputError) as caught:
        quote(pilot, level, [])  # type: ignore[arg-type]
    assert [e.field for e in caught.value.errors] == ["level"]


CAPS = {2: D("300000.00"), 3: D("600000.00"), 4: D("1000000.00")}
categories = st.sampled_from(["software", "cloud", "data_hardware", "office_pc", "plc_software", "it_operations"])
cost_items = st.lists(st.builds(CostItem, categories, st.integers(0, 10**12).map(lambda c: D(c) / 100)), max_size=8)


@given(st.integers(0, 4), cost_items, st.none() | st.integers(0, 2 * 10**8).map(lambda c: D(c) / 100))
def test_quote_matches_the_rule_and_never_exceeds_a_cap(level: int, cost: list[CostItem], available: Decimal | None) -> None:
    version = programmes.load("demo-pilot").versions[0]
    result = quote(version, level, cost, available)
    eligible = sum((i.amount for i in cost if i.category in ("software", "cloud", "data_hardware")), D("0.00"))
    assert result.eligible_investment == eligible
    limits = [(eligible * D("0.5")).quantize(D("0.01"), rounding=ROUND_DOWN), CAPS.get(level, D("0.00"))]
    if available is not None:
        limits.append(available)
    assert result.amount == (min(limits) if level >= 2 else D("0.00"))
    assert sum(result.by_source.values()) == result.amount
    assert list(result.by_source) == ["central", "provincial", "municipal"]
