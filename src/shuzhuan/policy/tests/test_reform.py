"""What-if: a parameter diff on a version, evaluated against the baseline on the same population."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shuzhuan.policy import facts, library
from shuzhuan.policy.domain.engine import evaluate, to_frame
from shuzhuan.policy.domain.reform import reformed, what_if
from shuzhuan.policy.domain.values import FactInputError

ON = dt.date(2024, 5, 1)
D = Decimal


@pytest.fixture
def factory():
    facts.register_given()
    return library.load("zs-demo-factory").version_on(ON)


def test_a_parameter_diff_changes_the_amount_and_cites_the_draft(factory) -> None:
    reform = reformed(factory, {"cap": "6000000.00"}, facts.catalog())
    given = {"approved_amount": D("7000000.00"), "workshop_award_received": D("0.00")}
    assert evaluate(factory, ON, given, facts.catalog()).amount == D("5000000.00")
    assert evaluate(reform, ON, given, facts.catalog()).amount == D("6000000.00")
    assert reform.parameters["cap"].source.document == "改革方案（草案）"
    assert factory.parameters["cap"].value == D("5000000.00")  # the baseline is untouched


def test_a_changed_condition(factory) -> None:
    reform = reformed(factory, {}, facts.catalog(), conditions={0: "approved_amount > 1000000"})
    given = {"approved_amount": D("900000.00"), "workshop_award_received": D("0.00")}
    assert evaluate(factory, ON, given, facts.catalog()).eligible
    assert not evaluate(reform, ON, given, facts.catalog()).eligible


@pytest.mark.parametrize(("changes", "conditions", "field"), [
    ({"nope": "1"}, None, "parameters.nope"),
    ({"cap": 5.5}, None, "parameters.cap"),
    ({"cap": "abc"}, None, "parameters.cap"),
    ({}, {0: "approved_amount / 2"}, "conditions.0"),
])
def test_bad_reforms_name_the_field(factory, changes, conditions, field) -> None:
    with pytest.raises(FactInputError) as err:
        reformed(factory, changes, facts.catalog(), conditions)
    assert [e.field for e in err.value.errors] == [field]


def test_what_if_cost_gainers_and_losers_by_group(factory) -> None:
    rows = {
        "A": {"approved_amount": D("7000000.00"), "workshop_award_received": D("0.00"), "town": "古镇"},  # 5m → 4m
        "B": {"approved_amount": D("3000000.00"), "workshop_award_received": D("0.00"), "town": "古镇"},  # same
        "C": {"approved_amount": D("4500000.00"), "workshop_award_received": D("1000000.00"), "town": "小榄"},  # 3.5 → 3
        "D": {"approved_amount": D("0.00"), "workshop_award_received": D("0.00"), "town": "小榄"},  # none
    }
    catalog = {**facts.catalog()}
    catalog.setdefault("town", facts.FactSpec("town", "str", "镇街"))
    frame = to_frame(rows, [*factory.facts, "town"], catalog)
    result = what_if(factory, reformed(factory, {"cap": "4000000.00"}, facts.catalog()), ON, frame, ["town"])
    assert (result.cost_before, result.cost_after) == (D("11500000.00"), D("10000000.00"))
    assert result.cost_change == D("-1500000.00")
    assert (result.beneficiaries_before, result.beneficiaries_after, result.gainers, result.losers) == (3, 3, 0, 2)
    towns = {row["town"]: row for row in result.by_group["town"].iter_rows(named=True)}
    assert towns["古镇"]["losers"] == 1 and towns["小榄"]["losers"] == 1
    assert towns["古镇"]["after"] == 700_000_000  # cents: 4,000,000.00 + 3,000,000.00
