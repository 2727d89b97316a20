"""免申即享 pages: officers run and review; the enterprise sees 可享政策 and confirms on a phone."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuzhuan.core.access import CITY, OFFICERS, page_access
from shuzhuan.core.models import is_city_wide
from shuzhuan.policy import facts, library, services
from shuzhuan.policy.domain.engine import evaluate_policy
from shuzhuan.policy.domain.model import base_name
from shuzhuan.policy.domain.runs import CHANGE_LABELS, TransitionError
from shuzhuan.policy.domain.values import FactInputError
from shuzhuan.policy.models import Entitlement, EntitlementStatus, PaymentBatch, PolicyRun

RUN_ROWS = 500


def _enterprise_policies():
    return [p for p in library.all_policies() if p.subject == "enterprise"]


@page_access(*OFFICERS)
def run_list(request):
    if request.method == "POST":
        if not is_city_wide(request.user):
            raise PermissionDenied
        codes = request.POST.getlist("policies")
        try:
            on = dt.date.fromisoformat(request.POST.get("on", ""))
        except ValueError:
            messages.error(request, _("日期应为 YYYY-MM-DD"))
            return redirect("policy:runs")
        try:
            run = services.create_run(request.user, codes, on)
        except FactInputError as exc:
            messages.error(request, "；".join(e.message for e in exc.errors))
            return redirect("policy:runs")
        messages.success(request, _("已完成批量判定：%(n)s 家企业可享。") % {"n": run.summary.get("entitled", 0)})
        return redirect("policy:run", policy_run_id=run.pk)
    runs = PolicyRun.objects.visible_to(request.user)[:50]
    return render(request, "policy/run_list.html", {
        "runs": runs, "policies": _enterprise_policies(), "today": timezone.localdate(),
        "can_run": is_city_wide(request.user)})


@page_access(*OFFICERS)
def run_detail(request, policy_run_id):
    run = get_object_or_404(PolicyRun.objects.visible_to(request.user), pk=policy_run_id)
    rows = (Entitlement.objects.visible_to(request.user).filter(run=run)
            .select_related("enterprise__organisation", "enterprise__town"))
    status = request.GET.get("status", "")
    if status in EntitlementStatus.values:
        rows = rows.filter(status=status)
    return render(request, "policy/run_detail.html", {
        "run": run, "rows": rows[:RUN_ROWS], "count": rows.count(), "limit": RUN_ROWS, "status": status,
        "statuses": EntitlementStatus.choices, "changes": CHANGE_LABELS, "city": is_city_wide(request.user),
        "titles": {p.code: p.title for p in library.all_policies()},
        "batches": PaymentBatch.objects.visible_to(request.user).filter(run=run),
        "confirmed": run.entitlements.filter(status=EntitlementStatus.CONFIRMED).count() if is_city_wide(request.user) else 0,
        "approved": run.entitlements.filter(status=EntitlementStatus.APPROVED).count() if is_city_wide(request.user) else 0})


def _entitlement(request, entitlement_id) -> Entitlement:
    return get_object_or_404(Entitlement.objects.visible_to(request.user).select_related("run", "enterprise"),
                             pk=entitlement_id)


def _act(request, entitlement: Entitlement, step, *args):
    from shuzhuan.funds.services import LedgerError

    try:
        step(request.user, entitlement, *args)
    except (TransitionError, LedgerError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已处理。"))


@require_POST
@page_access(*OFFICERS)
def entitlement_exclude(request, entitlement_id):
    entitlement = _entitlement(request, entitlement_id)
    _act(request, entitlement, services.exclude, request.POST.get("reason", ""))
    return redirect("policy:run", policy_run_id=entitlement.run_id)


@require_POST
@page_access(*CITY)
def entitlement_approve(request, entitlement_id):
    entitlement = _entitlement(request, entitlement_id)
    _act(request, entitlement, services.approve)
    return redirect("policy:run", policy_run_id=entitlement.run_id)


@require_POST
@page_access(*CITY)
def run_offer(request, policy_run_id):
    run = get_object_or_404(PolicyRun.objects.visible_to(request.user), pk=policy_run_id)
    count = services.offer(request.user, run)
    messages.success(request, _("已推送 %(n)s 项给企业确认。") % {"n": count})
    return redirect("policy:run", policy_run_id=run.pk)


@require_POST
@page_access(*CITY)
def run_approve(request, policy_run_id):
    """Approve every confirmed entitlement, each committed on its policy's budget line; those the
    budget cannot cover stay confirmed and are named."""
    run = get_object_or_404(PolicyRun.objects.visible_to(request.user), pk=policy_run_id)
    approved, refused = services.approve_run(request.user, run)
    messages.success(request, _("已审批 %(n)s 项，资金已承诺。") % {"n": len(approved)})
    for row, why in refused[:10]:
        messages.error(request, _("%(name)s 未审批：%(why)s") % {"name": row.enterprise.name, "why": why})
    return redirect("policy:run", policy_run_id=run.pk)


@require_POST
@page_access(*CITY)
def run_pay(request, policy_run_id):
    """Pay the run's approved entitlements in one batch through the ledger."""
    run = get_object_or_404(PolicyRun.objects.visible_to(request.user), pk=policy_run_id)
    try:
        batch = services.pay_run(request.user, run)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已支付 %(n)s 笔，合计 %(total)s 元。") % {"n": batch.count, "total": f"{batch.total:,.2f}"})
    return redirect("policy:run", policy_run_id=run.pk)


@page_access("enterprise")
def mine(request):
    rows = (Entitlement.objects.visible_to(request.user)
            .filter(status__in=[EntitlementStatus.OFFERED, EntitlementStatus.CONFIRMED, EntitlementStatus.APPROVED,
                                EntitlementStatus.PAID]).select_related("run"))
    titles = {p.code: p.title for p in library.all_policies()}
    items = []
    for row in rows:
        try:
            explanation = services.explain(row).explanation
        except LookupError:
            explanation = ()
        items.append({"row": row, "title": titles.get(row.policy, row.policy), "explanation": explanation})
    return render(request, "policy/mine.html", {"items": items})


@require_POST
@page_access("enterprise")
def entitlement_confirm(request, entitlement_id):
    entitlement = _entitlement(request, entitlement_id)
    _act(request, entitlement, services.confirm, request.POST.get("bank_account", ""))
    return redirect("policy:mine")


@page_access("enterprise")
def calculator(request):
    """政策计算器: every enterprise policy in force today, evaluated on the enterprise's own records —
    whether it applies, why, how much, and which facts the records lack (a short application)."""
    from shuzhuan.registry.models import Enterprise

    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user).select_related("organisation"),
                                   pk=request.user.organisation_id)
    today = timezone.localdate()
    catalog = facts.catalog()
    items = []
    for policy in _enterprise_policies():
        version = policy.version_on(today)
        values = facts.load_single(enterprise.organisation.uscc, version.facts if version else ())
        outcome = evaluate_policy(policy, today, values, catalog)
        missing = [catalog[base_name(k)].label for k in outcome.missing]
        items.append({"policy": policy, "outcome": outcome, "missing": missing})
    return render(request, "policy/calculator.html", {"items": items, "today": today, "enterprise": enterprise})


def key_figures(request) -> list[dict]:
    """The home page's card: an enterprise sees how many benefits wait for its confirmation."""
    from django.db.models import Count, Q, Sum
    from django.urls import reverse

    user = request.user
    if not (user.is_authenticated and user.role == "enterprise"):
        return []
    stats = Entitlement.objects.visible_to(user).aggregate(
        waiting=Count("pk", filter=Q(status=EntitlementStatus.OFFERED)),
        amount=Sum("amount", filter=Q(status=EntitlementStatus.OFFERED)))
    if not stats["waiting"]:
        return []
    return [{"label": _("可享政策（待确认）"), "value": f"{stats['waiting']:,}", "unit": _("项"),
             "url": reverse("policy:mine"), "note": f"{stats['amount']:,.2f} 元"}]
