"""A bank's work queue on its home: filings naming it with no loan of its own yet, and loans whose
monthly repayment report is due; the city's approved interest claims waiting for payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from shuzhuan.core import todo as registry
from shuzhuan.finance import services
from shuzhuan.finance.domain import filing as fd
from shuzhuan.finance.models import BankProfile, Filing, Loan

pytestmark = pytest.mark.django_db


@pytest.fixture
def filing(world):
    bank = BankProfile.objects.create(organisation=world.orgs["bank_a"])
    BankProfile.objects.create(organisation=world.orgs["bank_b"])
    filing = Filing.objects.create(
        enterprise=world.enterprises["a"], number="SZD-2026-000101", state=fd.FILED, title="产线",
        approval_number="2601-1", provider_name="甲", contract_amount=D("8000000.00"),
        items={"production_lines": "6000000.00"}, investment=D("6000000.00"), loan_demand=D("5000000.00"),
        filed_on=dt.date.today() - dt.timedelta(days=60))
    filing.intended_banks.set([bank])
    return filing


def items(user):
    return registry.items_for(SimpleNamespace(user=user))


def test_the_bank_sees_the_filing_to_take_up_until_it_reports_a_loan(world, filing, login):
    kinds = [(i.kind, i.title) for i in items(world.users["bank_a"])]
    assert ("备案待受理", f"SZD-2026-000101 {world.enterprises['a']}") in kinds
    from conftest import make_user

    other = make_user("bank_b", "bank", organisation=world.orgs["bank_b"])
    assert not [i for i in items(other) if i.kind == "备案待受理"]  # not named: not its work
    home = login(world.users["bank_a"]).get("/").content.decode()
    assert "SZD-2026-000101" in home
    today = dt.date.today()
    services.apply_loan(world.users["bank_a"], filing.number, reference="T-1", amount=D("1000000.00"), applied_on=today)
    assert not [i for i in items(world.users["bank_a"]) if i.kind == "备案待受理"]


def test_a_loan_without_a_report_for_a_month_is_due(world, filing):
    bank_user = world.users["bank_a"]
    old = dt.date.today() - dt.timedelta(days=40)
    loan = services.apply_loan(bank_user, filing.number, reference="T-2", amount=D("1000000.00"), applied_on=old)
    services.grant(bank_user, loan, amount=D("1000000.00"), rate=D("3.00"), term_months=12, on=old)
    loan = services.disburse(bank_user, loan, amount=D("1000000.00"), on=old)
    due = [i for i in items(bank_user) if i.kind == "还款待报送"]
    assert len(due) == 1 and due[0].due == old + dt.timedelta(days=31) and due[0].overdue(dt.date.today())
    services.repay(bank_user, Loan.objects.get(pk=loan.pk), principal=D("0"), interest=D("2500.00"), on=dt.date.today())
    assert not [i for i in items(bank_user) if i.kind == "还款待报送"]
    assert not [i for i in items(world.users["town_a"]) if i.category == "finance"]
