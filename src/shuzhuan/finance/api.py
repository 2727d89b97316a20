"""/api/v1/finance: cooperating banks and their products (public), filings by number (banks named in
them, officers, the enterprise). (No `from __future__ import annotations`: ninja resolves annotations.)"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from shuzhuan.api.errors import ApiError
from shuzhuan.core.access import api_access
from shuzhuan.finance.models import BankProfile, Filing, LoanProduct

router = Router(tags=["金融服务"])
FILING_ROLES = ("admin", "city_officer", "town_officer", "enterprise", "bank")


class ProductOut(Schema):
    id: int
    name: str
    bank_uscc: str
    bank: str
    rate_min: str = Field(description="年利率下限（%，两位小数）")
    rate_max: str
    term_months_min: int
    term_months_max: int
    amount_min: str = Field(description="额度下限（元，两位小数）")
    amount_max: str
    collateral: str = Field(description="担保方式：credit / mortgage / pledge / guarantee")
    target_firms: str


class BankOut(Schema):
    uscc: str
    name: str
    products: list[ProductOut]


def _product(p: LoanProduct) -> dict[str, Any]:
    return {"id": p.pk, "name": p.name, "bank_uscc": p.bank.organisation.uscc, "bank": p.bank.organisation.name,
            "rate_min": f"{p.rate_min:.2f}", "rate_max": f"{p.rate_max:.2f}", "term_months_min": p.term_months_min,
            "term_months_max": p.term_months_max, "amount_min": f"{p.amount_min:.2f}", "amount_max": f"{p.amount_max:.2f}",
            "collateral": p.collateral, "target_firms": p.target_firms}


@router.get("/products", response=list[ProductOut], summary="数字贷产品（已上架）")
@api_access(public=True)
def products(request: HttpRequest) -> list[dict[str, Any]]:
    rows = (LoanProduct.objects.visible_to(request.user).filter(published=True)
            .select_related("bank__organisation").order_by("bank__organisation__name", "name"))
    return [_product(p) for p in rows]


@router.get("/banks", response=list[BankOut], summary="合作银行及其已上架产品")
@api_access(public=True)
def banks(request: HttpRequest) -> list[dict[str, Any]]:
    shelf: dict[int, list[dict[str, Any]]] = {}
    for p in (LoanProduct.objects.visible_to(request.user).filter(published=True)
              .select_related("bank__organisation").order_by("name")):
        shelf.setdefault(p.bank_id, []).append(_product(p))
    rows = BankProfile.objects.visible_to(request.user).select_related("organisation").order_by("organisation__name")
    return [{"uscc": b.organisation.uscc, "name": b.organisation.name, "products": shelf.get(b.pk, [])} for b in rows]


class FilingOut(Schema):
    number: str
    state: str = Field(description="submitted / town_approved / filed / loan_applied / rejected / void")
    state_label: str
    enterprise_uscc: str
    enterprise: str
    title: str
    approval_number: str
    provider: str
    contract_amount: str
    investment: str = Field(description="合规投资额（元）：数字化系统、工业控制软件、生产线、配套设备之和")
    items: dict[str, str]
    loan_demand: str
    banks: list[str] = Field(description="意向银行的统一社会信用代码")
    filed_on: dt.date | None


@router.get("/filings/{number}", response=FilingOut, summary="按备案编号查询数字贷项目备案")
@api_access(*FILING_ROLES)
def filing(request: HttpRequest, number: str) -> dict[str, Any]:
    """A bank sees a filing only when it is filed and names the bank."""
    f = (Filing.objects.visible_to(request.user).filter(number=number)
         .select_related("enterprise__organisation").first())
    if f is None:
        raise ApiError(404, "not_found", f"未找到备案编号 {number}")
    return {"number": f.number, "state": f.state, "state_label": f.state_label,
            "enterprise_uscc": f.enterprise.organisation.uscc, "enterprise": f.enterprise.organisation.name,
            "title": f.title, "approval_number": f.approval_number, "provider": f.provider_name,
            "contract_amount": f"{f.contract_amount:.2f}", "investment": f"{f.investment:.2f}", "items": f.items,
            "loan_demand": f"{f.loan_demand:.2f}",
            "banks": [b.organisation.uscc for b in f.intended_banks.select_related("organisation")],
            "filed_on": f.filed_on}
