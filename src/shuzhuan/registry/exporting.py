"""Enterprise list → XLSX (streaming, openpyxl write-only): the same columns the importer reads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.db.models import QuerySet
from openpyxl import Workbook

from shuzhuan.core.xlsx import append_row
from shuzhuan.registry.models import Enterprise

XLSX_MAX_ROWS = 1_048_575  # one header row; an XLSX sheet ends at 1,048,576 rows

COLUMNS: list[tuple[str, str]] = [
    ("统一社会信用代码", "organisation__uscc"),
    ("企业名称", "organisation__name"),
    ("法定代表人", "legal_representative"),
    ("所属镇街", "town__short_name"),
    ("地址", "address"),
    ("行业代码", "industry_id"),
    ("行业名称", "industry__name"),
    ("成立日期", "founded_on"),
    ("年度", "latest_year"),
    ("从业人数", "employees"),
    ("营业收入（元）", "revenue"),
    ("纳税总额（元）", "tax"),
    ("企业规模", "size_class"),
    ("规模以上", "above_scale"),
    ("专精特新", "zjtx_tier"),
    ("高新技术企业", "high_tech"),
    ("链主企业", "chain_leader"),
    ("上规上限培育库", "cultivation_directory"),
    ("上云用平台", "on_cloud"),
    ("联系人", "contact_name"),
    ("联系电话", "contact_phone"),
]


def write_xlsx(queryset: QuerySet[Enterprise], path: Path, progress: Callable | None = None) -> int:
    from shuzhuan.registry.models import SizeClass, ZjtxTier

    sizes, tiers = dict(SizeClass.choices), dict(ZjtxTier.choices)
    total = min(queryset.count(), XLSX_MAX_ROWS)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("企业名录")
    append_row(ws, [c for c, _ in COLUMNS])
    fields = [f for _, f in COLUMNS]
    written = 0
    step = max(1, min(1000, total // 20))  # about twenty updates of the progress bar, at most every 1,000 rows
    for row in queryset.values_list(*fields).iterator(chunk_size=5000):
        values = list(row)
        values[12] = str(sizes.get(values[12], ""))
        values[14] = str(tiers.get(values[14], "")) if values[14] else ""
        for i in (13, 15, 16, 17, 18):
            values[i] = "是" if values[i] else "否"
        append_row(ws, values)
        written += 1
        if progress and written % step == 0:
            progress(written, total, "正在导出")
        if written >= XLSX_MAX_ROWS:
            break
    wb.save(path)
    return written
