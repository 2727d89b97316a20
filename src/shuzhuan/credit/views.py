"""Pages: the enterprise's 数据授权 (grant, revoke, list) and 谁查看了我的数据; the portrait (results only)
for officers, for the enterprise itself and for a bank it authorised."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from shuzhuan.core.access import OFFICERS, page_access
from shuzhuan.core.models import Organisation, OrganisationKind, Role
from shuzhuan.credit import domain as cd
from shuzhuan.credit import services
from shuzhuan.credit.models import AccessLog, Consent
from shuzhuan.registry.models import Enterprise


@page_access(Role.ENTERPRISE)
def consents(request):
    form = {"bank": "", "purpose": "credit_application", "expires": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        expires = None
        try:
            expires = dt.date.fromisoformat(form["expires"]) if form["expires"] else None
        except ValueError:
            errors["expires"] = _("日期格式应为 YYYY-MM-DD")
        if not errors:
            try:
                services.grant(request.user, form["bank"], form["purpose"], expires, method=cd.METHOD_WEB)
            except services.CreditError as exc:
                errors = {f: m for f, m in reversed(exc.errors)}
            else:
                messages.success(request, _("已授权。银行只能看到评分、等级、可授信额度和风险提示，看不到原始数据。"))
                return redirect("credit:consents")
    rows = Consent.objects.visible_to(request.user).select_related("bank").order_by("-starts")
    banks = Organisation.objects.filter(kind=OrganisationKind.BANK).order_by("name")
    return render(request, "credit/consents.html", {
        "page": Paginator(rows, 50).get_page(request.GET.get("page")), "banks": banks, "purposes": cd.PURPOSES,
        "form": form, "errors": errors, "status_code": 422 if errors else 200}, status=422 if errors else 200)


@page_access(Role.ENTERPRISE)
def consent_revoke(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        consent = Consent.objects.visible_to(request.user).filter(pk=request.POST.get("consent", "")).first()
    except ValidationError:
        consent = None
    if consent is None:
        messages.error(request, _("未找到该授权"))
    else:
        services.revoke(request.user, consent)
        messages.success(request, _("已撤销授权，该银行即刻无法再查看。"))
    return redirect("credit:consents")


@page_access(Role.ENTERPRISE)
def access_log(request):
    rows = AccessLog.objects.visible_to(request.user).select_related("bank").order_by("-at", "-id")
    return render(request, "credit/access_log.html", {"page": Paginator(rows, 50).get_page(request.GET.get("page")),
                                                      "purposes": cd.PURPOSES})


@page_access(*OFFICERS, Role.BANK)
def portraits(request):
    """Look a firm up by USCC; a bank is also shown the firms that currently authorise it."""
    uscc = request.GET.get("uscc", "").strip().upper()
    if uscc:
        return redirect("credit:portrait", uscc=uscc)
    authorised = []
    if request.user.role == Role.BANK:
        authorised = (Consent.objects.visible_to(request.user).active().select_related("enterprise__organisation")
                      .order_by("expires"))
    return render(request, "credit/portraits.html", {"authorised": authorised, "purposes": cd.PURPOSES})


@page_access(*OFFICERS, Role.ENTERPRISE, Role.BANK)
def portrait(request, uscc: str):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    if request.user.role == Role.BANK:
        enterprise = Enterprise.objects.select_related("organisation").filter(organisation__uscc=uscc).first()
        if enterprise is None:
            raise PermissionDenied(_("该企业未授权本行查看其信用画像，或授权已撤销、已到期"))
    else:
        enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user).select_related("organisation"),
                                       organisation__uscc=uscc)
    try:
        result = services.read_portrait(request.user, enterprise, channel="web")
    except services.ConsentRequired as exc:
        raise PermissionDenied(_("该企业未授权本行查看其信用画像，或授权已撤销、已到期")) from exc
    return render(request, "credit/portrait.html", {"enterprise": enterprise, "result": result})


def _iv_label(iv: float) -> str:
    if iv < 0.02:
        return _("无用")
    if iv < 0.1:
        return _("弱")
    if iv < 0.3:
        return _("中")
    if iv <= 0.5:
        return _("强")
    return _("过强（需核查）")


def _psi_label(psi: float) -> str:
    return _("稳定") if psi < 0.1 else _("需关注") if psi < 0.25 else _("已偏移")


@page_access(*OFFICERS, Role.BANK)
def model_card(request):
    from shuzhuan.credit.models import ModelVersion

    versions = list(ModelVersion.objects.defer("fitted").order_by("-trained_at")[:20])
    current = next((v for v in versions if v.active), None)
    rows = [{**r, "label": _iv_label(r["iv"])} for r in (current.iv_table if current else [])]
    rules = cd.load_rules()
    return render(request, "credit/model_card.html", {
        "current": current, "versions": versions, "iv_rows": rows, "rules": rules,
        "psi_label": _psi_label(current.metrics.get("psi", 0)) if current else ""})
