"""The level subsidy is a policy of the one engine: the quote and the engine's batch run agree."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuzhuan.policy.domain.engine import amount_from_cents, evaluate_frame, to_frame
from shuzhuan.programs import programmes
from shuzhuan.programs.domain import CostItem, quote
from shuzhuan.programs.domain.quote import _FACTS, subsidy_policy

money = st.decimals(min_value=0, max_value=Decimal("5000000.00"), places=2, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("code", programmes.available())
def test_quote_equals_the_batch_engine(code: str) -> None:
    version = programmes.load(code).versions[0]
    category = next(iter(version.eligible_categories))

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.tuples(st.integers(0, 4), money, money | st.none()), min_size=1, max_size=25))
    def check(cases):
        for limited in (False, True):
            policy = subsidy_policy(version, limited)
            rows = {f"P{i}": {"level": level, "eligible_investment": amount, "available": available or Decimal("0")}
                    for i, (level, amount, available) in enumerate(cases)}
            batch = evaluate_frame(policy, version.effective_from, to_frame(rows, policy.facts, _FACTS))
            for row in batch.iter_rows(named=True):
                facts = rows[row["subject"]]
                quoted = quote(version, facts["level"], [CostItem(category, facts["eligible_investment"])],
                               facts["available"] if limited else None)
                assert amount_from_cents(row["amount_cents"]) == quoted.amount, (facts, limited)

    check()


def test_the_policy_cites_the_programme_file() -> None:
    version = programmes.load("demo-pilot").versions[0]
    policy = subsidy_policy(version, False)
    assert policy.parameters["cap_by_level"].source.document == "中工信规字〔2024〕5号"
    assert policy.parameters["cap_by_level"].value[3] == Decimal("600000.00")
