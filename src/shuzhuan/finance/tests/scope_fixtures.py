"""Side b's finance records for the scope test: bank b's draft product (not yet on the shelf) and
enterprise b's filed 数字贷 project naming bank b. Town b's officer reaches both; bank a, town a,
enterprise a, providers, experts and anonymous users do not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def side_b_values(world) -> dict[str, str]:
    from shuzhuan.finance.domain import filing as fd
    from shuzhuan.finance.models import BankBranch, BankProfile, Collateral, Filing, Loan, LoanProduct

    bank = BankProfile.objects.create(organisation=world.orgs["bank_b"], short_name="乙行")
    BankBranch.objects.create(bank=bank, name="示范银行乙小榄支行", town=world.towns["b"])
    product = LoanProduct.objects.create(
        bank=bank, name="小榄技改贷（草稿）", rate_min=Decimal("3.10"), rate_max=Decimal("3.60"), term_months_min=12,
        term_months_max=36, amount_min=Decimal("1000000.00"), amount_max=Decimal("20000000.00"),
        collateral=Collateral.CREDIT, published=False)
    filing = Filing.objects.create(
        enterprise=world.enterprises["b"], number="SZD-2025-900001", state=fd.FILED, title="小榄五金产线数字化",
        approval_number="2501-442000-04-01-000001", provider_name="某服务商", contract_amount=Decimal("5000000.00"),
        items={"production_lines": "4000000.00"}, investment=Decimal("4000000.00"), loan_demand=Decimal("3000000.00"),
        filed_on=dt.date(2025, 3, 1))
    filing.intended_banks.set([bank])
    loan = Loan.objects.create(filing=filing, enterprise=world.enterprises["b"], bank=bank, reference="XL-0001",
                               requested_amount=Decimal("3000000.00"), applied_on=dt.date(2025, 4, 1))
    return {"loan_id": loan.pk, "product_id": product.pk, "filing_id": filing.pk, "action": "city_approve", "number": filing.number}
