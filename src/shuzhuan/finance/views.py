"""Pages: the public 数字贷 product shelf, a bank's own products, project filings and their review."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from shuzhuan.core.access import CITY, OFFICERS, page_access
from shuzhuan.core.models import Role
from shuzhuan.finance import services
from shuzhuan.finance.domain import filing as fd
from shuzhuan.finance.domain import loan as ld
from shuzhuan.finance.forms import FilingForm, ProductForm, ReviewForm
from shuzhuan.finance.models import BankProfile, Filing, Loan, LoanProduct
from shuzhuan.registry.models import Enterprise


def _form_errors(form, exc: services.FinanceError) -> None:
    for field, message in exc.errors or [("", str(exc))]:
        form.add_error(field if field in form.fields else None, message)


@page_access(public=True)
def product_list(request):
    products = (LoanProduct.objects.visible_to(request.user).filter(published=True)
                .select_related("bank__organisation").order_by("bank__organisation__name", "name"))
    collateral = request.GET.get("collateral", "")
    if collateral:
        products = products.filter(collateral=collateral)
    banks = BankProfile.objects.visible_to(request.user).select_related("organisation").order_by("organisation__name")
    page = Paginator(products, 50).get_page(request.GET.get("page"))
    return render(request, "finance/product_list.html", {"page": page, "banks": banks, "collateral": collateral,
                                                         "choices": LoanProduct._meta.get_field("collateral").choices})


@page_access(public=True)
def product_detail(request, product_id: int):
    product = get_object_or_404(LoanProduct.objects.visible_to(request.user).select_related("bank__organisation"),
                                pk=product_id)
    branches = product.bank.branches.select_related("town").order_by("name")
    return render(request, "finance/product_detail.html", {"product": product, "branches": branches})


def _own_bank(request) -> BankProfile:
    return get_object_or_404(BankProfile, pk=request.user.organisation_id)


@page_access(Role.BANK)
def my_products(request):
    # a bank organisation not yet registered as a cooperating bank sees why its shelf is empty, not a 404
    bank = BankProfile.objects.filter(pk=request.user.organisation_id).first()
    products = bank.products.order_by("name") if bank else LoanProduct.objects.none()
    return render(request, "finance/my_products.html", {"bank": bank, "products": products})


@page_access(Role.BANK, *CITY)
def product_edit(request, product_id: int | None = None):
    """A bank edits its own products; the city may correct or take down any product."""
    if product_id:
        own = LoanProduct.objects.visible_to(request.user)
        if request.user.role == Role.BANK:
            own = own.filter(bank_id=request.user.organisation_id)
        product = get_object_or_404(own.select_related("bank__organisation"), pk=product_id)
        bank = product.bank
    else:
        product, bank = None, _own_bank(request)
    initial = {f: getattr(product, f) for f in services.PRODUCT_FIELDS} if product else None
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_product(request.user, bank, form.cleaned_data, product)
        except services.FinanceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("产品已保存"))
            return redirect("finance:product", product_id=saved.pk)
    return render(request, "finance/product_edit.html", {"form": form, "product": product, "bank": bank})


@page_access(*OFFICERS, Role.ENTERPRISE, Role.BANK)
def filing_list(request):
    filings = Filing.objects.visible_to(request.user).select_related("enterprise__organisation", "enterprise__town")
    state = request.GET.get("state", "")
    if state in fd.STATES:
        filings = filings.filter(state=state)
    page = Paginator(filings.order_by("-submitted_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "finance/filing_list.html", {"page": page, "states": fd.STATES, "state": state})


@page_access(Role.ENTERPRISE)
def filing_create(request):
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user).select_related("organisation"),
                                   pk=request.user.organisation_id)
    check = services.eligibility(enterprise)
    form = FilingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            filing = services.submit_filing(
                request.user, enterprise, title=data["title"], approval_number=data["approval_number"],
                provider_name=data["provider_name"], contract_amount=data["contract_amount"], items=form.items(),
                loan_demand=data["loan_demand"], banks=list(data["banks"]))
        except services.FinanceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("备案已提交，待镇街审核"))
            return redirect("finance:filing", filing_id=filing.pk)
    return render(request, "finance/filing_create.html", {"form": form, "check": check, "enterprise": enterprise})


@page_access(*OFFICERS, Role.ENTERPRISE, Role.BANK)
def filing_detail(request, filing_id: int):
    filing = get_object_or_404(Filing.objects.visible_to(request.user).select_related(
        "enterprise__organisation", "enterprise__town"), pk=filing_id)
    role = "admin" if request.user.is_superuser else request.user.role
    actions = [t for t in fd.TRANSITIONS.values()
               if t.name not in ("void", "apply_loan") and fd.refusal(t.name, filing.state, role, "x") is None]
    return render(request, "finance/filing_detail.html", {
        "filing": filing, "actions": actions, "form": ReviewForm(), "banks": filing.intended_banks.select_related("organisation")})


@page_access(*OFFICERS)
def filing_review(request, filing_id: int, action: str):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    filing = get_object_or_404(Filing.objects.visible_to(request.user), pk=filing_id)
    form = ReviewForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if action not in ("town_approve", "town_reject", "city_approve", "city_reject"):
        messages.error(request, _("未知操作"))
        return redirect("finance:filing", filing_id=filing.pk)
    try:
        services.transition(request.user, filing, action, reason)
    except services.FinanceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, fd.TRANSITIONS[action].label)
    return redirect("finance:filing", filing_id=filing.pk)


@page_access(*OFFICERS, Role.ENTERPRISE, Role.BANK)
def loan_list(request):
    loans = Loan.objects.visible_to(request.user).select_related("filing", "bank__organisation",
                                                                  "enterprise__organisation")
    state = request.GET.get("state", "")
    if state in ld.STATES:
        loans = loans.filter(state=state)
    page = Paginator(loans.order_by("-applied_on", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "finance/loan_list.html", {"page": page, "states": ld.STATES, "state": state})


@page_access(*OFFICERS, Role.ENTERPRISE, Role.BANK)
def loan_detail(request, loan_id: int):
    loan = get_object_or_404(Loan.objects.visible_to(request.user).select_related(
        "filing", "bank__organisation", "enterprise__organisation"), pk=loan_id)
    return render(request, "finance/loan_detail.html", {
        "loan": loan, "disbursements": loan.disbursements.order_by("on", "id"),
        "repayments": loan.repayments.order_by("on", "id")})


@page_access(*CITY)
def guarantee_pools(request):
    from shuzhuan.finance import guarantee
    from shuzhuan.finance.models import GuaranteePool

    pools = [{"pool": p, "balances": guarantee.balances(p), "quarters": guarantee.quarterly(p),
              "loans": p.loans.count()} for p in GuaranteePool.objects.visible_to(request.user).order_by("code")]
    return render(request, "finance/guarantee.html", {"pools": pools})
