"""Quarterly 免申即享 interest-subsidy claims: computed from reported repayments, offered, confirmed and
approved through the policy app's services, paid from the interest budget line; once per quarter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied

from shuzhuan.core import periodic
from shuzhuan.core.models import AuditEntry
from shuzhuan.finance import claims, services
from shuzhuan.finance.domain import filing as fd
from shuzhuan.finance.models import BankProfile, Filing, InterestClaim
from shuzhuan.funds.models import LedgerTransaction
from shuzhuan.policy import services as policy_services
from shuzhuan.policy.models import EntitlementStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(world):
    bank = BankProfile.objects.create(organisation=world.orgs["bank_a"])
    filing = Filing.objects.create(
        enterprise=world.enterprises["a"], number="SZD-2025-000077", state=fd.FILED, title="产线",
        approval_number="2501-7", provider_name="甲", contract_amount=D("8000000.00"),
        items={"production_lines": "6000000.00"}, investment=D("6000000.00"), loan_demand=D("5000000.00"),
        filed_on=dt.date(2025, 1, 10))
    filing.intended_banks.set([bank])
    bank_user = world.users["bank_a"]
    loan = services.apply_loan(bank_user, "SZD-2025-000077", reference="Q-1", amount=D("5000000.00"),
                               applied_on=dt.date(2025, 1, 20))
    loan = services.grant(bank_user, loan, amount=D("4000000.00"), rate=D("3.45"), term_months=36, on=dt.date(2025, 1, 25))
    return services.disburse(bank_user, loan, amount=D("4000000.00"), on=dt.date(2025, 2, 1))


def repay(world, loan, on, interest):
    return services.repay(world.users["bank_a"], loan, principal=D("0"), interest=D(interest), on=on)


def test_quarter_bounds_and_previous_quarter():
    assert claims.quarter_bounds(2025, 1) == (dt.date(2025, 1, 1), dt.date(2025, 4, 1))
    assert claims.quarter_bounds(2025, 4) == (dt.date(2025, 10, 1), dt.date(2026, 1, 1))
    assert claims.previous_quarter(dt.date(2026, 1, 2)) == (2025, 4)
    assert claims.previous_quarter(dt.date(2025, 7, 1)) == (2025, 2)
    with pytest.raises(claims.ClaimError):
        claims.quarter_bounds(2025, 5)


def test_a_quarter_claims_the_interest_paid_in_it_then_the_enterprise_confirms_and_the_city_pays(world, loan):
    repay(world, loan, dt.date(2025, 3, 1), "11500.00")
    repay(world, loan, dt.date(2025, 3, 31), "11500.01")
    repay(world, loan, dt.date(2025, 4, 1), "999.00")  # next quarter: not in Q1's claim
    city = world.users["city"]
    run = claims.run_quarter(city, 2025, 1)
    claim = InterestClaim.objects.get()
    assert (claim.enterprise, claim.year, claim.quarter, claim.amount) == (world.enterprises["a"], 2025, 1, D("23000.01"))
    assert run.period == 20251 and run.summary["total"] == "23000.01" and claim.entitlement.run == run
    assert AuditEntry.objects.filter(action="finance.interest_claims").count() == 1

    assert claims.run_quarter(city, 2025, 1) is None  # idempotent per enterprise and quarter
    assert InterestClaim.objects.count() == 1

    assert policy_services.offer(city, run) == 1
    entitlement = claim.entitlement
    entitlement.refresh_from_db()
    policy_services.confirm(world.users["ent_a"], entitlement, "6222020200112233")
    with pytest.raises(claims.ClaimError, match="审批"):
        claims.pay(city, claim)  # confirmed, not yet approved
    policy_services.approve(city, entitlement)

    with pytest.raises(claims.ClaimError, match="余额不足"):
        claims.pay(city, claim)  # no budget: nothing moves
    assert claims.budget() == {"available": D("0.00"), "paid": D("0.00")}
    claims.fund_budget(city, D("23000.00"))
    with pytest.raises(claims.ClaimError, match="余额不足"):
        claims.pay(city, claim)  # one cent short: never overspent
    claims.fund_budget(city, D("100000.00"))
    with pytest.raises(PermissionDenied):
        claims.pay(world.users["town_a"], claim)
    paid = claims.pay(city, claim)
    assert paid.transaction.reference == f"interest-claim:{claim.pk}"
    assert paid.entitlement.status == EntitlementStatus.PAID
    assert claims.budget() == {"available": D("100000.00") + D("23000.00") - D("23000.01"), "paid": D("23000.01")}
    with pytest.raises(claims.ClaimError, match="已支付"):
        claims.pay(city, claim)
    assert LedgerTransaction.objects.filter(reference=f"interest-claim:{claim.pk}").count() == 1


def test_the_next_quarter_claims_only_the_rest_and_late_reports_are_picked_up(world, loan):
    repay(world, loan, dt.date(2025, 3, 15), "100.00")
    claims.run_quarter(None, 2025, 1)
    # a late report dated in Q1, and Q2's own interest
    repay(world, loan, dt.date(2025, 3, 30), "0.50")
    repay(world, loan, dt.date(2025, 6, 30), "200.25")
    claims.run_quarter(None, 2025, 2)
    q2 = InterestClaim.objects.get(quarter=2)
    assert q2.amount == D("200.75") and q2.cumulative == D("300.75")
    assert claims.run_quarter(None, 2025, 3) is None  # nothing new in Q3


def test_an_excluded_claim_does_not_count_as_claimed_before(world, loan):
    repay(world, loan, dt.date(2025, 2, 15), "40.00")
    run = claims.run_quarter(None, 2025, 1)
    entitlement = run.entitlements.get()
    policy_services.exclude(world.users["town_a"], entitlement, "材料不全")
    repay(world, loan, dt.date(2025, 5, 15), "10.00")
    claims.run_quarter(None, 2025, 2)
    assert InterestClaim.objects.get(quarter=2).amount == D("50.00")


def test_interest_outside_the_window_is_not_claimed(world, loan):
    repay(world, loan, dt.date(2025, 3, 1), "10.00")
    assert claims.compute_quarter(2024, 4) == {}  # before any repayment
    assert claims.compute_quarter(2025, 1)[world.enterprises["a"].pk]["amount"] == D("10.00")
    claims.run_quarter(None, 2025, 1)
    repay(world, loan, dt.date(2027, 5, 10), "7.00")  # the window's last day
    repay(world, loan, dt.date(2027, 5, 11), "9.00")  # the window ends (exclusive)
    claims.run_quarter(None, 2027, 2)
    assert InterestClaim.objects.get(year=2027).amount == D("7.00")


def test_only_the_city_runs_claims_and_the_task_is_registered(world, loan):
    with pytest.raises(PermissionDenied):
        claims.run_quarter(world.users["town_a"], 2025, 1)
    assert "finance.interest_claims" in {entry.name for entry in periodic.registered()}
    repay(world, loan, dt.date(2025, 3, 1), "10.00")
    assert claims.run_previous_quarter(dt.date(2025, 4, 2)) is not None
    assert claims.run_previous_quarter(dt.date(2025, 4, 3)) is None


def test_the_city_runs_funds_and_pays_on_the_claims_page(world, loan, login):
    repay(world, loan, dt.date(2025, 5, 5), "321.00")
    town = login(world.users["town_a"])
    assert town.post("/finance/interest-claims/run/", {"year": "2025", "quarter": "2"}).status_code == 403
    city = login(world.users["city"])
    r = city.post("/finance/interest-claims/run/", {"year": "2025", "quarter": "2"})
    claim = InterestClaim.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/policy/runs/{claim.entitlement.run_id}/"
    r = city.post("/finance/interest-claims/run/", {"year": "x", "quarter": "2"}, follow=True)
    assert "请填写年度和季度" in r.content.decode()
    assert city.post("/finance/interest-claims/budget/", {"amount": "1,000.00"}).status_code == 302
    assert city.post("/finance/interest-claims/budget/", {"amount": "-1"}, follow=True).status_code == 200
    assert claims.budget()["available"] == D("1000.00")
    policy_services.offer(world.users["city"], claim.entitlement.run)
    claim.entitlement.refresh_from_db()
    policy_services.confirm(world.users["ent_a"], claim.entitlement, "6222020200112233")
    policy_services.approve(world.users["city"], claim.entitlement)
    page = city.get("/finance/interest-claims/").content.decode()
    assert f"/finance/interest-claims/{claim.pk}/pay/" in page
    assert city.get(f"/finance/interest-claims/{claim.pk}/pay/").status_code == 405
    city.post(f"/finance/interest-claims/{claim.pk}/pay/")
    claim.refresh_from_db()
    assert claim.transaction is not None and claims.budget()["paid"] == D("321.00")
    mine = login(world.users["ent_a"]).get("/finance/interest-claims/").content.decode()
    assert "321.00" in mine and "/pay/" not in mine
    assert "321.00" not in login(world.users["ent_b"]).get("/finance/interest-claims/").content.decode()
