"""The seed's table from records, by filing year, on a page with a chart and as XLSX."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from shuzhuan.finance import statistics
from shuzhuan.finance.domain import filing as fd
from shuzhuan.finance.models import BankProfile, Filing, Loan, LoanProduct

pytestmark = pytest.mark.django_db


def test_figures_by_year_from_records_page_and_export(world, login):
    bank = BankProfile.objects.create(organisation=world.orgs["bank_a"])
    LoanProduct.objects.create(bank=bank, name="技改贷", rate_min=D("3.00"), rate_max=D("4.00"), term_months_min=12,
                               term_months_max=36, amount_min=D("1.00"), amount_max=D("100.00"), published=True)
    for n, (ent, year, demand, credit, disbursed) in enumerate([
            ("a", 2023, "3000000.00", "2000000.00", "1500000.00"), ("b", 2023, "1000000.00", None, "0.00"),
            ("a", 2024, "500000.00", "500000.00", "500000.00")]):
        filing = Filing.objects.create(
            enterprise=world.enterprises[ent], number=f"SZD-{year}-00000{n}", state=fd.LOAN_APPLIED, title="t",
            approval_number=f"x{n}", provider_name="p", contract_amount=D("9000000.00"), items={},
            investment=D(demand) * 2, loan_demand=D(demand), filed_on=dt.date(year, 5, 1))
        Loan.objects.create(filing=filing, enterprise=world.enterprises[ent], bank=bank, reference=f"R{n}",
                            requested_amount=D(demand), applied_on=dt.date(year, 6, 1),
                            credit_amount=D(credit) if credit else None, disbursed=D(disbursed))
    rows = statistics.yearly(world.users["city"])
    assert [(r["year"], r["filings"], r["demand"], r["credit"], r["disbursed"], r["investment"]) for r in rows] == [
        (2023, 2, D("4000000.00"), D("2000000.00"), D("1500000.00"), D("8000000.00")),
        (2024, 1, D("500000.00"), D("500000.00"), D("500000.00"), D("1000000.00"))]
    assert rows[0]["banks"] == 1 and rows[0]["products"] == 1
    assert statistics.chart(rows)["series"]["demand"] == ["400.00", "50.00"]
    town = statistics.yearly(world.users["town_b"])  # the town sees its own firms' filings only
    assert [(r["year"], r["filings"]) for r in town] == [(2023, 1)]
    c = login(world.users["city"])
    page = c.get("/finance/statistics/").content.decode()
    assert "finance-chart" in page and "400.00" in page
    book = load_workbook(io.BytesIO(c.get("/finance/statistics/export.xlsx").content))
    values = list(book.active.values)
    assert values[1][:6] == (2023, 2, 4000000, 2000000, 1500000, 8000000)
    assert login(world.users["ent_a"]).get("/finance/statistics/").status_code == 403
