"""XLSX files for people: the uploaded rows with an 错误说明 column, and the empty import template."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill

from shuzhuan.core.xlsx import append_row, text_cell
from shuzhuan.registry.imports import readers
from shuzhuan.registry.imports.rows import HeaderError, split_header, template_headers

ERROR_HEADER = "错误说明"
XLSX_MAX_ROWS = 1_048_576
CELL_MAX_CHARS = 32_767
ERROR_FILL = PatternFill("solid", fgColor="FDE2E1")
HEADER_FONT = Font(bold=True)


def messages_by_row(errors: Iterable[dict[str, Any]]) -> dict[int, str]:
    """Report errors grouped by row: '企业名称：企业名称不能为空；年度：…'."""
    grouped: dict[int, list[str]] = {}
    for error in errors:
        text = f"{error['column']}：{error['message']}" if error.get("column") else error["message"]
        grouped.setdefault(error["row"], []).append(text)
    return {row: "；".join(texts) for row, texts in grouped.items()}


def _safe(value: Any) -> Any:
    """No control characters, within Excel's cell limit (`append_row` keeps text as text, never a formula)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)[:CELL_MAX_CHARS]
    return value


def _cells(values: Iterable[Any]) -> list[Any]:
    return [_safe(value) for value in values]


def write_annotated(source: Path, errors: Iterable[dict[str, Any]], out: Path, header_row: int | None = None) -> int:
    """Write `source`'s rows to `out` with the errors in an extra column; returns rows written.
    `header_row` is found as the enterprise import finds it unless the caller knows it."""
    notes = messages_by_row(errors)
    table = readers.open_table(source)
    if header_row is None:
        try:
            header_row, _columns, _rest = split_header(table.rows())
        except HeaderError:
            header_row = 1
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("导入数据")
    sheet.freeze_panes = f"A{header_row + 1}"
    width = 0
    written = 0
    for number, cells in table.rows():
        if number > XLSX_MAX_ROWS:
            break
        while written < number - 1:
            append_row(sheet, [])
            written += 1
        if number == header_row:
            width = len(cells)
            note = _note(sheet, ERROR_HEADER, HEADER_FONT)
        elif number in notes:
            note = _note(sheet, notes[number])
        else:
            note = None
        padded = list(cells[:width]) + [None] * (width - len(cells)) if number > header_row else list(cells)
        extra = list(cells[width:]) if number > header_row else []
        # append_row keeps text as text: a formula typed into a CSV stays a string
        append_row(sheet, _cells(padded) + ([note] if note is not None or extra else []) + _cells(extra))
        written += 1
    workbook.save(out)
    return written


def _note(sheet: Any, text: str, font: Font | None = None) -> Cell:
    cell = text_cell(sheet, _safe(text))
    if font is not None:
        cell.font = font
    else:
        cell.fill = ERROR_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def template_workbook() -> bytes:
    """The import template: the headers, with the USCC and industry columns formatted as text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "企业名录"
    headers = template_headers()
    append_row(sheet, headers)
    for index, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = HEADER_FONT
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(12, len(header) * 2 + 4)
        if header in ("统一社会信用代码", "行业代码"):
            sheet.column_dimensions[letter].number_format = "@"  # Excel keeps 18-digit codes intact
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
