"""Payout batches (兑现批次): building, advancing, the payment list."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shuzhuan.core import audit
from shuzhuan.core.domain import format_yuan
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.domain.model import LEVEL_NAMES
from shuzhuan.programs.models import (
    PayoutBatch,
    Programme,
    Project,
)
from shuzhuan.programs.services.common import ServiceError, _role, _today, _user
from shuzhuan.programs.services.rules import controls, rules_version
from shuzhuan.programs.services.transitions import transition


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


@transaction.atomic
def build_batch(actor: Any, programme: Programme, month: dt.date | None = None,
                project_ids: Iterable[int] | None = None) -> PayoutBatch:
    """A new batch for the month holding the city-approved projects not yet in a batch (or those chosen)."""
    if _role(actor) not in wf.CITY_ROLES:
        raise ServiceError(gettext("只有市工信局可以编制兑现批次"))
    month = month_start(month or _today())
    candidates = Project.objects.select_for_update().filter(programme=programme, state=wf.CITY_APPROVED, batch__isnull=True)
    if project_ids is not None:
        candidates = candidates.filter(pk__in=list(project_ids))
    projects = list(candidates.order_by("approved_on", "pk"))
    if not projects:
        raise ServiceError(gettext("没有可列入批次的市级审定项目"))
    number = (PayoutBatch.objects.filter(programme=programme, month=month).order_by("-number")
              .values_list("number", flat=True).first() or 0) + 1
    batch = PayoutBatch.objects.create(programme=programme, month=month, number=number, created_by=_user(actor))
    for project in projects:
        transition(actor, project, "add_to_batch", batch=batch)
    audit.record(actor, "programs.batch.build", batch, f"编制兑现批次 {batch.label}：{len(projects)} 个项目")
    return batch


@transaction.atomic
def remove_from_batch(actor: Any, batch: PayoutBatch, project: Project, reason: str) -> None:
    locked = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != wf.BATCH_DRAFT:
        raise ServiceError(gettext("只有编制中的批次可以移出项目"))
    if project.batch_id != locked.pk:
        raise ServiceError(gettext("该项目不在此批次中"))
    transition(actor, project, "remove_from_batch", reason=reason)


def batch_total(batch: PayoutBatch) -> Decimal:
    total = Decimal("0.00")
    for amount in batch.projects.values_list("subsidy_amount", flat=True):
        total += amount or Decimal("0.00")
    return total


def officer_refusal(batch: PayoutBatch, actor: Any) -> str | None:
    """Why this officer may not take the batch's next step under the programme's four-eyes rules."""
    target = wf.BATCH_NEXT.get(batch.status)
    if target is None or not controls(batch.programme).batch_distinct_officers:
        return None
    return wf.batch_officer_refusal(target, getattr(_user(actor), "pk", None), batch.created_by_id,
                                    batch.reviewed_by_id)


@transaction.atomic
def advance_batch(actor: Any, batch: PayoutBatch) -> PayoutBatch:
    """draft → reviewed → approved → paid. Paying pays every project (each re-checked by its guards)."""
    if _role(actor) not in wf.CITY_ROLES:
        raise ServiceError(gettext("只有市工信局可以审批兑现批次"))
    row = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
    count = row.projects.count()
    refusal = wf.batch_refusal(row.status, count, row.exported_at is not None)
    if refusal:
        raise ServiceError(refusal)
    now = timezone.now()
    target = wf.BATCH_NEXT[row.status]
    refusal = officer_refusal(row, actor)
    if refusal:
        raise ServiceError(refusal)
    if target == wf.BATCH_REVIEWED:
        row.reviewed_by, row.reviewed_at = _user(actor), now
    elif target == wf.BATCH_APPROVED:
        row.approved_by, row.approved_at = _user(actor), now
    row.status = target
    if target == wf.BATCH_PAID:
        row.paid_by, row.paid_on = _user(actor), _today()
        row.save()
        for project in list(row.projects.order_by("pk")):
            transition(actor, project, "pay", batch=row)
    else:
        row.save()
    audit.record(actor, f"programs.batch.{target}", row,
                 f"兑现批次 {row.label}：{wf.BATCH_STATES[target]}（{count} 个项目，{format_yuan(batch_total(row))} 元）")
    batch.refresh_from_db()
    return row


PAYMENT_COLUMNS = ("序号", "企业名称", "统一社会信用代码", "所属镇街", "项目名称", "改造后等级", "现场评定编号",
                   "补助金额（元）", "收款开户行", "收款账号")
MONEY_COLUMN = 8  # 1-based: 补助金额; the fund-source columns follow the payee's account


def payment_rows(batch: PayoutBatch) -> tuple[list[str], list[list[Any]]]:
    projects = list(batch.projects.select_related("enterprise__organisation", "enterprise__town").order_by("pk"))
    sources: list[str] = []
    labels: dict[str, str] = {}
    try:
        for source in rules_version(batch.programme).fund_sources:
            sources.append(source.code)
            labels[source.code] = source.label
    except ServiceError:
        pass
    header = [*PAYMENT_COLUMNS, *(f"其中{labels[s]}（元）" for s in sources)]
    rows = []
    for index, p in enumerate(projects, 1):
        rows.append([index, p.enterprise.organisation.name, p.enterprise.organisation.uscc, p.enterprise.town.short_name,
                     p.title, LEVEL_NAMES[p.level_achieved] if p.level_achieved is not None else "",
                     p.post_assessment_id, p.subsidy_amount, p.payee_bank, p.payee_account,
                     *(Decimal(p.subsidy_by_source.get(s, "0")) for s in sources)])
    return header, rows


@transaction.atomic
def export_batch(actor: Any, batch: PayoutBatch) -> bytes:
    """The payment list (拨付清单) for the finance bureau as XLSX; records the export."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from shuzhuan.core.xlsx import append_row

    if _role(actor) not in wf.CITY_ROLES:
        raise ServiceError(gettext("只有市工信局可以导出拨付清单"))
    if batch.status not in (wf.BATCH_APPROVED, wf.BATCH_PAID):
        raise ServiceError(gettext("批次审批通过后才能导出拨付清单"))
    header, rows = payment_rows(batch)
    wb = Workbook()
    ws = wb.active
    ws.title = "拨付清单"
    append_row(ws, [f"{batch.programme.name} · 兑现批次 {batch.label}"])
    append_row(ws, header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(ws, row)
    money_columns = {MONEY_COLUMN, *range(len(PAYMENT_COLUMNS) + 1, len(header) + 1)}
    for r in ws.iter_rows(min_row=3, max_row=2 + len(rows)):
        for cell in r:
            if cell.column in money_columns:
                cell.number_format = "#,##0.00"
            elif cell.column == len(PAYMENT_COLUMNS):
                cell.number_format = "@"  # the account number as text, every digit kept
    total = sum((r[MONEY_COLUMN - 1] for r in rows), Decimal("0.00"))
    append_row(ws, ["合计", "", "", "", "", "", "", total])
    ws.cell(row=ws.max_row, column=MONEY_COLUMN).number_format = "#,##0.00"
    for column, width in zip("ABCDEFGHIJ", (6, 32, 22, 10, 32, 10, 12, 16, 24, 26), strict=True):
        ws.column_dimensions[column].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    if batch.exported_at is None:
        PayoutBatch.objects.filter(pk=batch.pk).update(exported_at=timezone.now())
        batch.refresh_from_db()
    audit.record(actor, "programs.batch.export", batch, f"导出兑现批次 {batch.label} 拨付清单（{len(rows)} 行）")
    return buffer.getvalue()
