from __future__ import annotations

from decimal import Decimal

import pytest

from shuzhuan.finance import demo
from shuzhuan.finance.models import BankProfile, Filing, Loan, LoanProduct

pytestmark = pytest.mark.django_db


def test_demo_adds_up_to_the_seed_from_records(world):
    from conftest import make_enterprise

    from shuzhuan.registry.domain import make_uscc

    for n in range(160):
        make_enterprise(f"示范灯饰{n:02d}有限公司", make_uscc("442000", f"MAD{n:05d}"), world.towns["a"])
    counts = demo.generate_finance(seed=7)
    assert counts["banks"] == 11 and counts["products"] == 16 and counts["filings"] == 93
    figures = demo.seed_figures(2023)
    assert figures["filings"] == 93
    assert figures["demand"] == Decimal("1000000000.00")
    assert figures["credit"] == Decimal("539000000.00")
    assert figures["disbursed"] == Decimal("291000000.00")
    assert figures["investment"] == Decimal("1305000000.00")
    assert BankProfile.objects.count() == 11 and LoanProduct.objects.filter(published=True).count() == 16
    assert all(x.disbursed <= (x.credit_amount or 0) for x in Loan.objects.all())
    from django.db.models import Count

    per_firm = Filing.objects.values("enterprise").annotate(n=Count("id"))
    assert len(per_firm) == 93 and max(x["n"] for x in per_firm) == 1  # enough firms: one filing each
    numbers = sorted(Filing.objects.values_list("number", flat=True))
    assert numbers[0] == "SZD-2023-000001" and numbers[-1] == "SZD-2023-000093"
    # the 助保贷 book: 152 firms and 634m in 2024 Q1, from the pool's records
    from shuzhuan.finance import guarantee
    from shuzhuan.finance.models import GuaranteePool, PoolLoan

    pool = GuaranteePool.objects.get(code=demo.POOL_CODE)
    assert guarantee.quarterly(pool)[0] == {"quarter": "2024 年第 1 季度", "firms": 152, "amount": Decimal("634000000.00"),
                                            "compensation": Decimal("0.00")}
    assert guarantee.balances(pool)["deposit"] == Decimal("250000000.00")
    assert guarantee.balances(pool)["fee_pool"] == sum(x.fee for x in PoolLoan.objects.all())
    assert demo.generate_finance(seed=7) == {}  # once
    assert demo.reset_finance() > 0 and not Filing.objects.exists() and not BankProfile.objects.exists()
    assert not GuaranteePool.objects.exists()
    counts = demo.generate_finance(seed=7)  # again after a reset: the same figures, the deposit not doubled
    assert counts["pool_firms"] == 152
    assert guarantee.balances(GuaranteePool.objects.get())["deposit"] == Decimal("250000000.00")
    from shuzhuan.funds import services as ledger

    assert ledger.reconcile().clean
