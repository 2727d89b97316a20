"""Money parsing, the exact split across funding sources, and the 80 % / 20 % purpose rule."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuzhuan.core.money import MAX_AMOUNT, parse_fraction, parse_weight
from shuzhuan.programs.domain import MoneyError, PurposeRule, check_purpose_split, parse_money, split

D = Decimal
PILOT_RULE = PurposeRule(direct_sme_min=D("0.80"), public_services_max=D("0.20"), applies_to=("central",))


@pytest.mark.parametrize(("value", "expected"), [
    ("1200000.00", D("1200000.00")), ("5", D("5.00")), ("0.1", D("0.10")), ("0", D("0.00")), (7, D("7.00")),
    (D("1.5"), D("1.50")), (D("999999999999.99"), D("999999999999.99")), ("999999999999.99", MAX_AMOUNT),
])
def test_parse_money_accepts_strings_integers_and_decimals(value: object, expected: Decimal) -> None:
    parsed = parse_money(value)
    assert parsed == expected and parsed.as_tuple().exponent == -2


@pytest.mark.parametrize(("value", "message"), [
    ("1e3", "字符串"), ("abc", "字符串"), ("1,200", "字符串"), (" 5", "字符串"), ("", "字符串"), ("+5", "字符串"),
    ("1.234", "字符串"), ("-5", "负数"), ("-0.01", "负数"), (-1, "负数"), (D("-0.01"), "负数"), (D("-0"), "负数"),
    (1.5, "浮点数"), (1.0, "浮点数"), (True, "字符串"), (None, "字符串"), (D("NaN"), "字符串"), (D("Infinity"), "字符串"),
    (D("1.005"), "两位小数"), ("1000000000000.00", "不能超过"), (10**12, "不能超过"), (10**13, "不能超过"),
])
def test_parse_money_refuses_with_a_reason(value: object, message: str) -> None:
    with pytest.raises(MoneyError, match=message):
        parse_money(value)


def test_fractions_and_weights() -> None:
    assert parse_fraction("0.50") == D("0.50") and parse_fraction("1") == 1
    for bad in (0.5, "50%", "0", "1.01", "fifty", 1):
        with pytest.raises(MoneyError):
            parse_fraction(bad)
    assert parse_weight(2) == 2 and parse_weight("1.5") == D("1.5")
    for bad in (0, -1, "0", 1.5, True, "1:1"):
        with pytest.raises(MoneyError):
            parse_weight(bad)


@pytest.mark.parametrize(("amount", "shares", "expected"), [
    ("100.00", {"central": 1, "provincial": 1, "municipal": 1}, ["33.34", "33.33", "33.33"]),
    ("100.01", {"central": 1, "provincial": 1, "municipal": 1}, ["33.34", "33.34", "33.33"]),
    ("0.02", {"central": 1, "provincial": 1, "municipal": 1}, ["0.01", "0.01", "0.00"]),
    ("0.01", {"a": 2, "b": 1}, ["0.01", "0.00"]),
    ("0.01", {"a": 1, "b": 2}, ["0.01", "0.00"]),  # the first source gets the cent, whatever its weight
    ("10.00", {"a": 2, "b": 1}, ["6.67", "3.33"]),
    ("1000000.00", {"only": 1}, ["1000000.00"]),
    ("1.00", {"a": D("1.5"), "b": 1}, ["0.60", "0.40"]),
    ("0.00", {"a": 1, "b": 1}, ["0.00", "0.00"]),
    ("1.00", {"a": 7, "b": 3, "c": 13}, ["0.31", "0.13", "0.56"]),
])
def test_split_by_hand(amount: str, shares: dict[str, Decimal | int], expected: list[str]) -> None:
    parts = split(D(amount), shares)
    assert list(parts) == list(shares)
    assert [str(p) for p in parts.values()] == expected
    assert sum(parts.values()) == D(amount)


@pytest.mark.parametrize(("amount", "shares", "error"), [
    (D("1.00"), {}, ValueError), (D("-1.00"), {"a": 1}, ValueError), (D("1.001"), {"a": 1}, ValueError),
    (D("1.00"), {"a": 0}, ValueError), (D("1.00"), {"a": -1}, ValueError), (D("1.00"), {"a": 1.5}, TypeError),
    (D("1.00"), {"a": True}, TypeError),
])
def test_split_refuses_what_it_cannot_split_exactly(amount: Decimal, shares: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        split(amount, shares)


amounts = st.integers(min_value=0, max_value=100_000_000_000_000).map(lambda cents: D(cents) / 100)
weights = st.one_of(
    st.integers(min_value=1, max_value=1000),
    st.decimals(min_value=D("0.001"), max_value=D("1000"), places=3, allow_nan=False, allow_infinity=False),
)
share_maps = st.lists(weights, min_size=1, max_size=6).map(lambda ws: {f"s{i}": w for i, w in enumerate(ws)})


@given(amounts, share_maps)
def test_split_properties(amount: Decimal, shares: dict[str, Decimal | int]) -> None:
    parts = split(amount, shares)
    assert list(parts) == list(shares), "sources keep the programme's order"
    assert sum(parts.values()) == amount, "the parts add up exactly"
    total = sum(Fraction(w) for w in shares.values())
    cents = Fraction(amount) * 100
    extra = []
    for key, part in parts.items():
        assert part.as_tuple().exponent == -2
        exact = cents * Fraction(shares[key]) / total  # in cents
        delta = Fraction(part) * 100 - (exact.numerator // exact.denominator)
        assert delta in (0, 1), "each part is its exact share rounded down, plus at most one cent"
        assert abs(Fraction(part) * 100 - exact) < 1, "each part within one cent of its exact share"
        extra.append(delta)
    assert extra == sorted(extra, reverse=True), "the extra cents go to the first sources"


@given(amounts)
def test_split_one_to_one_to_one_is_even(amount: Decimal) -> None:
    parts = list(split(amount, {"central": 1, "provincial": 1, "municipal": 1}).values())
    assert max(parts) - min(parts) <= D("0.01") and parts == sorted(parts, reverse=True)


def test_purpose_rule_holds_at_exactly_80_20() -> None:
    assert check_purpose_split(D("80000000.00"), D("20000000.00"), PILOT_RULE) == []
    assert check_purpose_split(D("100000000.00"), D("0.00"), PILOT_RULE) == []
    assert check_purpose_split(D("0.00"), D("0.00"), PILOT_RULE) == []


def test_purpose_rule_one_cent_off_is_two_violations_in_words() -> None:
    assert check_purpose_split(D("7999999.99"), D("2000000.01"), PILOT_RULE, "中央") == [
        "中央资金：直接补助中小企业 7,999,999.99 元，不足总额 10,000,000.00 元的 80%（至少 8,000,000.00 元）",
        "中央资金：公共服务 2,000,000.01 元，超过总额 10,000,000.00 元的 20%（至多 2,000,000.00 元）",
    ]


def test_purpose_rule_limits_round_in_the_rules_favour() -> None:
    # Total 0.03: 80 % is 0.024 → at least 0.03; 20 % is 0.006 → at most 0.00.
    assert check_purpose_split(D("0.02"), D("0.01"), PILOT_RULE) == [
        "直接补助中小企业 0.02 元，不足总额 0.03 元的 80%（至少 0.03 元）",
        "公共服务 0.01 元，超过总额 0.03 元的 20%（至多 0.00 元）",
    ]
    assert check_purpose_split(D("0.03"), D("0.00"), PILOT_RULE) == []


def test_purpose_rule_refuses_negative_or_sub_cent_amounts() -> None:
    with pytest.raises(ValueError):
        check_purpose_split(D("-1.00"), D("1.00"), PILOT_RULE)
    with pytest.raises(ValueError):
        check_purpose_split(D("1.001"), D("1.00"), PILOT_RULE)
