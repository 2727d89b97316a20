"""What-if pages (city): pick a policy version, edit its parameters as a diff (a form generated from
the parameters), run it on the live registry against the baseline, save, compare, export as XLSX and
publish as a new dated version."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuzhuan.core.access import CITY, page_access
from shuzhuan.policy import library, versions, whatif
from shuzhuan.policy.domain.values import FactInputError
from shuzhuan.policy.models import Reform


def _editable(version) -> list[dict]:
    """The scalar parameters as form fields (tables are not edited here)."""
    fields = []
    for name, param in version.parameters.items():
        value = param.value
        if isinstance(value, bool):
            kind = "bool"
        elif isinstance(value, (int, Decimal)):
            kind = "number"
        else:
            continue
        fields.append({"name": name, "label": param.label, "unit": param.unit, "value": value, "kind": kind,
                       "source": param.source.words() if hasattr(param.source, "words") else ""})
    return fields


def _changes(fields: list[dict], post) -> tuple[dict, list[str]]:
    changes, errors = {}, []
    for field in fields:
        raw = str(post.get(f"p_{field['name']}", "")).strip()
        if field["kind"] == "bool":
            value = raw == "true"
            if raw and value != field["value"]:
                changes[field["name"]] = value
            continue
        if raw == "":
            continue
        try:
            number = Decimal(raw.replace(",", ""))
        except InvalidOperation:
            errors.append(f"{field['label']}：应为数字")
            continue
        if not number.is_finite() or number != field["value"]:
            changes[field["name"]] = raw.replace(",", "")
    return changes, errors


def _version(request, code: str, label: str):
    try:
        return whatif.base_version(code, label)
    except FactInputError as exc:
        messages.error(request, "；".join(e.message for e in exc.errors))
        return None


@page_access(*CITY)
def whatif_list(request):
    policies = [p for p in library.all_policies() if p.subject == "enterprise"]
    reforms = list(Reform.objects.visible_to(request.user)[:50])
    return render(request, "policy/whatif_list.html", {"policies": policies, "reforms": reforms})


@page_access(*CITY)
def whatif_new(request):
    source = request.POST if request.method == "POST" else request.GET
    code, label = str(source.get("policy", "")), str(source.get("version", ""))
    version = _version(request, code, label)
    if version is None:
        return redirect("policy:whatif")
    fields = _editable(version)
    today = timezone.localdate()
    on = version.effective_from if not version.covers(today) else today
    if request.method == "POST":
        changes, errors = _changes(fields, request.POST)
        if not changes and not errors:
            errors.append(_("没有调整任何参数"))
        if not errors:
            try:
                reform = whatif.save(request.user, request.POST.get("title", ""), code, label, on, changes)
            except FactInputError as exc:
                errors = [e.message for e in exc.errors]
            else:
                messages.success(request, _("测算已保存。"))
                return redirect("policy:whatif_detail", reform_id=reform.pk)
        for error in errors:
            messages.error(request, error)
    return render(request, "policy/whatif_new.html", {"policy": library.load(code), "version": version, "fields": fields,
                                                      "on": on, "title": request.POST.get("title", "")})


@page_access(*CITY)
def whatif_detail(request, reform_id):
    reform = get_object_or_404(Reform.objects.visible_to(request.user), pk=reform_id)
    towns = reform.result.get("groups", {}).get("town", [])
    chart = {"groups": [r["group"] for r in towns], "before": [r["before"] for r in towns],
             "after": [r["after"] for r in towns], "unit": _("元"), "before_label": _("调整前"), "after_label": _("调整后")}
    return render(request, "policy/whatif_detail.html", {
        "reform": reform, "title": library.load(reform.policy).title, "chart": json.dumps(chart, ensure_ascii=False),
        "labels": whatif.GROUP_LABELS, "groups": reform.result.get("groups", {})})


@page_access(*CITY)
def whatif_xlsx(request, reform_id):
    from openpyxl import Workbook

    from shuzhuan.core.xlsx import append_row

    reform = get_object_or_404(Reform.objects.visible_to(request.user), pk=reform_id)
    wb = Workbook()
    ws = wb.active
    ws.title = "政策测算"
    r = {"cost_before": "0.00", "cost_after": "0.00", "beneficiaries_before": 0, "beneficiaries_after": 0,
         "gainers": 0, "losers": 0, **reform.result}
    append_row(ws, [reform.title, reform.policy, f"基准版本 {reform.base_version}", f"测算日期 {reform.on.isoformat()}"])
    append_row(ws, ["参数调整", json.dumps(reform.changes, ensure_ascii=False)])
    append_row(ws, ["", "调整前", "调整后"])
    append_row(ws, ["成本（元）", Decimal(r["cost_before"]), Decimal(r["cost_after"])])
    append_row(ws, ["受益企业数", r["beneficiaries_before"], r["beneficiaries_after"]])
    append_row(ws, ["增加的企业", r["gainers"], ""])
    append_row(ws, ["减少的企业", r["losers"], ""])
    for group, rows in r.get("groups", {}).items():
        append_row(ws, [])
        append_row(ws, [whatif.GROUP_LABELS.get(group, group), "调整前（元）", "调整后（元）", "增加", "减少"])
        for row in rows:
            append_row(ws, [row["group"], Decimal(row["before"]), Decimal(row["after"]), row["gainers"], row["losers"]])
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="whatif-{reform.pk}.xlsx"'
    return response


@require_POST
@page_access(*CITY)
def whatif_publish(request, reform_id):
    reform = get_object_or_404(Reform.objects.visible_to(request.user), pk=reform_id)
    try:
        on = dt.date.fromisoformat(str(request.POST.get("effective_from", "")))
    except ValueError:
        messages.error(request, _("日期应为 YYYY-MM-DD"))
        return redirect("policy:whatif_detail", reform_id=reform.pk)
    try:
        versions.publish(request.user, reform, on)
    except FactInputError as exc:
        messages.error(request, "；".join(e.message for e in exc.errors))
    else:
        messages.success(request, _("已发布新版本，%(on)s 起施行。") % {"on": on.isoformat()})
    return redirect("policy:whatif_detail", reform_id=reform.pk)
