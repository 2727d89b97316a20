from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from shuzhuan.core.models import Job
from shuzhuan.finance import services
from shuzhuan.finance.models import Loan, Repayment
from shuzhuan.finance.tests.test_loans import filed  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def xlsx(rows) -> bytes:
    import io

    wb = Workbook()
    wb.active.append(["业务编号", "还款日期", "还款本金", "实付利息"])
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def active_loan(world, filed):  # noqa: F811
    bank = world.users["bank_a"]
    loan = services.apply_loan(bank, filed.number, reference="GZ-001", amount=Decimal("1000000.00"),
                               applied_on=dt.date(2025, 2, 1))
    services.grant(bank, loan, amount=Decimal("1000000.00"), rate=Decimal("3.60"), term_months=12, on=dt.date(2025, 2, 2))
    return services.disburse(bank, loan, amount=Decimal("1000000.00"), on=dt.date(2025, 2, 3))


def upload(c, content: bytes):
    file = SimpleUploadedFile("还款.xlsx", content, content_type="application/octet-stream")
    response = c.post("/finance/loans/import/", {"file": file})
    assert response.status_code == 302, response.content.decode()[:500]
    return Job.objects.get(pk=response.url.rstrip("/").split("/")[-1])


def test_bank_uploads_a_month_of_interest(world, active_loan, login):
    c = login(world.users["bank_a"])
    check = upload(c, xlsx([["GZ-001", "2025-03-03", "0", "3000.00"]]))
    assert check.result["rows_valid"] == 1 and check.result["error_count"] == 0
    assert not Repayment.objects.exists()  # the validation is a dry run
    response = c.post(f"/finance/loans/import/{check.pk}/confirm/", {"mode": "all"})
    assert response.status_code == 302
    loan = Loan.objects.get()
    assert loan.interest_paid == Decimal("3000.00") and loan.repayments.count() == 1


def test_errors_are_annotated_and_nothing_is_written(world, active_loan, login):
    c = login(world.users["bank_a"])
    check = upload(c, xlsx([["GZ-001", "2025-03-03", "0", "3000.00"], ["GZ-404", "2025-03-03", "0", "1"],
                            ["GZ-001", "2025-13-01", "0", "-1"], ["GZ-001", "2025-04-03", "2000000", "1"]]))
    codes = [(e["row"], e["column"], e["code"]) for e in check.result["errors"]]
    assert codes == [(3, "业务编号", "unknown_loan"), (4, "还款日期", "date"), (4, "实付利息", "money"),
                     (5, "还款日期", "refused")]
    assert check.output_file
    assert c.get(f"/finance/loans/import/{check.pk}/annotated.xlsx").status_code == 200
    c.post(f"/finance/loans/import/{check.pk}/confirm/", {"mode": "all"})
    assert not Repayment.objects.exists()


def test_another_bank_cannot_report_on_this_loan(world, active_loan, login):
    from conftest import make_user

    other = make_user("bank_b", "bank", organisation=world.orgs["bank_b"])
    check = upload(login(other), xlsx([["GZ-001", "2025-03-03", "0", "3000.00"]]))
    assert check.result["errors"][0]["code"] == "unknown_loan"
