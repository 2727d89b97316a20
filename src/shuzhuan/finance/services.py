"""Finance use cases: one transaction each, audited (`core.audit.record`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhuan.core import audit
from shuzhuan.core.models import Organisation, OrganisationKind, Role
from shuzhuan.finance.domain import filing as fd
from shuzhuan.finance.domain import loan as ld
from shuzhuan.finance.models import BankProfile, ComplianceFlag, Filing, FilingCounter, LoanProduct
from shuzhuan.registry.models import Enterprise

ELIGIBILITY_POLICY = "zs-digital-loan-filing"


class FinanceError(Exception):
    """A refused use case; `field` names the input at fault when there is one."""

    def __init__(self, message: str, field: str = "", errors: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.field = field
        self.errors = errors or ([(field, message)] if field else [])


def _today() -> dt.date:
    return timezone.localdate()


def _role(actor: Any) -> str:
    return "admin" if getattr(actor, "is_superuser", False) else getattr(actor, "role", "")


# --- banks and products -----------------------------------------------------------------------

def ensure_bank(organisation: Organisation, **profile: Any) -> BankProfile:
    if organisation.kind != OrganisationKind.BANK:
        raise FinanceError(_("只有类别为「银行」的组织可以设立银行档案"))
    bank, _created = BankProfile.objects.get_or_create(organisation=organisation, defaults=profile)
    return bank


PRODUCT_FIELDS = ("name", "summary", "rate_min", "rate_max", "term_months_min", "term_months_max", "amount_min",
                  "amount_max", "collateral", "target_firms", "published")


def product_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    problems = []
    if data["rate_min"] <= 0 or data["rate_max"] < data["rate_min"]:
        problems.append(("rate_max", "年利率上限不得低于下限，且利率须大于 0"))
    if data["term_months_min"] <= 0 or data["term_months_max"] < data["term_months_min"]:
        problems.append(("term_months_max", "期限上限不得短于下限"))
    if data["amount_min"] <= 0 or data["amount_max"] < data["amount_min"]:
        problems.append(("amount_max", "额度上限不得低于下限"))
    return problems


@transaction.atomic
def save_product(actor: Any, bank: BankProfile, data: dict[str, Any], product: LoanProduct | None = None) -> LoanProduct:
    if _role(actor) not in (Role.ADMIN, Role.CITY_OFFICER) and actor.organisation_id != bank.pk:
        raise FinanceError(_("只能维护本行的产品"))
    problems = product_problems(data)
    if problems:
        raise FinanceError(problems[0][1], problems[0][0], problems)
    old = {f: getattr(product, f) for f in PRODUCT_FIELDS} if product else {}
    if product is None:
        product = LoanProduct(bank=bank)
    for f in PRODUCT_FIELDS:
        setattr(product, f, data[f])
    product.save()
    audit.record(actor, "finance.product.save", product, f"{'修改' if old else '新增'}数字贷产品「{product.name}」",
                 changes=audit.diff(old, {f: getattr(product, f) for f in PRODUCT_FIELDS}))
    return product


# --- filings ----------------------------------------------------------------------------------

def eligibility(enterprise: Enterprise, on: dt.date | None = None) -> dict[str, Any]:
    """The filing policy evaluated from records: eligible, each failed rule's reason, the explanation."""
    from shuzhuan.policy import facts, library
    from shuzhuan.policy.domain.engine import evaluate_policy

    on = on or _today()
    policy = library.load(ELIGIBILITY_POLICY)
    version = policy.version_on(on)
    keys = version.facts if version else ()
    values = facts.load_single(enterprise.organisation.uscc, keys)
    outcome = evaluate_policy(policy, on, values, facts.catalog())
    return {"policy": policy.code, "version": outcome.version, "eligible": outcome.eligible,
            "reasons": list(outcome.reasons), "missing": list(outcome.missing),
            "explanation": list(outcome.explanation), "on": on.isoformat()}


def submit_filing(actor: Any, enterprise: Enterprise, *, title: str, approval_number: str, provider_name: str,
                  contract_amount: Decimal, items: dict[str, Decimal], loan_demand: Decimal,
                  banks: list[BankProfile], provider: Organisation | None = None) -> Filing:
    """The enterprise files a project. Refused with every reason when the contract or eligibility fails."""
    if _role(actor) == Role.ENTERPRISE and actor.organisation_id != enterprise.pk:
        raise FinanceError(_("只能为本企业备案"))
    problems = fd.item_problems(items)
    if not approval_number.strip():
        problems.append(("approval_number", "须填写投资项目备案（核准）编号"))
    if not banks:
        problems.append(("banks", "至少选择一家意向银行"))
    investment = sum((a for k, a in items.items() if k in fd.CATEGORIES), Decimal("0.00"))
    if investment > contract_amount:
        problems.append(("contract_amount", "投资明细合计不能超过合同金额"))
    if loan_demand <= 0:
        problems.append(("loan_demand", "融资需求须大于 0"))
    if problems:
        raise FinanceError(problems[0][1], problems[0][0], problems)
    with transaction.atomic():
        Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()  # one filing at a time per firm
        check = eligibility(enterprise)
        if not check["eligible"]:
            reasons = check["reasons"] or [_("缺少数据：%(item)s") % {"item": m} for m in check["missing"]]
            raise FinanceError(_("不符合数字贷备案条件：%(reasons)s") % {"reasons": _("；").join(reasons)}, "eligibility",
                               [("eligibility", r) for r in reasons])
        filing = Filing.objects.create(
            enterprise=enterprise, title=title, approval_number=approval_number.strip(), provider=provider,
            provider_name=provider_name, contract_amount=contract_amount,
            items={k: f"{v:.2f}" for k, v in items.items() if k in fd.CATEGORIES and v > 0},
            investment=investment, loan_demand=loan_demand, eligibility=check)
        filing.intended_banks.set(banks)
        audit.record(actor, "finance.filing.submit", filing,
                     f"提交数字贷项目备案「{title}」，合规投资 {investment} 元，融资需求 {loan_demand} 元",
                     organisation=enterprise.pk)
    return filing


def _next_number(year: int) -> str:
    counter, _created = FilingCounter.objects.select_for_update().get_or_create(year=year)
    FilingCounter.objects.filter(pk=year).update(last=counter.last + 1)
    return fd.filing_number(year, counter.last + 1)


def transition(actor: Any, filing: Filing, name: str, reason: str = "", today: dt.date | None = None) -> Filing:
    """Take a guarded transition (town review, city review, loan application, void), audited."""
    role = "system" if actor is None else _role(actor)
    today = today or _today()
    with transaction.atomic():
        locked = Filing.objects.select_for_update().get(pk=filing.pk)
        if role == Role.TOWN_OFFICER and locked.enterprise.town_id != actor.town_id:
            raise FinanceError(_("只能审核本镇街企业的备案"))
        refused = fd.refusal(name, locked.state, role, reason)
        if name == "void" and not refused and not fd.is_void_due(locked.state, locked.filed_on, today):
            refused = "备案未满 6 个月，尚未失效"
        if refused:
            raise FinanceError(refused)
        step = fd.TRANSITIONS[name]
        old = locked.state
        locked.state = step.target
        if reason:
            locked.reason = reason.strip()
        if name == "town_approve":
            locked.town_reviewed_at = timezone.now()
        elif name == "city_approve":
            locked.filed_on = today
            locked.number = _next_number(today.year)
        elif name == "void":
            locked.voided_on = today
        locked.save()
        summary = f"数字贷备案「{locked.title}」：{step.label}"
        if locked.number and name == "city_approve":
            summary += f"，备案编号 {locked.number}"
        audit.record(actor, f"finance.filing.{name}", locked, summary, organisation=locked.enterprise_id,
                     changes={"state": [old, locked.state]}, reason=reason)
    return locked


def void_stale_filings(today: dt.date | None = None) -> int:
    """Filed projects with no loan application 6 months on become void (periodic, daily)."""
    today = today or _today()
    cutoff = today - dt.timedelta(days=181)  # every 6-month span is at least 181 days; the domain decides exactly
    count = 0
    for filing in Filing.objects.filter(state=fd.FILED, filed_on__lte=cutoff):
        if fd.is_void_due(filing.state, filing.filed_on, today):
            transition(None, filing, "void", today=today)
            count += 1
    return count


# --- loans reported by banks ------------------------------------------------------------------

def _bank_of(actor: Any) -> BankProfile:
    if _role(actor) != Role.BANK or not actor.organisation_id:
        raise FinanceError(_("只有合作银行可以报送贷款"))
    bank = BankProfile.objects.filter(pk=actor.organisation_id).first()
    if bank is None:
        raise FinanceError(_("本行尚未开通数字贷合作"))
    return bank


def _check(refused: str | None, field: str = "") -> None:
    if refused:
        raise FinanceError(refused, field)


def apply_loan(actor: Any, filing_number: str, *, reference: str, amount: Decimal, applied_on: dt.date,
               product: LoanProduct | None = None) -> Any:
    """The bank records an application quoting the filing number; the filing moves to 已申请贷款."""
    from shuzhuan.finance.models import Loan

    bank = _bank_of(actor)
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise FinanceError(_("申请金额须大于 0，最多两位小数"), "amount")
    if product is not None and product.bank_id != bank.pk:
        raise FinanceError(_("只能选择本行的产品"), "product")
    with transaction.atomic():
        filing = (Filing.objects.select_for_update().filter(number=filing_number, intended_banks=bank).first())
        if filing is None:
            raise FinanceError(_("未找到列明本行的备案 %(number)s") % {"number": filing_number}, "filing")
        if filing.state not in (fd.FILED, fd.LOAN_APPLIED):
            raise FinanceError(_("备案当前为「%(state)s」，不能申请贷款") % {"state": filing.state_label}, "filing")
        if applied_on < filing.filed_on:
            raise FinanceError(_("申请日期不能早于备案日期"), "applied_on")
        if Loan.objects.filter(bank=bank, reference=reference).exists():
            raise FinanceError(_("业务编号 %(reference)s 已报送") % {"reference": reference}, "reference")
        loan = Loan.objects.create(filing=filing, enterprise=filing.enterprise, bank=bank, product=product,
                                   reference=reference, requested_amount=amount, applied_on=applied_on,
                                   last_event_on=applied_on)
        if filing.state == fd.FILED:
            filing.state = fd.LOAN_APPLIED
            filing.save(update_fields=["state"])
            audit.record(actor, "finance.filing.apply_loan", filing, f"备案 {filing.number} 已向{bank.name}申请贷款",
                         organisation=filing.enterprise_id, changes={"state": [fd.FILED, fd.LOAN_APPLIED]})
        audit.record(actor, "finance.loan.apply", loan, f"{bank.name}受理贷款申请 {reference}（备案 {filing.number}），"
                     f"申请金额 {amount} 元", organisation=filing.enterprise_id)
    return loan


def _locked(loan: Any) -> Any:
    from shuzhuan.finance.models import Loan

    return Loan.objects.select_for_update().get(pk=loan.pk)


def _own(actor: Any, loan: Any) -> None:
    if _role(actor) != Role.BANK or loan.bank_id != actor.organisation_id:
        raise FinanceError(_("只能报送本行的贷款"))


def grant(actor: Any, loan: Any, *, amount: Decimal, rate: Decimal, term_months: int, on: dt.date) -> Any:
    with transaction.atomic():
        loan = _locked(loan)
        _own(actor, loan)
        _check(ld.refuse_grant(loan.facts(), amount, rate, term_months, on))
        loan.state, loan.credit_amount, loan.rate, loan.term_months = ld.GRANTED, amount, rate, term_months
        loan.granted_on = loan.last_event_on = on
        loan.save()
        audit.record(actor, "finance.loan.grant", loan, f"授信 {amount} 元，年利率 {rate}%，期限 {term_months} 个月",
                     organisation=loan.enterprise_id, changes={"state": [ld.APPLIED, ld.GRANTED]})
    return loan


def decline(actor: Any, loan: Any, reason: str) -> Any:
    with transaction.atomic():
        loan = _locked(loan)
        _own(actor, loan)
        _check(ld.refuse_decline(loan.facts()))
        if not reason.strip():
            raise FinanceError(_("须写明不予授信的理由"), "reason")
        loan.state = ld.DECLINED
        loan.save(update_fields=["state"])
        audit.record(actor, "finance.loan.decline", loan, "不予授信", organisation=loan.enterprise_id, reason=reason)
    return loan


def disburse(actor: Any, loan: Any, *, amount: Decimal, on: dt.date) -> Any:
    from shuzhuan.finance.models import Disbursement

    with transaction.atomic():
        loan = _locked(loan)
        _own(actor, loan)
        _check(ld.refuse_disbursement(loan.facts(), amount, on))
        old = loan.state
        Disbursement.objects.create(loan=loan, on=on, amount=amount)
        loan.disbursed += amount
        loan.state = ld.ACTIVE
        loan.last_event_on = on
        loan.save()
        audit.record(actor, "finance.loan.disburse", loan, f"放款 {amount} 元（{on.isoformat()}）",
                     organisation=loan.enterprise_id, changes={"state": [old, loan.state]} if old != loan.state else None)
    return loan


def repay(actor: Any, loan: Any, *, principal: Decimal, interest: Decimal, on: dt.date) -> Any:
    """A repayment with the interest actually paid; repaying all principal settles the loan."""
    from shuzhuan.finance.models import Repayment

    with transaction.atomic():
        loan = _locked(loan)
        _own(actor, loan)
        facts = loan.facts()
        _check(ld.refuse_repayment(facts, principal, interest, on))
        Repayment.objects.create(loan=loan, on=on, principal=principal, interest=interest)
        old = loan.state
        loan.state = ld.state_after_repayment(facts, principal)
        loan.repaid_principal += principal
        loan.interest_paid += interest
        loan.last_event_on = on
        if loan.state == ld.SETTLED:
            loan.settled_on = on
        loan.save()
        audit.record(actor, "finance.loan.repay", loan, f"还款（{on.isoformat()}）：本金 {principal} 元，实付利息 {interest} 元",
                     organisation=loan.enterprise_id, changes={"state": [old, loan.state]} if old != loan.state else None)
    return loan


def set_status(actor: Any, loan: Any, event: str, on: dt.date) -> Any:
    """overdue / cure / default, as the bank reports."""
    with transaction.atomic():
        loan = _locked(loan)
        _own(actor, loan)
        _check(ld.refuse_status(loan.facts(), event), "event")
        old = loan.state
        loan.state = ld.STATUS_EVENTS[event][1]
        loan.last_event_on = max(on, loan.last_event_on or on)
        loan.save()
        audit.record(actor, f"finance.loan.{event}", loan, f"贷款状态：{ld.STATES[old]} → {ld.STATES[loan.state]}",
                     organisation=loan.enterprise_id, changes={"state": [old, loan.state]})
    return loan


def is_listed(enterprise, on, kinds=("dishonesty", "major_tax")) -> bool:
    """Whether the firm is on a dishonesty / major-tax-violation list on `on` (read by the credit portrait)."""
    return ComplianceFlag.objects.active(on).filter(enterprise=enterprise, kind__in=kinds).exists()
