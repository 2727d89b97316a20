"""Properties: random sequences of ledger operations keep every invariant; the free balance is exact."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuzhuan.core.domain import CENT
from shuzhuan.core.money import split
from shuzhuan.funds import services
from shuzhuan.funds.domain import fits, largest_split_within
from shuzhuan.funds.models import Account, Commitment, LedgerTransaction
from shuzhuan.funds.tests.conftest import PILOT

SOURCES = ("central", "provincial", "municipal")
cents = st.integers(min_value=1, max_value=5_000_000).map(lambda c: Decimal(c) * CENT)
operation = st.one_of(
    st.tuples(st.just("allocate"), st.sampled_from(SOURCES), st.sampled_from(["direct_sme", "public_services"]), cents),
    st.tuples(st.just("commit"), st.integers(0, 5), cents),
    st.tuples(st.just("release"), st.integers(0, 5)),
    st.tuples(st.just("pay"), st.integers(0, 5)),
)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, max_size=25))
def test_random_operations_keep_the_invariants(officer, operations):
    with transaction.atomic():
        allocated = {source: Decimal("0.00") for source in SOURCES}
        paid = Decimal("0.00")
        for op in operations:
            kind, *args = op
            try:
                if kind == "allocate":
                    source, purpose, amount = args
                    services.allocate(PILOT, source, purpose, amount, officer)
                    allocated[source] += amount
                elif kind == "commit":
                    reference, amount = args
                    free = services.free_direct_balance(PILOT)
                    try:
                        parts = services.commit(PILOT, amount, f"project:{reference}", officer)
                    except services.InsufficientFunds:
                        assert amount > free  # refused only for lack of money
                    else:
                        assert sum(parts.values()) == amount and amount <= free
                elif kind == "release":
                    services.release(f"project:{args[0]}", officer, reason="退回")
                else:
                    paid += sum(services.pay(f"project:{args[0]}", officer).values())
            except services.InsufficientFunds:
                pass
            except services.LedgerError as exc:
                # Expected refusals only: the purpose rule, a reference already open / not open.
                assert any(words in str(exc) for words in ("不符合资金用途规定", "已有未结", "没有未结")), exc
            # After every step: nothing negative, every transaction balanced, balances = postings.
            result = services.reconcile()
            assert result.clean, result.messages()
        balances = services.balances(PILOT)
        for source in SOURCES:
            total = sum(sum(v.values()) for (s, _p), v in balances.items() if s == source)
            assert total == allocated[source]  # money is neither made nor lost
            direct, public = (services.allocated(PILOT, source)[p] for p in ("direct_sme", "public_services"))
            assert not services.purpose_check(PILOT, source, direct, public)
        assert sum(v["paid"] for v in balances.values()) == paid
        open_total = sum(Commitment.objects.filter(status="open").values_list("amount", flat=True))
        assert sum(v["committed"] for v in balances.values()) == open_total
        assert not Account.objects.exclude(bucket="funding").filter(balance__lt=0).exists()
        assert all(sum(p.amount for p in t.postings.all()) == 0 for t in LedgerTransaction.objects.all())
        transaction.set_rollback(True)


money = st.integers(min_value=0, max_value=600).map(lambda c: Decimal(c) * CENT)
weights = st.lists(st.sampled_from([1, 2, 3, Decimal("1.5"), Decimal("0.5")]), min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(weights=weights, data=st.data())
def test_largest_split_within_is_the_largest_that_fits(weights, data):
    shares = {f"s{i}": w for i, w in enumerate(weights)}
    limits = {key: data.draw(money) for key in shares}
    best = largest_split_within(limits, shares)
    assert fits(split(best, shares), limits)
    ceiling = sum(limits.values())
    for cents_ in range(int(best / CENT) + 1, int(ceiling / CENT) + 2):
        assert not fits(split(Decimal(cents_) * CENT, shares), limits)


def test_largest_split_within_examples():
    shares = {"central": 1, "provincial": 1, "municipal": 1}
    even = {k: Decimal("100.00") for k in shares}
    assert largest_split_within(even, shares) == Decimal("300.00")
    assert largest_split_within({**even, "municipal": Decimal("90.00")}, shares) == Decimal("270.02")
    assert largest_split_within({"central": Decimal("5.00")}, shares) == Decimal("0.01")
    assert largest_split_within({}, shares) == Decimal("0.00")
    assert largest_split_within(even, {}) == Decimal("0.00")
    # 3:1 splits 0.02 as 0.02 : 0.00, so only 0.01 fits two limits of 0.01.
    assert largest_split_within({"a": Decimal("0.01"), "b": Decimal("0.01")}, {"a": 3, "b": 1}) == Decimal("0.01")
    assert largest_split_within({"a": Decimal("1.50"), "b": Decimal("1.00")}, {"a": Decimal("1.5"), "b": 1}) == Decimal("2.50")
