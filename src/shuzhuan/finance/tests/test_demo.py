from __future__ import annotations

from decimal import Decimal

import pytest

from shuzhuan.finance import demo
from shuzhuan.finance.models import BankProfile, Filing, Loan, LoanProduct

pytestmark = pytest.mark.django_db


def test_demo_adds_up_to_the_seed_from_records(world):
    from conftest import make_enterprise

    from shuzhuan.registry.domain import make_uscc

    for n in range(60):
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
    assert len(per_firm) == 62 and max(x["n"] for x in per_firm) == 2  # 60 + world's 2 firms; ≤ 2 filings each
    numbers = sorted(Filing.objects.values_list("number", flat=True))
    assert numbers[0] == "SZD-2023-000001" and numbers[-1] == "SZD-2023-000093"
    assert demo.generate_finance(seed=7) == {}  # once
    assert demo.reset_finance() > 0 and not Filing.objects.exists() and not BankProfile.objects.exists()
