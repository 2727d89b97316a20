"""Interest subsidy by hand: every window edge, cap and rounding edge of both policies."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from shuzhuan.finance.domain.interest import (
    InterestInputError,
    LoanInterest,
    Payment,
    Rules,
    compute,
    engine_facts,
)

D = Decimal


def rules(code: str) -> Rules:
    from shuzhuan.policy import library

    return Rules.from_parameters(library.load(code).versions[-1].values)


def loan(id_, principal, payments, investment=None):
    return LoanInterest(id_, D(principal), [Payment(dt.date.fromisoformat(d), D(i)) for d, i in payments],
                        D(investment) if investment is not None else None)


ZS = "zs-digital-loan-interest"
JM = "demo-jiangmen-style"


def test_zs_window_is_half_open():
    r = compute([loan("L1", "1000000.00", [("2022-05-10", "100.00"), ("2022-05-11", "200.00")])], rules(ZS))
    assert r.by_year == {2022: D("200.00")} and r.amount == D("200.00")
    r = compute([loan("L1", "1000000.00", [("2027-05-10", "50.00"), ("2027-05-11", "60.00")])], rules(ZS),
                first_subsidy_year=2025)
    assert r.by_year == {2027: D("50.00")}  # 2027 is subsidy year 3; the payment on 05-11 is outside
    assert any("60.00 元不予贴息" in line for line in r.explanation)


def test_zs_years_count_from_the_first_subsidised_year():
    pays = [("2023-03-01", "10.00"), ("2024-03-01", "10.00"), ("2025-03-01", "10.00"), ("2026-03-01", "10.00")]
    r = compute([loan("L1", "100.00", pays)], rules(ZS))
    assert r.by_year == {2023: D("10.00"), 2024: D("10.00"), 2025: D("10.00")} and r.amount == D("30.00")
    assert any("2026 年" in line and "已超过 3 个贴息年度" in line for line in r.explanation)
    r = compute([loan("L1", "100.00", pays)], rules(ZS), first_subsidy_year=2024)
    assert r.by_year == {2024: D("10.00"), 2025: D("10.00"), 2026: D("10.00")}  # 2023 precedes year 1
    # a year without interest still counts as a subsidy year (calendar years from the first)
    r = compute([loan("L1", "100.00", [("2023-03-01", "1.00"), ("2026-01-05", "1.00")])], rules(ZS))
    assert r.by_year == {2023: D("1.00")}


def test_zs_cap_per_year_is_over_all_loans():
    r = compute([loan("L1", "500000000.00", [("2024-06-20", "20000000.00"), ("2025-06-20", "15000000.00")]),
                 loan("L2", "300000000.00", [("2024-12-31", "10000000.01"), ("2025-06-20", "15000000.00")])],
                rules(ZS))
    assert r.by_year == {2024: D("30000000.00"), 2025: D("30000000.00")}  # one cent over; exactly at the cap
    assert r.amount == D("60000000.00")


def test_jiangmen_window_edges_and_declining_share():
    pays = [("2022-12-31", "100.00"), ("2023-01-01", "100.00"), ("2024-07-01", "100.00"), ("2025-12-31", "100.00"),
            ("2026-01-01", "100.00")]
    r = compute([loan("L1", "1000.00", pays, investment="1000.00")], rules(JM))
    assert r.by_year == {2023: D("90.00"), 2024: D("80.00"), 2025: D("70.00")} and r.amount == D("240.00")


def test_jiangmen_scales_by_investment_and_rounds_down_once_per_year():
    # 3,000,000 principal, 2,000,000 invested: interest × 2/3. 1000.01 × 2/3 × 90 % = 600.006 → 600.00
    r = compute([loan("L1", "3000000.00", [("2023-05-01", "1000.01")], investment="2000000.00")], rules(JM))
    assert r.by_year == {2023: D("600.00")}
    # once per year over all loans: (1.00 × 2/3 + 0.01) × 80 % = 0.54133… → 0.54
    # (rounding each loan first would give 0.53 + 0.00 = 0.53)
    r = compute([loan("L1", "3000000.00", [("2023-05-01", "0.01"), ("2024-05-01", "1.00")], investment="2000000.00"),
                 loan("L2", "100.00", [("2024-06-01", "0.01")], investment="500.00")], rules(JM))
    assert r.by_year[2024] == D("0.54")
    # investment above the principal: no scaling (min(investment, principal) = principal)
    r = compute([loan("L1", "100.00", [("2023-05-01", "10.01")], investment="999.00")], rules(JM))
    assert r.by_year == {2023: D("9.00")}  # 9.009 → 9.00


def test_jiangmen_total_cap_per_enterprise():
    r = compute([loan("L1", "50000000.00", [("2023-06-01", "1000000.00"), ("2024-06-01", "200000.00"),
                                            ("2025-06-01", "10.00")], investment="60000000.00")], rules(JM))
    assert r.by_year == {2023: D("900000.00"), 2024: D("100000.00"), 2025: D("0.00")}  # 160,000 capped to what is left
    assert r.amount == D("1000000.00")
    r = compute([loan("L1", "50000000.00", [("2023-06-01", "1111111.12")], investment="60000000.00")], rules(JM))
    assert r.by_year == {2023: D("1000000.00")}  # 1,000,000.008 → 1,000,000.00 → exactly the cap


def test_jiangmen_needs_the_investment():
    with pytest.raises(InterestInputError) as exc:
        compute([loan("L1", "100.00", [("2023-05-01", "1.00")]), ], rules(JM))
    assert exc.value.field == "loans.0.investment"


@pytest.mark.django_db
def test_the_engine_agrees_year_by_year_on_whole_cents():
    from shuzhuan.policy import facts, library
    from shuzhuan.policy.domain.engine import evaluate_policy

    for code, loans in (
        (ZS, [loan("L1", "1.00", [("2023-01-02", "12.34"), ("2024-02-02", "30000000.01"), ("2025-01-01", "7.00"),
                                  ("2026-01-01", "9.00")])]),
        (JM, [loan("L1", "10.00", [("2023-01-02", "1000.01"), ("2024-02-02", "1200000.00"), ("2025-03-03", "3.00")],
                   investment="10.00")]),
    ):
        policy = library.load(code)
        result = compute(loans, rules(code))
        awarded = D("0.00")
        for year in result.years:
            given = engine_facts(year, awarded)
            outcome = evaluate_policy(policy, dt.date(year.year, 6, 1), given, facts.catalog())
            assert outcome.eligible and outcome.amount == year.amount, (code, year)
            awarded += year.amount


def api(client, body):
    return client.post("/api/v1/finance/interest-subsidy/compute", data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_calculator_api(world, login):
    c = login(world.users["ent_a"])
    body = {"policy": ZS, "first_subsidy_year": 2024, "loans": [
        {"id": "L1", "principal": "5000000.00", "payments": [{"date": "2024-01-20", "interest": "14375.00"},
                                                             {"date": "2025-01-20", "interest": "14375.00"}]},
        {"id": "L2", "principal": "1000000.00", "payments": [{"date": "2025-02-20", "interest": "2875.50"}]}]}
    r = api(c, body)
    assert r.status_code == 200, r.content
    assert r.json()["amount"] == "31625.50" and r.json()["by_year"] == {"2024": "14375.00", "2025": "17250.50"}
    assert r.json()["explanation"]


@pytest.mark.django_db
@pytest.mark.parametrize("change, field", [
    ({"interest": "-1.00"}, "loans.0.payments.1.interest"),
    ({"interest": "1.001"}, "loans.0.payments.1.interest"),
    ({"interest": 1.5}, "loans.0.payments.1.interest"),
    ({"date": "2024-02-30"}, "loans.0.payments.1.date"),
])
def test_calculator_names_the_field(world, login, change, field):
    c = login(world.users["bank_a"])
    payments = [{"date": "2024-01-20", "interest": "1.00"}, {"date": "2024-02-20", "interest": "1.00", **change}]
    r = api(c, {"policy": ZS, "loans": [{"id": "L1", "principal": "100.00", "payments": payments}]})
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == [field]


@pytest.mark.django_db
def test_calculator_refuses_unknown_policies_and_missing_investment(world, login):
    c = login(world.users["bank_a"])
    one = [{"id": "L1", "principal": "100.00", "payments": [{"date": "2024-01-20", "interest": "1.00"}]}]
    for code in ("no-such-policy", "zs-retrofit", "../etc"):
        r = api(c, {"policy": code, "loans": one})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "policy"
    r = api(c, {"policy": JM, "loans": one})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "loans.0.investment"
    r = api(c, {"policy": JM, "loans": [dict(one[0], investment="50.00")]})
    assert r.status_code == 200 and r.json()["by_year"] == {"2024": "0.45"}  # 1.00 × 50/100 × 90 % = 0.45
