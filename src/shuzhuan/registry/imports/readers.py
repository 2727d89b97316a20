"""Streaming readers for import files: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16) and XLSX.

`open_table(path)` looks at the bytes, not the file name, and returns a reader whose `rows()`
yields `(row_number, cells)` for every non-empty row, numbered as Excel shows them (first row = 1).
Anything that cannot be read raises `ImportFileError` with a Chinese message, never a traceback.
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from python_calamine import CalamineError, load_workbook

SAMPLE_BYTES = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (or an encrypted workbook)
CSV_FIELD_LIMIT = 32 * 1024  # characters in one cell: more is not an enterprise record
DELIMITERS = (",", "\t", ";")


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, empty, missing columns)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class TableReader(Protocol):
    kind: str

    def estimate_rows(self) -> int: ...

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]: ...


def _blank(cells: Sequence[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def detect_encoding(sample: bytes) -> str:
    """'utf-8-sig', 'utf-16', 'utf-8' or 'gb18030' (a superset of GBK); raises ImportFileError."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise ImportFileError("not_tabular", "文件不是 CSV 或 XLSX 表格（看起来是二进制文件），请上传 .xlsx 或 .csv 文件")
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ImportFileError("unknown_encoding", "无法识别文件编码：请将 CSV 另存为 UTF-8 或 GBK 编码，或改用 .xlsx")


class CsvReader:
    kind = "csv"

    def __init__(self, path: Path, sample: bytes):
        self.path = path
        self.encoding = detect_encoding(sample)
        text = sample.decode(self.encoding, errors="ignore")
        first_line = text.split("\n", 1)[0]
        self.delimiter = max(DELIMITERS, key=first_line.count)
        self._size = path.stat().st_size
        self._sample_size = len(sample)
        self._sample_lines = max(1, text.count("\n"))

    def estimate_rows(self) -> int:
        """Data rows, estimated from the sample's bytes per line (exact for a small file)."""
        if self._size <= self._sample_size:
            return max(0, self._sample_lines - 1)
        return max(1, int(self._size * self._sample_lines / self._sample_size) - 1)

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        previous = csv.field_size_limit()
        csv.field_size_limit(CSV_FIELD_LIMIT)
        number = 0
        try:
            with self.path.open(encoding=self.encoding, newline="") as fh:
                for number, cells in enumerate(csv.reader(fh, delimiter=self.delimiter), start=1):
                    if "".join(cells).strip():
                        yield number, cells
        except UnicodeDecodeError:
            raise ImportFileError(
                "unknown_encoding", f"第 {number + 1} 行附近的文字无法按 {self.encoding} 编码读取：请将整个文件另存为 UTF-8 或 GBK"
            ) from None
        except csv.Error as exc:
            raise ImportFileError("bad_csv", f"第 {number + 1} 行无法读取（{_csv_reason(exc)}），请检查该行或改用 .xlsx") from None
        finally:
            csv.field_size_limit(previous)


def _csv_reason(exc: csv.Error) -> str:
    if "field larger" in str(exc):
        return f"单元格内容超过 {CSV_FIELD_LIMIT} 个字符"
    return "格式错误"


XLSX_MAX_ROWS = 1_048_576  # Excel's own limit
XLSX_MAX_UNCOMPRESSED = 512 * 1024 * 1024  # all parts of the archive, expanded
XLSX_BYTES_PER_ROW = 4 * 1024  # a generous budget per row of an enterprise list, for a row cap
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})?(\d+))?"')


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f}"


def check_xlsx_archive(path: Path, max_rows: int | None = None, bytes_per_row: int | None = None) -> None:
    """Refuse a spreadsheet bomb from the archive's metadata before any sheet is read: the expanded
    size of all parts (the ZIP directory's sizes), the first sheet's size and the row count its
    `<dimension>` declares. `max_rows` is the caller's row cap (e.g. 20,000 for a chain list) and
    `bytes_per_row` its budget per row of sheet XML (a three-column list needs far less than the default)."""
    rows_cap = min(max_rows or XLSX_MAX_ROWS, XLSX_MAX_ROWS)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            total = sum(info.file_size for info in infos)
            if total > XLSX_MAX_UNCOMPRESSED:
                raise ImportFileError("xlsx_too_large", f"Excel 文件解压后达 {_mb(total)} MB，超过上限 "
                                      f"{_mb(XLSX_MAX_UNCOMPRESSED)} MB：请删除多余的工作表、格式或空行后重试")
            sheets = sorted((i for i in infos if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")),
                            key=lambda i: i.filename)
            if not sheets:
                return  # not a workbook calamine can read: it says so
            sheet = next((i for i in sheets if i.filename == "xl/worksheets/sheet1.xml"), sheets[0])
            if sheet.file_size > rows_cap * (bytes_per_row or XLSX_BYTES_PER_ROW):
                raise ImportFileError("xlsx_too_large", f"工作表解压后达 {_mb(sheet.file_size)} MB，超出 {rows_cap:,} 行"
                                      "名单的合理大小：请删除多余的列、格式或空行，或拆分后分批导入")
            with archive.open(sheet) as fh:
                head = fh.read(SAMPLE_BYTES)
    except zipfile.BadZipFile:
        raise ImportFileError("unreadable_xlsx", "无法读取该 Excel 文件：请确认文件未加密、未损坏，另存为 .xlsx 后重试") from None
    except OSError:
        raise ImportFileError("unreadable", "无法打开文件") from None
    found = _DIMENSION.search(head)
    if found:
        last = found.group(4) or found.group(2)
        if last and int(last) > rows_cap + 1:  # + the header row
            raise ImportFileError("too_many_rows", f"工作表声明了 {int(last):,} 行，超过上限 {rows_cap:,} 行："
                                  "请删除多余的空行或拆分后分批导入")


class XlsxReader:
    """The first sheet of a workbook through python-calamine (the sheet's cells are held by calamine)."""

    kind = "xlsx"

    def __init__(self, path: Path, max_rows: int | None = None, bytes_per_row: int | None = None):
        with path.open("rb") as fh:
            is_zip = fh.read(4) == ZIP_MAGIC
        if is_zip:  # (a legacy .xls or encrypted workbook is an OLE file: calamine tells)
            check_xlsx_archive(path, max_rows, bytes_per_row)
        try:
            self._sheet = load_workbook(str(path)).get_sheet_by_index(0)
        except Exception as exc:  # calamine raises assorted errors for damaged or encrypted archives
            raise ImportFileError(
                "unreadable_xlsx",
                f"无法读取该 Excel 文件（{type(exc).__name__}）：请确认文件未加密、未损坏，另存为 .xlsx 后重试",
            ) from None

    def estimate_rows(self) -> int:
        return max(0, self._sheet.height - 1)

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        first_row = self._sheet.start[0] + 1 if self._sheet.start else 1
        try:
            for offset, cells in enumerate(self._sheet.iter_rows()):
                if not _blank(cells):
                    yield first_row + offset, cells
        except CalamineError as exc:
            raise ImportFileError("unreadable_xlsx", f"Excel 文件读取中断（{type(exc).__name__}），请另存为 .xlsx 后重试") from None


def open_table(path: Path, max_rows: int | None = None, bytes_per_row: int | None = None) -> TableReader:
    """A reader for the file at `path`, chosen by its content; raises ImportFileError. An XLSX is
    checked from its archive's metadata first (`check_xlsx_archive`), against `max_rows` if given."""
    try:
        with path.open("rb") as fh:
            sample = fh.read(SAMPLE_BYTES)
    except OSError:
        raise ImportFileError("unreadable", "无法打开文件") from None
    if not sample.strip():
        raise ImportFileError("empty_file", "文件是空的：第一行应为列名，从第二行起每行一家企业")
    if sample.startswith((ZIP_MAGIC, OLE_MAGIC)):
        return XlsxReader(path, max_rows, bytes_per_row)
    return CsvReader(path, sample)

