"""/api/v1/finance: cooperating banks and their products (public), filings by number (banks named in
them, officers, the enterprise). (No `from __future__ import annotations`: ninja resolves annotations.)"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from shuzhuan.core.access import api_access
from shuzhuan.core.api_errors import ApiError
from shuzhuan.finance import idempotency, services
from shuzhuan.finance.domain import loan as ld
from shuzhuan.finance.models import BankProfile, Filing, Loan, LoanProduct
from shuzhuan.programs.api import DateIn, MoneyIn

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
        raise ApiError(404, "not_found", _("未找到备案编号 %(number)s") % {"number": number})
    return {"number": f.number, "state": f.state, "state_label": f.state_label,
            "enterprise_uscc": f.enterprise.organisation.uscc, "enterprise": f.enterprise.organisation.name,
            "title": f.title, "approval_number": f.approval_number, "provider": f.provider_name,
            "contract_amount": f"{f.contract_amount:.2f}", "investment": f"{f.investment:.2f}", "items": f.items,
            "loan_demand": f"{f.loan_demand:.2f}",
            "banks": [b.organisation.uscc for b in f.intended_banks.select_related("organisation")],
            "filed_on": f.filed_on}


# --- loans, reported by banks ----------------------------------------------------------------------

INVALID = {"code": "invalid", "message": "请求参数有误"}
KEY_NOTE = "可带 `Idempotency-Key` 请求头：重放返回首次结果；同一键、不同内容返回 409。"


def _refused(exc: services.FinanceError) -> ApiError:
    errors = [{"field": f or "body", "message": m} for f, m in exc.errors] or [{"field": "body", "message": str(exc)}]
    return ApiError(422, "refused", str(exc), errors)


class DisbursementOut(Schema):
    on: dt.date
    amount: str


class RepaymentOut(Schema):
    on: dt.date
    principal: str
    interest: str = Field(description="实付利息（元）")


class LoanOut(Schema):
    id: int
    reference: str = Field(description="银行业务编号")
    filing_number: str
    bank_uscc: str
    enterprise_uscc: str
    enterprise: str
    state: str = Field(description="applied / granted / active / overdue / settled / default / declined")
    state_label: str
    requested_amount: str
    applied_on: dt.date
    credit_amount: str | None
    rate: str | None = Field(description="年利率（%）")
    term_months: int | None
    granted_on: dt.date | None
    disbursed: str
    repaid_principal: str
    outstanding: str
    interest_paid: str
    disbursements: list[DisbursementOut]
    repayments: list[RepaymentOut]


def _money_or_none(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def _loan_out(loan: Loan) -> dict[str, Any]:
    return {
        "id": loan.pk, "reference": loan.reference, "filing_number": loan.filing.number,
        "bank_uscc": loan.bank.organisation.uscc, "enterprise_uscc": loan.enterprise.organisation.uscc,
        "enterprise": loan.enterprise.organisation.name, "state": loan.state, "state_label": loan.state_label,
        "requested_amount": f"{loan.requested_amount:.2f}", "applied_on": loan.applied_on,
        "credit_amount": _money_or_none(loan.credit_amount), "rate": _money_or_none(loan.rate),
        "term_months": loan.term_months, "granted_on": loan.granted_on, "disbursed": f"{loan.disbursed:.2f}",
        "repaid_principal": f"{loan.repaid_principal:.2f}", "outstanding": f"{loan.outstanding:.2f}",
        "interest_paid": f"{loan.interest_paid:.2f}",
        "disbursements": [{"on": d.on, "amount": f"{d.amount:.2f}"} for d in loan.disbursements.order_by("on", "id")],
        "repayments": [{"on": r.on, "principal": f"{r.principal:.2f}", "interest": f"{r.interest:.2f}"}
                       for r in loan.repayments.order_by("on", "id")],
    }


def _loans(request: HttpRequest):
    return Loan.objects.visible_to(request.user).select_related(
        "filing", "bank__organisation", "enterprise__organisation")


def _loan(request: HttpRequest, loan_id: int) -> Loan:
    loan = _loans(request).filter(pk=loan_id).first()
    if loan is None:
        raise ApiError(404, "not_found", _("未找到该贷款"))
    return loan


def _fresh(loan_id: int) -> dict[str, Any]:
    return _loan_out(Loan.objects.select_related("filing", "bank__organisation", "enterprise__organisation")
                     .get(pk=loan_id))


@router.get("/loans", response=list[LoanOut], summary="贷款列表（银行：本行的贷款）")
@api_access(*FILING_ROLES)
def loans(request: HttpRequest) -> list[dict[str, Any]]:
    return [_loan_out(x) for x in _loans(request).prefetch_related("disbursements", "repayments")[:500]]


@router.get("/loans/{loan_id}", response=LoanOut, summary="一笔贷款及其放款、还款记录")
@api_access(*FILING_ROLES)
def loan_detail(request: HttpRequest, loan_id: int) -> dict[str, Any]:
    return _loan_out(_loan(request, loan_id))


class ApplicationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    filing_number: str = Field(description="备案编号，如 SZD-2025-000123")
    reference: str = Field(min_length=1, max_length=64, description="银行业务编号（本行内唯一）")
    amount: MoneyIn
    applied_on: DateIn
    product_id: int | None = None


@router.post("/loans", response=LoanOut, summary="报送贷款申请（引用备案编号）", description=KEY_NOTE)
@api_access("bank")
def loan_apply(request: HttpRequest, payload: ApplicationIn) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        product = None
        if payload.product_id is not None:
            product = LoanProduct.objects.visible_to(request.user).filter(pk=payload.product_id).first()
            if product is None:
                raise ApiError(422, INVALID["code"], _(INVALID["message"]), [{"field": "product_id", "message": _("未知产品")}])
        try:
            loan = services.apply_loan(request.user, payload.filing_number, reference=payload.reference,
                                       amount=payload.amount, applied_on=payload.applied_on, product=product)
        except services.FinanceError as exc:
            raise _refused(exc) from exc
        return _fresh(loan.pk)

    return idempotency.run(request, "loan_apply", compute)


class GrantIn(Schema):
    model_config = ConfigDict(extra="forbid")

    amount: MoneyIn
    rate: MoneyIn = Field(description="年利率（%），如 \"3.45\"")
    term_months: int = Field(ge=1, le=360)
    on: DateIn


class DeclineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=1000)


class DisbursementIn(Schema):
    model_config = ConfigDict(extra="forbid")

    amount: MoneyIn
    on: DateIn


class RepaymentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    on: DateIn
    principal: MoneyIn
    interest: MoneyIn = Field(description="本次实付利息（元）")


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")

    event: str = Field(description="overdue（逾期）/ cure（逾期已纠正）/ default（违约）")
    on: DateIn


def _bank_step(request: HttpRequest, loan_id: int, operation: str, step) -> dict[str, Any]:
    loan = _loan(request, loan_id)

    def compute() -> dict[str, Any]:
        try:
            step(loan)
        except services.FinanceError as exc:
            raise _refused(exc) from exc
        return _fresh(loan.pk)

    return idempotency.run(request, f"{operation}:{loan_id}", compute)


@router.post("/loans/{loan_id}/grant", response=LoanOut, summary="报送授信（金额、利率、期限）", description=KEY_NOTE)
@api_access("bank")
def loan_grant(request: HttpRequest, loan_id: int, payload: GrantIn) -> dict[str, Any]:
    return _bank_step(request, loan_id, "grant", lambda loan: services.grant(
        request.user, loan, amount=payload.amount, rate=payload.rate, term_months=payload.term_months, on=payload.on))


@router.post("/loans/{loan_id}/decline", response=LoanOut, summary="报送不予授信", description=KEY_NOTE)
@api_access("bank")
def loan_decline(request: HttpRequest, loan_id: int, payload: DeclineIn) -> dict[str, Any]:
    return _bank_step(request, loan_id, "decline", lambda loan: services.decline(request.user, loan, payload.reason))


@router.post("/loans/{loan_id}/disbursements", response=LoanOut, summary="报送放款", description=KEY_NOTE)
@api_access("bank")
def loan_disburse(request: HttpRequest, loan_id: int, payload: DisbursementIn) -> dict[str, Any]:
    return _bank_step(request, loan_id, "disburse", lambda loan: services.disburse(
        request.user, loan, amount=payload.amount, on=payload.on))


@router.post("/loans/{loan_id}/repayments", response=LoanOut, summary="报送还款（本金与实付利息）", description=KEY_NOTE)
@api_access("bank")
def loan_repay(request: HttpRequest, loan_id: int, payload: RepaymentIn) -> dict[str, Any]:
    return _bank_step(request, loan_id, "repay", lambda loan: services.repay(
        request.user, loan, principal=payload.principal, interest=payload.interest, on=payload.on))


@router.post("/loans/{loan_id}/status", response=LoanOut, summary="报送逾期、纠正或违约", description=KEY_NOTE)
@api_access("bank")
def loan_status(request: HttpRequest, loan_id: int, payload: StatusIn) -> dict[str, Any]:
    if payload.event not in ld.STATUS_EVENTS:
        raise ApiError(422, INVALID["code"], _(INVALID["message"]),
                       [{"field": "event", "message": _("应为 %(choices)s 之一") % {"choices": _("、").join(ld.STATUS_EVENTS)}}])
    return _bank_step(request, loan_id, "status", lambda loan: services.set_status(
        request.user, loan, payload.event, payload.on))


# --- the interest-subsidy calculator (stateless) ------------------------------------------------------

class PaymentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    date: DateIn = Field(description="付息日 YYYY-MM-DD")
    interest: MoneyIn = Field(description="实付利息（元）")


class LoanInterestIn(Schema):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    principal: MoneyIn
    investment: MoneyIn | None = Field(None, description="项目实际投资（元）；政策按投资折算本金时必填")
    payments: list[PaymentIn]


class InterestIn(Schema):
    model_config = ConfigDict(extra="forbid")

    policy: str = Field(description="贴息政策代码，如 zs-digital-loan-interest、demo-jiangmen-style")
    first_subsidy_year: int | None = Field(None, ge=2000, le=2100, description="首个贴息年度；缺省为首个有计入利息的年度")
    loans: list[LoanInterestIn] = Field(max_length=1000)


class InterestOut(Schema):
    policy: str
    amount: str
    by_year: dict[str, str] = Field(description="各年度贴息（已按当年上限处理）")
    explanation: list[str]


def interest_rules(code: str):
    """The policy's rules for the calculator: its latest version's parameters (an interest policy only)."""
    from shuzhuan.finance.domain.interest import Rules
    from shuzhuan.policy import library

    try:
        policy = library.load(code)
    except library.UnknownPolicy:
        policy = None
    if policy is None or "window_from" not in policy.versions[-1].values:
        raise ApiError(422, INVALID["code"], _(INVALID["message"]),
                       [{"field": "policy", "message": _("未知的贴息政策 %(code)s") % {"code": repr(code)}}])
    return policy, Rules.from_parameters(policy.versions[-1].values)


@router.post("/interest-subsidy/compute", response=InterestOut, summary="贴息测算：按实付利息逐年计算并说明")
@api_access()
def interest_subsidy_compute(request: HttpRequest, payload: InterestIn) -> dict[str, Any]:
    from shuzhuan.finance.domain.interest import InterestInputError, LoanInterest, Payment, compute

    policy, rules = interest_rules(payload.policy)
    loans = [LoanInterest(x.id, x.principal, [Payment(p.date, p.interest) for p in x.payments], x.investment)
             for x in payload.loans]
    try:
        result = compute(loans, rules, payload.first_subsidy_year)
    except InterestInputError as exc:
        raise ApiError(422, INVALID["code"], _(INVALID["message"]), [{"field": exc.field, "message": exc.message}]) from exc
    return {"policy": policy.code, "amount": f"{result.amount:.2f}",
            "by_year": {str(y): f"{a:.2f}" for y, a in result.by_year.items()}, "explanation": result.explanation}


# --- 助保贷: the compensation waterfall (stateless quote) ----------------------------------------------

class CompensationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    loss: MoneyIn = Field(description="代偿损失（元）")
    fee_pool: MoneyIn = Field(description="助保金池余额（元）")
    deposit: MoneyIn = Field(description="风险补偿金（保证金）余额（元）")
    government_share: str | None = Field(None, pattern=r"^(0(\.\d{1,4})?|1(\.0{1,4})?)$",
                                         description='政府分担比例，如 "0.50"（缺省 0.50）')


class CompensationOut(Schema):
    from_fee_pool: str
    from_deposit: str
    borne_by_bank: str
    fee_pool_after: str
    deposit_after: str
    explanation: list[str]


@router.post("/guarantee/compensation-quote", response=CompensationOut, summary="助保贷代偿测算（助保金池优先，余额政府与银行分担）")
@api_access()
def compensation_quote(request: HttpRequest, payload: CompensationIn) -> dict[str, Any]:
    from decimal import Decimal

    from shuzhuan.finance.domain.guarantee import DEFAULT_GOVERNMENT_SHARE, compensate

    share = Decimal(payload.government_share) if payload.government_share is not None else DEFAULT_GOVERNMENT_SHARE
    result = compensate(payload.loss, payload.fee_pool, payload.deposit, share)
    return {"from_fee_pool": f"{result.from_fee_pool:.2f}", "from_deposit": f"{result.from_deposit:.2f}",
            "borne_by_bank": f"{result.borne_by_bank:.2f}", "fee_pool_after": f"{result.fee_pool_after:.2f}",
            "deposit_after": f"{result.deposit_after:.2f}", "explanation": list(result.explanation)}
