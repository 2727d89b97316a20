"""Spreadsheet bombs (issue 10 item 6): an XLSX is judged by its archive's metadata (the ZIP
directory's expanded sizes, the sheet's `<dimension>`) before any sheet is read."""

from __future__ import annotations

import io
import zipfile

import pytest

from shuzhuan.registry.imports import readers


def _archive(path, sheet_xml: bytes, extra: dict[str, bytes] | None = None) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("xl/workbook.xml", b"<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in (extra or {}).items():
            z.writestr(name, data)


def _real_workbook(path, rows: int = 3) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称"])
    for i in range(rows):
        ws.append([f"91442000MA4W{i:04d}X", f"企业{i}"])
    wb.save(path)


def test_a_declared_million_rows_is_refused_before_reading(tmp_path):
    path = tmp_path / "bomb.xlsx"
    _archive(path, b'<worksheet><dimension ref="A1:C2000000"/><sheetData/></worksheet>')
    with pytest.raises(readers.ImportFileError) as exc:
        readers.open_table(path)
    assert exc.value.code == "too_many_rows" and "2,000,000" in exc.value.message


def test_the_callers_row_cap_applies_to_the_declared_rows(tmp_path):
    path = tmp_path / "chain.xlsx"
    _archive(path, b'<x:worksheet><x:dimension ref="A1:B30001"/><x:sheetData/></x:worksheet>')
    with pytest.raises(readers.ImportFileError) as exc:
        readers.open_table(path)  # no cap given: 30,001 rows pass the check; calamine then judges this stub
    assert exc.value.code == "unreadable_xlsx"
    with pytest.raises(readers.ImportFileError, match="上限 20,000 行"):
        readers.open_table(path, max_rows=20_000)


def test_the_expanded_size_is_read_from_the_zip_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "XLSX_MAX_UNCOMPRESSED", 1024 * 1024)
    path = tmp_path / "big.xlsx"
    _archive(path, b"<worksheet><sheetData/></worksheet>", {"xl/media/padding.bin": b"\0" * (2 * 1024 * 1024)})
    assert path.stat().st_size < 20 * 1024  # a small upload …
    with pytest.raises(readers.ImportFileError) as exc:
        readers.open_table(path)
    assert exc.value.code == "xlsx_too_large" and "解压后" in exc.value.message  # … that expands too far


def test_a_sheet_too_large_for_its_row_cap_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "XLSX_BYTES_PER_ROW", 10)
    path = tmp_path / "wide.xlsx"
    _archive(path, b"<worksheet><sheetData>" + b"<row><c><v>1</v></c></row>" * 5000 + b"</sheetData></worksheet>")
    with pytest.raises(readers.ImportFileError, match="工作表解压后"):
        readers.open_table(path, max_rows=100)


def test_an_ordinary_workbook_passes_and_reads(tmp_path):
    path = tmp_path / "ok.xlsx"
    _real_workbook(path)
    rows = list(readers.open_table(path, max_rows=20_000).rows())
    assert rows[0][1][:2] == ["统一社会信用代码", "企业名称"] and len(rows) == 4


def test_a_damaged_archive_is_a_chinese_error(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(readers.ImportFileError, match="无法读取"):
        readers.open_table(path)


@pytest.mark.django_db
def test_the_chain_import_page_refuses_a_bomb_quickly(world, login, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shuzhuan.registry.models import Enterprise

    leader = world.enterprises["a"]
    Enterprise.objects.filter(pk=leader.pk).update(chain_leader=True)
    buffer = io.BytesIO()
    _archive(buffer, b'<worksheet><dimension ref="A1:C900000"/><sheetData/></worksheet>')
    upload = SimpleUploadedFile("chain.xlsx", buffer.getvalue())
    response = login(world.users["city"]).post(f"/market/chains/{leader.uscc}/import/", {"file": upload})
    assert response.status_code == 400 and "超过上限 20,000 行" in response.content.decode()


def test_a_chain_list_sheet_is_held_to_a_small_budget_per_row(tmp_path):
    from shuzhuan.marketplace.services.match import CHAIN_BYTES_PER_ROW, CHAIN_MAX_ROWS

    path = tmp_path / "padded.xlsx"
    padding = b"<row><c><v>1</v></c></row>" * (CHAIN_MAX_ROWS * CHAIN_BYTES_PER_ROW // 26 + 10)
    _archive(path, b"<worksheet><sheetData>" + padding + b"</sheetData></worksheet>")
    assert path.stat().st_size < 1024 * 1024  # about 20 MB of sheet in a small upload
    with pytest.raises(readers.ImportFileError, match="工作表解压后"):
        readers.open_table(path, max_rows=CHAIN_MAX_ROWS, bytes_per_row=CHAIN_BYTES_PER_ROW)
