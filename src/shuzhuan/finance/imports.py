"""A bank's monthly repayment report (本金与实付利息) as an XLSX/CSV upload, through the shared import
flow (`registry.imports.flow`): a validation job with an annotated file, then the import. Each row
goes through `services.repay` (the same guards as the API) inside one transaction for the file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shuzhuan.finance import services
from shuzhuan.finance.models import Loan
from shuzhuan.registry.imports import readers
from shuzhuan.registry.imports.readers import ImportFileError
from shuzhuan.registry.imports.rows import RowError
from shuzhuan.registry.imports.service import ImportReport

COLUMNS = {"业务编号": "reference", "还款日期": "on", "还款本金": "principal", "实付利息": "interest"}
LABELS = {v: k for k, v in COLUMNS.items()}


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _money(value: Any) -> Decimal | None:
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(_text(value).replace(",", ""))
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        return None
    return amount.quantize(Decimal("0.01"))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_text(value)[:10])
    except ValueError:
        return None


def _header(cells) -> dict[str, int]:
    found = {}
    for index, cell in enumerate(cells):
        name = COLUMNS.get(_text(cell))
        if name:
            found[name] = index
    missing = [LABELS[f] for f in COLUMNS.values() if f not in found]
    if missing:
        raise ImportFileError("missing_columns", _("缺少列：%(missing)s（第一行应为列名：%(columns)s）") % {"missing": _("、").join(missing), "columns": _("、").join(COLUMNS)})
    return found


def import_file(path: Path, *, actor: Any = None, dry_run: bool = False, skip_invalid: bool = False,
                progress: Callable[..., None] | None = None) -> ImportReport:
    reader = readers.open_table(Path(path))
    rows = iter(reader.rows())
    first = next(rows, None)
    if first is None:
        raise ImportFileError("empty_file", _("文件中没有数据"))
    columns = _header(first[1])
    report = ImportReport()
    loans = {x.reference: x for x in Loan.objects.filter(bank_id=getattr(actor, "organisation_id", None))}
    with transaction.atomic():
        for number, cells in rows:
            report.rows_total += 1
            values = {f: (cells[i] if i < len(cells) else None) for f, i in columns.items()}
            errors = []
            loan = loans.get(_text(values["reference"]))
            if loan is None:
                errors.append(RowError(number, LABELS["reference"], "unknown_loan", "本行没有这一业务编号的贷款"))
            on = _date(values["on"])
            if on is None:
                errors.append(RowError(number, LABELS["on"], "date", "日期应为 YYYY-MM-DD"))
            principal, interest = _money(values["principal"] or 0), _money(values["interest"])
            for field, amount in (("principal", principal), ("interest", interest)):
                if amount is None:
                    errors.append(RowError(number, LABELS[field], "money", "金额应为不小于 0、最多两位小数的数字"))
            if not errors:
                try:
                    with transaction.atomic():
                        services.repay(actor, loan, principal=principal, interest=interest, on=on)
                except services.FinanceError as exc:
                    errors.append(RowError(number, LABELS["on"], "refused", str(exc)))
            if errors:
                report.reject(errors)
            else:
                report.created += 1
            if progress and report.rows_total % 200 == 0:
                progress(report.rows_total, max(reader.estimate_rows(), report.rows_total), f"已校验 {report.rows_total} 行")
        report.rolled_back = dry_run or (report.rows_rejected > 0 and not skip_invalid)
        if report.rolled_back:
            transaction.set_rollback(True)
    if report.rolled_back and not dry_run:
        report.created = 0
    if report.rows_total == 0:
        raise ImportFileError("no_rows", _("文件只有列名，没有数据行"))
    if progress:
        progress(report.rows_total, report.rows_total, "校验完成" if dry_run else "导入完成", force=True)
    return report


def template_workbook() -> bytes:
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "还款报送"
    sheet.append(list(COLUMNS))
    sheet.append(["GZ-001", "2025-03-15", "0.00", "8625.00"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
