"""Pages for city officers: budgets by programme and source, allocation, the ledger, reconciliation."""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from shuzhuan.core.access import CITY, page_access
from shuzhuan.core.domain import format_yuan
from shuzhuan.core.money import format_fraction
from shuzhuan.funds import programmes, services
from shuzhuan.funds.domain import ZERO
from shuzhuan.funds.forms import AllocationForm, LedgerFilterForm
from shuzhuan.funds.models import Account, Bucket, BudgetLine, LedgerTransaction, Posting, Purpose, SourceCode

PAGE_SIZE = 50
BUCKETS = (Bucket.AVAILABLE, Bucket.COMMITTED, Bucket.PAID)


def _share(part: Decimal, total: Decimal) -> str:
    return format_fraction((part / total).quantize(Decimal("0.001"))) if total else "—"


def purpose_checks(code: str, version: Any) -> list[dict[str, Any]]:
    """The 80/20 rule in words, for each source it applies to."""
    rule = version.purpose_rule
    if rule is None:
        return []
    checks = []
    for source in version.fund_sources:
        if source.code not in rule.applies_to:
            continue
        totals = services.allocated(code, source.code)
        direct, public = totals[Purpose.DIRECT_SME], totals[Purpose.PUBLIC_SERVICES]
        total = direct + public
        violations = services.purpose_check(code, source.code, direct, public)
        if not total:
            text = _("%(source)s资金尚未下达。") % {"source": source.label}
        else:
            text = _("%(source)s资金共 %(total)s 元：直接补助中小企业 %(direct)s 元（%(dshare)s，规定不低于 %(dmin)s），"
                     "公共服务 %(public)s 元（%(pshare)s，规定不超过 %(pmax)s）。") % {
                "source": source.label, "total": format_yuan(total), "direct": format_yuan(direct),
                "dshare": _share(direct, total), "dmin": format_fraction(rule.direct_sme_min),
                "public": format_yuan(public), "pshare": _share(public, total), "pmax": format_fraction(rule.public_services_max)}
        checks.append({"source": source.label, "ok": not violations, "text": text, "violations": violations,
                       "allocated": total > 0})
    return checks


def money_by_source() -> list[dict[str, Any]]:
    """Every programme's lines together, by fund source: allocated, available, committed, paid."""
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: {b: ZERO for b in BUCKETS})
    for code, bucket, total in (Account.objects.filter(line__isnull=False).values_list("source__code", "bucket")
                                .annotate(total=Sum("balance")).order_by()):
        sums[code][bucket] = total
    rows = []
    for code, label in SourceCode.choices:
        if code in sums:
            values = sums[code]
            rows.append({"code": code, "label": label, **values, "allocated": sum(values.values(), ZERO)})
    return rows


@page_access(*CITY)
def overview(request: HttpRequest) -> HttpResponse:
    codes = programmes.available()
    code = request.GET.get("programme") or (
        BudgetLine.objects.order_by("programme").values_list("programme", flat=True).first() or (codes[0] if codes else ""))
    if code not in codes:
        raise Http404(_("未知的奖补计划"))
    programme = programmes.load(code)
    version = services.version_for(programme)
    labels = {s.code: s.label for v in programme.versions for s in v.fund_sources}
    balances = services.balances(code)
    lines = []
    for (source, purpose), values in balances.items():
        lines.append({"source": labels.get(source, source), "purpose": Purpose(purpose).label,
                      "allocated": sum(values.values(), ZERO), **values})
    by_source: dict[str, dict[str, Decimal]] = {}
    for (source, _purpose), values in balances.items():
        row = by_source.setdefault(labels.get(source, source), {b: ZERO for b in BUCKETS})
        for bucket in BUCKETS:
            row[bucket] += values[bucket]
    totals = {b: sum((line[b] for line in lines), ZERO) for b in (*BUCKETS, "allocated")}
    chart = {
        "sources": list(by_source),
        "series": [{"name": str(Bucket(b).label), "data": [str(v[b]) for v in by_source.values()]} for b in BUCKETS],
    }
    city = money_by_source()
    city_chart = {
        "sources": [str(r["label"]) for r in city],
        "series": [{"name": str(Bucket(b).label), "data": [str(r[b]) for r in city]} for b in BUCKETS],
    }
    return render(request, "funds/overview.html", {
        "programme": programme, "codes": codes, "code_titles": list(_programme_titles().items()), "lines": lines, "totals": totals, "chart": chart,
        "checks": purpose_checks(code, version), "free": services.free_direct_balance(code), "city": city,
        "city_chart": city_chart, "city_totals": {b: sum((r[b] for r in city), ZERO) for b in (*BUCKETS, "allocated")},
        "shares": "：".join(f"{s.label}" for s in version.fund_sources),
    })


@page_access(*CITY)
def allocate(request: HttpRequest) -> HttpResponse:
    initial = {"programme": request.GET.get("programme", "")}
    form = AllocationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.allocate(d["programme"], d["source"], d["purpose"], d["amount"], request.user, memo=d["memo"])
        except services.LedgerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已下达 %(amount)s 元。") % {"amount": format_yuan(d["amount"])})
            return redirect(f"{reverse('funds:overview')}?programme={d['programme']}")
    return render(request, "funds/allocate.html", {"form": form})


def _ledger(request: HttpRequest) -> tuple[LedgerFilterForm, Any]:
    form = LedgerFilterForm(request.GET or None)
    queryset = LedgerTransaction.objects.visible_to(request.user).order_by("-at", "-id")
    return form, (form.apply(queryset) if form.is_bound else queryset)


def _postings() -> Prefetch:
    return Prefetch("postings", queryset=Posting.objects.select_related("account__source", "account__line")
                    .order_by("amount", "id"))


@page_access(*CITY)
def ledger(request: HttpRequest) -> HttpResponse:
    form, queryset = _ledger(request)
    from shuzhuan.funds import references

    page = Paginator(queryset.prefetch_related(_postings()), PAGE_SIZE).get_page(request.GET.get("page"))
    refs = references.describe(t.reference for t in page.object_list)
    titles = _programme_titles()
    for t in page.object_list:  # words, not codes: 项目「…」 for project:46, the programme's title for its code
        t.reference_label, t.reference_url = refs.get(t.reference, (t.reference, ""))
        t.programme_label = titles.get(t.programme, t.programme)
    return render(request, "funds/ledger.html", {"form": form, "page": page})


def _programme_titles() -> dict[str, str]:
    titles = {}
    for code in programmes.available():
        try:
            titles[code] = programmes.load(code).title
        except Exception:  # an unreadable rules file: show its code
            titles[code] = code
    return titles


@page_access(*CITY)
def ledger_export(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    from shuzhuan.core.xlsx import append_row

    _form, queryset = _ledger(request)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("记账分录"))
    append_row(ws, [_("凭证号"), _("时间"), _("类型"), _("奖补计划"), _("业务编号"), _("摘要"), _("经办人"),
               _("资金来源"), _("预算线"), _("账户类别"), _("金额（元）")])
    rows = (Posting.objects.filter(transaction__in=queryset).select_related("transaction", "account__source", "account__line")
            .order_by("-transaction__at", "-transaction_id", "amount", "id"))
    for p in rows.iterator(chunk_size=2000):
        t = p.transaction
        append_row(ws, [t.pk, timezone.localtime(t.at).strftime("%Y-%m-%d %H:%M:%S"), t.get_kind_display(), t.programme,
                   t.reference, t.memo, t.by_label, p.account.source.label, p.account.line.name if p.account.line else "",
                   p.account.get_bucket_display(), p.amount])
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, "资金台账.xlsx")
    return response


@page_access(*CITY)
def reconcile(request: HttpRequest) -> HttpResponse:
    return render(request, "funds/reconcile.html", {"result": services.reconcile(), "at": timezone.now()})
