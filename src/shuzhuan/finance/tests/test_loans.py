from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from shuzhuan.core.models import AuditEntry
from shuzhuan.finance import services
from shuzhuan.finance.domain import filing as fd
from shuzhuan.finance.domain import loan as ld
from shuzhuan.finance.models import BankProfile, Filing, IdempotencyRecord, Loan
from shuzhuan.registry.models import Enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(world):
    bank = BankProfile.objects.create(organisation=world.orgs["bank_a"])
    BankProfile.objects.create(organisation=world.orgs["bank_b"])
    filing = Filing.objects.create(
        enterprise=world.enterprises["a"], number="SZD-2025-000042", state=fd.FILED, title="灯饰产线",
        approval_number="2501-1", provider_name="甲", contract_amount=Decimal("8000000.00"),
        items={"production_lines": "6000000.00"}, investment=Decimal("6000000.00"), loan_demand=Decimal("5000000.00"),
        filed_on=dt.date(2025, 1, 10))
    filing.intended_banks.set([bank])
    return filing


def post(c, url, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return c.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_bank_reports_a_loan_end_to_end_through_the_api(world, filed, login):
    c = login(world.users["bank_a"])
    r = post(c, "/api/v1/finance/loans", {"filing_number": "SZD-2025-000042", "reference": "GZ-001",
                                          "amount": "5000000.00", "applied_on": "2025-02-01"})
    assert r.status_code == 200, r.content
    loan_id = r.json()["id"]
    filed.refresh_from_db()
    assert filed.state == fd.LOAN_APPLIED and r.json()["state"] == "applied"
    assert Enterprise.objects.visible_to(world.users["bank_a"]).count() == 1
    r = post(c, f"/api/v1/finance/loans/{loan_id}/grant", {"amount": "4000000.00", "rate": "3.45", "term_months": 36,
                                                          "on": "2025-02-10"})
    assert r.json()["credit_amount"] == "4000000.00" and r.json()["state"] == "granted"
    r = post(c, f"/api/v1/finance/loans/{loan_id}/disbursements", {"amount": "3000000.00", "on": "2025-02-15"})
    assert r.json()["state"] == "active" and r.json()["outstanding"] == "3000000.00"
    r = post(c, f"/api/v1/finance/loans/{loan_id}/disbursements", {"amount": "1000000.01", "on": "2025-03-01"})
    assert r.status_code == 422 and "超过授信金额" in r.json()["message"]
    r = post(c, f"/api/v1/finance/loans/{loan_id}/repayments", {"on": "2025-03-15", "principal": "0",
                                                               "interest": "8625.00"})
    assert r.json()["interest_paid"] == "8625.00"
    r = post(c, f"/api/v1/finance/loans/{loan_id}/repayments", {"on": "2025-03-01", "principal": "0",
                                                               "interest": "1.00"})
    assert r.status_code == 422 and "不能早于上一次报送" in r.json()["message"]
    r = post(c, f"/api/v1/finance/loans/{loan_id}/repayments", {"on": "2025-04-15", "principal": "3000000.01",
                                                               "interest": "1.00"})
    assert r.status_code == 422 and "超过贷款余额" in r.json()["message"]
    r = post(c, f"/api/v1/finance/loans/{loan_id}/repayments", {"on": "2025-04-15", "principal": "3000000.00",
                                                               "interest": "8625.00"})
    body = r.json()
    assert body["state"] == "settled" and body["outstanding"] == "0.00" and body["interest_paid"] == "17250.00"
    assert [x["interest"] for x in body["repayments"]] == ["8625.00", "8625.00"]
    actions = list(AuditEntry.objects.filter(target_type="finance.loan").order_by("id").values_list("action", flat=True))
    assert actions == ["finance.loan.apply", "finance.loan.grant", "finance.loan.disburse", "finance.loan.repay",
                       "finance.loan.repay"]
    # the enterprise sees its loan on its pages; another bank does not
    assert "GZ-001" in login(world.users["ent_a"]).get("/finance/loans/").content.decode()


def test_validation_names_the_field(world, filed, login):
    c = login(world.users["bank_a"])
    r = post(c, "/api/v1/finance/loans", {"filing_number": "SZD-2025-000042", "reference": "GZ-001",
                                          "amount": "-1.00", "applied_on": "2025-02-30"})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"amount", "applied_on"}
    r = post(c, "/api/v1/finance/loans", {"filing_number": "SZD-2025-000043", "reference": "GZ-001",
                                          "amount": "1.00", "applied_on": "2025-02-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "filing"


def test_only_the_named_bank_may_quote_the_filing(world, filed, login):
    from conftest import make_user

    other = make_user("bank_b", "bank", organisation=world.orgs["bank_b"])
    with pytest.raises(services.FinanceError, match="未找到列明本行的备案"):
        services.apply_loan(other, filed.number, reference="X", amount=Decimal("1.00"), applied_on=dt.date(2025, 2, 1))
    loan = services.apply_loan(world.users["bank_a"], filed.number, reference="X", amount=Decimal("1.00"),
                               applied_on=dt.date(2025, 2, 1))
    with pytest.raises(services.FinanceError, match="本行"):
        services.grant(other, loan, amount=Decimal("1.00"), rate=Decimal("3"), term_months=12, on=dt.date(2025, 2, 2))
    assert login(other).get(f"/api/v1/finance/loans/{loan.pk}").status_code == 404
    assert login(other).get(f"/finance/loans/{loan.pk}/").status_code == 404


def test_void_or_rejected_filings_take_no_application(world, filed):
    filed.state = fd.VOID
    filed.save()
    with pytest.raises(services.FinanceError, match="已失效"):
        services.apply_loan(world.users["bank_a"], filed.number, reference="X", amount=Decimal("1.00"),
                            applied_on=dt.date(2025, 2, 1))


def test_overdue_default_and_guards(world, filed):
    bank = world.users["bank_a"]
    loan = services.apply_loan(bank, filed.number, reference="X", amount=Decimal("100.00"), applied_on=dt.date(2025, 2, 1))
    with pytest.raises(services.FinanceError):
        services.set_status(bank, loan, "overdue", dt.date(2025, 2, 2))  # not active yet
    with pytest.raises(services.FinanceError):
        services.disburse(bank, loan, amount=Decimal("1.00"), on=dt.date(2025, 2, 2))  # no credit yet
    services.grant(bank, loan, amount=Decimal("100.00"), rate=Decimal("4.00"), term_months=12, on=dt.date(2025, 2, 2))
    services.disburse(bank, loan, amount=Decimal("100.00"), on=dt.date(2025, 2, 3))
    assert services.set_status(bank, loan, "overdue", dt.date(2025, 4, 1)).state == ld.OVERDUE
    assert services.set_status(bank, loan, "cure", dt.date(2025, 4, 5)).state == ld.ACTIVE
    services.set_status(bank, loan, "overdue", dt.date(2025, 5, 1))
    assert services.set_status(bank, loan, "default", dt.date(2025, 8, 1)).state == ld.DEFAULT
    with pytest.raises(services.FinanceError):
        services.set_status(bank, loan, "cure", dt.date(2025, 8, 2))


def test_domain_guards():
    facts = ld.LoanFacts(ld.GRANTED, dt.date(2025, 1, 1), Decimal("10.00"), dt.date(2025, 1, 5))
    assert ld.refuse_disbursement(facts, Decimal("10.00"), dt.date(2025, 1, 5)) is None
    assert "超过授信金额" in ld.refuse_disbursement(facts, Decimal("10.01"), dt.date(2025, 1, 5))
    assert "早于授信日期" in ld.refuse_disbursement(facts, Decimal("1.00"), dt.date(2025, 1, 4))
    assert "两位小数" in ld.refuse_disbursement(facts, Decimal("1.001"), dt.date(2025, 1, 6))
    active = ld.LoanFacts(ld.ACTIVE, dt.date(2025, 1, 1), Decimal("10.00"), dt.date(2025, 1, 5), Decimal("10.00"))
    assert ld.state_after_repayment(active, Decimal("10.00")) == ld.SETTLED
    assert ld.state_after_repayment(active, Decimal("9.99")) == ld.ACTIVE
    assert "不能同时为 0" in ld.refuse_repayment(active, Decimal("0"), Decimal("0"), dt.date(2025, 2, 1))


def test_idempotency_key_replays_the_first_answer_and_refuses_another_body(world, filed, login):
    c = login(world.users["bank_a"])
    body = {"filing_number": "SZD-2025-000042", "reference": "GZ-009", "amount": "100.00", "applied_on": "2025-02-01"}
    first = post(c, "/api/v1/finance/loans", body, key="k-1")
    again = post(c, "/api/v1/finance/loans", body, key="k-1")
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert Loan.objects.count() == 1 and AuditEntry.objects.filter(action="finance.loan.apply").count() == 1
    clash = post(c, "/api/v1/finance/loans", dict(body, amount="200.00"), key="k-1")
    assert clash.status_code == 409 and clash.json()["errors"][0]["field"] == "Idempotency-Key"
    loan_id = first.json()["id"]
    grant = {"amount": "100.00", "rate": "3.00", "term_months": 12, "on": "2025-02-02"}
    a = post(c, f"/api/v1/finance/loans/{loan_id}/grant", grant, key="k-2")
    b = post(c, f"/api/v1/finance/loans/{loan_id}/grant", grant, key="k-2")
    assert a.status_code == b.status_code == 200 and a.json() == b.json()
    # without a key a second grant is refused by the guard, not replayed
    assert post(c, f"/api/v1/finance/loans/{loan_id}/grant", grant).status_code == 422
    # a refused request stores nothing: the key stays free
    assert post(c, f"/api/v1/finance/loans/{loan_id}/grant", grant, key="k-3").status_code == 422
    assert not IdempotencyRecord.objects.filter(key="k-3").exists()
