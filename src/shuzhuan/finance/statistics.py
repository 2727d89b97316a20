"""The seed's 数字贷 table computed from records, by year of filing: filings, loan demand, credit
granted, disbursed, driven investment; cooperating banks and published products (today's counts)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear

ZERO = Decimal("0.00")


def yearly(user) -> list[dict[str, Any]]:
    from shuzhuan.finance.models import BankProfile, Filing, Loan, LoanProduct

    filings = Filing.objects.visible_to(user).filter(filed_on__isnull=False)
    rows = {r["year"]: r for r in filings.annotate(year=ExtractYear("filed_on")).values("year").annotate(
        filings=Count("id"), demand=Sum("loan_demand"), investment=Sum("investment")).order_by("year")}
    loans = (Loan.objects.filter(filing__in=filings).annotate(year=ExtractYear("filing__filed_on")).values("year")
             .annotate(credit=Sum("credit_amount"), disbursed=Sum("disbursed")))
    by_year = {r["year"]: r for r in loans}
    banks = BankProfile.objects.visible_to(user).count()
    products = LoanProduct.objects.visible_to(user).filter(published=True).count()
    out = []
    for year, row in sorted(rows.items()):
        loan = by_year.get(year, {})
        out.append({"year": year, "filings": row["filings"], "demand": row["demand"] or ZERO,
                    "credit": loan.get("credit") or ZERO, "disbursed": loan.get("disbursed") or ZERO,
                    "investment": row["investment"] or ZERO, "banks": banks, "products": products})
    return out


def chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Amounts in 万元 (strings, two decimals) per year, for the ECharts bars."""
    def wan(value: Decimal) -> str:
        return f"{value / 10000:.2f}"

    return {"years": [str(r["year"]) for r in rows],
            "series": {key: [wan(r[key]) for r in rows] for key in ("demand", "credit", "disbursed", "investment")}}
