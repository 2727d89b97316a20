"""The expression language: what it accepts, what it refuses, and exactness in both engines."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from shuzhuan.policy.domain.expr import (
    BOOL,
    EvaluationError,
    ExprError,
    Num,
    compile_expr,
    evaluate,
    to_polars,
)

FACTS = {"amount": (Num(2), False), "level": (Num(0), False), "town": (BOOL.__class__("str"), False),
         "flag": (BOOL, False), "revenue": (Num(2), True)}
PARAMS = {"share": Decimal("0.20"), "cap_by_level": {2: Decimal("300000.00"), 3: Decimal("600000.00")},
          "towns": ["古镇", "小榄"], "cap": Decimal("5000000.00")}


def c(source: str):
    return compile_expr(source, FACTS, PARAMS, 2024)


@pytest.mark.parametrize("source", [
    "__import__('os')", "open('x')", "amount.__class__", "[x for x in towns]", "lambda: 1", "amount / 2",
    "amount ** 2", "amount // 2", "amount % 2", "p", "p.unknown", "unknown_fact", "revenue", "amount[2024]",
    "revenue[level]", "1e3", "min(amount)", "len(towns)", "amount and flag", "not amount", "town < '古镇'",
    "amount if flag else town", "level in p.share", "flag + 1", "p.share[level]", "x := 1", "f'{amount}'",
    "amount == town", "", "amount * amount * amount", "10000000000000000", "amount * 1e2", "amount * p.cap * p.cap",
])
def test_refused(source: str) -> None:
    with pytest.raises(ExprError):
        c(source)


def test_decimal_literals_are_read_from_the_text_not_a_float() -> None:
    compiled = c("amount * 0.1 + amount * 0.2")
    assert evaluate(compiled.node, {"amount": Decimal("0.10")}, PARAMS) == Decimal("0.030")
    assert compiled.type == Num(3)


def test_reads_report_facts_and_parameters_in_order() -> None:
    compiled = c("min(amount * p.share, p.cap_by_level[level]) if town in p.towns else revenue[2023]")
    assert compiled.facts == ("town", "amount", "level", "revenue[2023]")  # the condition is compiled first
    assert compiled.params == ("towns", "share", "cap_by_level")


def test_missing_lookup_key_is_an_error_not_a_guess() -> None:
    with pytest.raises(EvaluationError):
        evaluate(c("p.cap_by_level[level]").node, {"level": 1}, PARAMS)


@pytest.mark.parametrize(("source", "facts", "expected"), [
    ("amount * p.share", {"amount": Decimal("333.33")}, Decimal("66.666")),
    ("min(amount, p.cap) - 0.01", {"amount": Decimal("9000000.00")}, Decimal("4999999.99")),
    ("-amount + 1", {"amount": Decimal("2.50")}, Decimal("-1.50")),
    ("1 < level <= 3", {"level": 3}, True),
    ("1 < level <= 3", {"level": 4}, False),
    ("town not in p.towns or not flag", {"town": "古镇", "flag": True}, False),
    ("level in p.cap_by_level and p.cap_by_level[level] > 400000", {"level": 3}, True),
    ("level in [2, 4]", {"level": 4}, True),
    ("max(level, 2, 3) == 3", {"level": 1}, True),
    ("year - 2020", {}, 4),
])
def test_single_and_batch_agree(source: str, facts: dict, expected: object) -> None:
    compiled = c(source)
    assert evaluate(compiled.node, {**facts, "year": 2024}, PARAMS) == expected
    row = {"amount": [None], "level": [None], "town": [None], "flag": [None]}
    for key, value in facts.items():
        row[key] = [int(value * 100) if isinstance(value, Decimal) else value]
    frame = pl.DataFrame(row, schema={"amount": pl.Int64, "level": pl.Int64, "town": pl.Utf8, "flag": pl.Boolean})
    got = frame.select(to_polars(compiled.node, PARAMS, lambda k: pl.lit(2024) if k == "year" else pl.col(k))).item()
    if isinstance(expected, bool):
        assert got is expected
    else:
        assert Decimal(got).scaleb(-compiled.type.scale) == Decimal(expected)  # type: ignore[union-attr]
