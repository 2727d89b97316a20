from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from shuzhuan.finance.domain.guarantee import compensate, guarantee_fee, recovery_split, refuse_pool_loan


def test_fee_pool_first_then_half_and_half():
    r = compensate(D("1000000.00"), D("200000.00"), D("250000000.00"))
    assert (r.from_fee_pool, r.from_deposit, r.borne_by_bank) == (D("200000.00"), D("400000.00"), D("400000.00"))
    assert (r.fee_pool_after, r.deposit_after) == (D("0.00"), D("249600000.00"))


def test_fee_pool_covers_everything():
    r = compensate(D("100.00"), D("100.00"), D("5.00"))
    assert (r.from_fee_pool, r.from_deposit, r.borne_by_bank, r.fee_pool_after) == (D("100.00"), D("0"), D("0"), D("0.00"))


def test_government_part_floors_to_the_cent_and_the_bank_takes_the_odd_cent():
    r = compensate(D("0.03"), D("0.00"), D("100.00"))
    assert (r.from_deposit, r.borne_by_bank) == (D("0.01"), D("0.02"))
    r = compensate(D("100.00"), D("0.00"), D("100.00"), D("0.3333"))
    assert (r.from_deposit, r.borne_by_bank) == (D("33.33"), D("66.67"))


def test_government_part_capped_by_the_deposit():
    r = compensate(D("1000.00"), D("100.00"), D("300.00"))
    assert (r.from_fee_pool, r.from_deposit, r.borne_by_bank, r.deposit_after) == (D("100.00"), D("300.00"), D("600.00"),
                                                                                  D("0.00"))
    r = compensate(D("1000.00"), D("100.00"), D("450.00"))  # exactly the share
    assert (r.from_deposit, r.deposit_after) == (D("450.00"), D("0.00"))


def test_recoveries_flow_back_pro_rata():
    assert recovery_split(D("100.00"), D("200.00"), D("400.00"), D("400.00")) == (D("20.00"), D("40.00"), D("40.00"))
    assert recovery_split(D("0.01"), D("1.00"), D("1.00"), D("1.00")) == (D("0.00"), D("0.00"), D("0.01"))
    with pytest.raises(ValueError):
        recovery_split(D("3.01"), D("1.00"), D("1.00"), D("1.00"))


def test_pool_limits_and_fee():
    assert refuse_pool_loan(D("15000000.00"), D("0"), D("0"), D("250000000.00")) is None
    assert "每户每年" in refuse_pool_loan(D("0.01"), D("15000000.00"), D("0"), D("250000000.00"))
    assert refuse_pool_loan(D("1.00"), D("0"), D("2499999999.00"), D("250000000.00")) is None
    assert "10 倍" in refuse_pool_loan(D("1.01"), D("0"), D("2499999999.00"), D("250000000.00"))
    assert guarantee_fee(D("1000000.00")) == D("20000.00")
    assert guarantee_fee(D("1000000.00"), days=100) == D("5479.45")  # 5479.452… floored


@pytest.mark.django_db
def test_quote_api(world, login):
    c = login(world.users["bank_a"])
    r = c.post("/api/v1/finance/guarantee/compensation-quote", content_type="application/json",
               data=json.dumps({"loss": "1000.00", "fee_pool": "100.00", "deposit": "300.00"}))
    assert r.status_code == 200
    assert {k: v for k, v in r.json().items() if k != "explanation"} == {
        "from_fee_pool": "100.00", "from_deposit": "300.00", "borne_by_bank": "600.00", "fee_pool_after": "0.00",
        "deposit_after": "0.00"}
    r = c.post("/api/v1/finance/guarantee/compensation-quote", content_type="application/json",
               data=json.dumps({"loss": "10.00", "fee_pool": "0", "deposit": "100.00", "government_share": "0.30"}))
    assert r.json()["from_deposit"] == "3.00" and r.json()["borne_by_bank"] == "7.00"
    for bad, field in (({"loss": "-1.00"}, "loss"), ({"government_share": "1.5"}, "government_share"),
                       ({"deposit": "1.001"}, "deposit")):
        body = {"loss": "10.00", "fee_pool": "0", "deposit": "100.00", **bad}
        r = c.post("/api/v1/finance/guarantee/compensation-quote", content_type="application/json", data=json.dumps(body))
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field


@pytest.mark.django_db
def test_pool_limits_fees_and_a_compensation_on_the_ledger(world):
    import datetime as dt

    from shuzhuan.finance import guarantee
    from shuzhuan.finance.models import BankProfile, GuaranteePool
    from shuzhuan.funds import services as ledger

    pool = GuaranteePool.objects.create(code="zbd-unit", name="助保贷（单元）")
    guarantee.fund_deposit(None, pool, D("2000000.00"))
    bank = BankProfile.objects.create(organisation=world.orgs["bank_a"])
    firm = world.enterprises["a"]
    loan = guarantee.register_loan(None, pool, firm, bank, D("15000000.00"), dt.date(2024, 2, 1))
    assert loan.fee == D("300000.00") and guarantee.balances(pool)["fee_pool"] == D("300000.00")
    with pytest.raises(guarantee.PoolError, match="每户每年"):
        guarantee.register_loan(None, pool, firm, bank, D("0.01"), dt.date(2024, 12, 31))
    guarantee.register_loan(None, pool, firm, bank, D("5000000.00"), dt.date(2025, 1, 2))  # a new year
    with pytest.raises(guarantee.PoolError, match="10 倍"):  # 20m outstanding of a 20m ceiling
        guarantee.register_loan(None, pool, world.enterprises["b"], bank, D("0.01"), dt.date(2025, 1, 3))
    comp = guarantee.compensate(None, loan, D("1300000.00"))
    # fee pool 400,000.00 first (300,000 + 100,000), then 900,000 half-half: 450,000 from the deposit
    assert (comp.from_fee_pool, comp.from_deposit, comp.borne_by_bank) == (D("400000.00"), D("450000.00"),
                                                                           D("450000.00"))
    assert guarantee.balances(pool)["deposit"] == D("1550000.00")
    with pytest.raises(guarantee.PoolError, match="已代偿"):
        guarantee.compensate(None, loan, D("1.00"))
    assert ledger.reconcile().clean


@pytest.mark.django_db
def test_pool_page_shows_balances_and_quarters_to_the_city_only(world, login):
    import datetime as dt

    from shuzhuan.finance import guarantee
    from shuzhuan.finance.models import BankProfile, GuaranteePool

    pool = GuaranteePool.objects.create(code="zbd-page", name="助保贷（页面）")
    guarantee.fund_deposit(None, pool, D("250000000.00"))
    bank = BankProfile.objects.create(organisation=world.orgs["bank_a"])
    guarantee.register_loan(None, pool, world.enterprises["a"], bank, D("3000000.00"), dt.date(2024, 2, 1))
    guarantee.register_loan(None, pool, world.enterprises["b"], bank, D("1000000.00"), dt.date(2024, 3, 31))
    guarantee.register_loan(None, pool, world.enterprises["b"], bank, D("1000000.00"), dt.date(2024, 4, 1))
    assert [(q["quarter"], q["firms"], q["amount"]) for q in guarantee.quarterly(pool)] == [
        ("2024 年第 1 季度", 2, D("4000000.00")), ("2024 年第 2 季度", 1, D("1000000.00"))]
    text = login(world.users["city"]).get("/finance/guarantee/").content.decode()
    assert "助保贷（页面）" in text and "2024 年第 1 季度" in text
    assert login(world.users["town_a"]).get("/finance/guarantee/").status_code == 403
