"""The import's write path: upsert by USCC + 年度, history, atomicity, scope, readers, annotation."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import load_workbook

from shuzhuan.core.models import AuditEntry, Organisation, OrganisationKind
from shuzhuan.registry.domain import make_uscc
from shuzhuan.registry.imports.annotate import ERROR_HEADER, template_workbook, write_annotated
from shuzhuan.registry.imports.service import ImportFileError, import_file
from shuzhuan.registry.models import Enterprise, EnterpriseYear

HEADER = ["统一社会信用代码", "企业名称", "法定代表人", "所属镇街", "地址", "行业代码", "成立日期", "从业人数",
          "营业收入（万元）", "纳税总额", "年度"]


def uscc(n: int) -> str:
    return make_uscc("442000", f"MA9T{n:04d}")


def row(n: int, **kw) -> list:
    values = {"uscc": uscc(n), "name": f"示范灯饰{n}有限公司", "legal": "李四", "town": "古镇", "address": "古镇路 8 号",
              "industry": "3872", "founded": "2018/5/6", "employees": "350", "revenue": "2,500", "tax": "60万元",
              "year": "2024"}
    values.update(kw)
    return list(values.values())


def write_csv(path, rows, header=HEADER, encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path, rows, header=HEADER, title=None):
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    book.save(path)
    return path


@pytest.fixture
def csv_file(tmp_path):
    return lambda rows, **kw: write_csv(tmp_path / "in.csv", rows, **kw)


# --- creating and updating ---------------------------------------------------------------------
def test_creates_enterprises_with_years_derived_figures_and_history(world, csv_file):
    report = import_file(csv_file([row(1), row(2, town="小榄镇", industry="C3351", employees="12", revenue="150")]))
    assert report.as_dict() == {"rows_total": 2, "rows_valid": 2, "created": 2, "updated": 0, "errors": []}
    ent = Enterprise.objects.select_related("organisation").get(organisation__uscc=uscc(1))
    assert ent.organisation.kind == OrganisationKind.ENTERPRISE and ent.name == "示范灯饰1有限公司"
    assert (ent.town.short_name, ent.industry_id, ent.founded_on) == ("古镇", "3872", dt.date(2018, 5, 6))
    assert (ent.latest_year, ent.employees, ent.revenue, ent.tax) == (2024, 350, Decimal("25000000.00"), Decimal("600000.00"))
    assert (ent.size_class, ent.above_scale) == ("medium", True)
    small = Enterprise.objects.get(organisation__uscc=uscc(2))
    assert (small.town.short_name, small.size_class, small.above_scale) == ("小榄", "micro", False)
    year = EnterpriseYear.objects.get(enterprise=ent)
    assert (year.year, year.employees, year.revenue) == (2024, 350, Decimal("25000000.00"))
    entry = AuditEntry.objects.get(organisation=ent.organisation)
    assert entry.action == "create" and entry.target_id == str(ent.pk) and entry.actor_label == "系统"
    assert entry.changes["town"] == [None, "古镇"] and entry.changes["2024.revenue"] == [None, "25000000.00"]


def test_same_year_updates_new_year_adds_and_history_has_the_diff(world, csv_file):
    import_file(csv_file([row(1)]))
    report = import_file(csv_file([row(1, employees="360", address="古镇新路 9 号"), row(1, year="2023", employees="300")]))
    assert (report.created, report.updated, report.rows_valid) == (0, 2, 2)
    ent = Enterprise.objects.get(organisation__uscc=uscc(1))
    assert sorted(ent.years.values_list("year", "employees")) == [(2023, 300), (2024, 360)]
    assert (ent.latest_year, ent.employees, ent.address) == (2024, 360, "古镇新路 9 号")
    update = AuditEntry.objects.filter(organisation=ent.organisation, action="update").order_by("id").first()
    assert update.changes == {"address": ["古镇路 8 号", "古镇新路 9 号"], "2024.employees": [350, 360]}


def test_older_year_does_not_move_derived_figures_newer_year_does(world, csv_file):
    import_file(csv_file([row(1)]))
    import_file(csv_file([row(1, year="2022", employees="5", revenue="10", address="旧地址", name="旧名称")]))
    ent = Enterprise.objects.select_related("organisation").get(organisation__uscc=uscc(1))
    assert (ent.latest_year, ent.employees, ent.size_class) == (2024, 350, "medium")
    assert (ent.address, ent.name) == ("古镇路 8 号", "示范灯饰1有限公司")  # the profile follows the latest year
    assert ent.years.get(year=2022).employees == 5
    import_file(csv_file([row(1, year="2025", employees="1200", revenue="50000")]))
    ent.refresh_from_db()
    assert (ent.latest_year, ent.employees, ent.size_class, ent.above_scale) == (2025, 1200, "large", True)


def test_unchanged_rows_are_neither_updated_nor_audited(world, csv_file):
    path = csv_file([row(1)])
    import_file(path)
    report = import_file(path)
    assert (report.created, report.updated, report.rows_valid) == (0, 0, 1)
    assert AuditEntry.objects.filter(organisation__uscc=uscc(1)).count() == 1


def test_empty_optional_cells_keep_stored_values(world, csv_file):
    import_file(csv_file([row(1)]))
    import_file(csv_file([row(1, legal="", employees="", address="")]))
    ent = Enterprise.objects.get(organisation__uscc=uscc(1))
    assert (ent.legal_representative, ent.employees, ent.address) == ("李四", 350, "古镇路 8 号")


def test_rename_changes_the_organisation(world, csv_file):
    import_file(csv_file([row(1)]))
    import_file(csv_file([row(1, name="示范灯饰（中山）有限公司")]))
    assert Organisation.objects.get(uscc=uscc(1)).name == "示范灯饰（中山）有限公司"


def test_existing_organisation_without_profile_gets_one(world, csv_file):
    provider = world.orgs["provider_a"]
    report = import_file(csv_file([row(1, uscc=provider.uscc, name=provider.name)]))
    assert report.created == 1
    assert Enterprise.objects.get(pk=provider.pk).town.short_name == "古镇"
    assert Organisation.objects.get(pk=provider.pk).kind == OrganisationKind.PROVIDER


def test_existing_enterprise_from_the_world_is_updated(world, csv_file):
    ent = world.enterprises["a"]
    report = import_file(csv_file([row(0, uscc=ent.uscc, name=ent.name, year="2025", employees="400")]))
    assert report.updated == 1
    ent.refresh_from_db()
    assert (ent.latest_year, ent.employees) == (2025, 400)


# --- atomicity ---------------------------------------------------------------------------------
def test_any_error_writes_nothing(world, csv_file):
    report = import_file(csv_file([row(1), row(2, town="火星")]))
    assert (report.rows_total, report.rows_valid, report.created, report.updated) == (2, 1, 0, 0)
    assert report.errors == [{"row": 3, "column": "所属镇街", "code": "unknown_town",
                              "message": report.errors[0]["message"]}]
    assert not Organisation.objects.filter(uscc__in=[uscc(1), uscc(2)]).exists()


def test_skip_invalid_writes_the_valid_rows(world, csv_file):
    report = import_file(csv_file([row(1), row(2, town="火星"), row(3)]), skip_invalid=True)
    assert (report.rows_valid, report.created) == (2, 2)
    assert set(Organisation.objects.filter(uscc__startswith="91442000MA9T").values_list("uscc", flat=True)) == {uscc(1), uscc(3)}


def test_dry_run_counts_but_writes_nothing(world, csv_file):
    import_file(csv_file([row(1)]))
    report = import_file(csv_file([row(1, employees="1"), row(2), row(3, year="1900")]), dry_run=True)
    assert (report.created, report.updated, report.rows_valid, report.rows_total) == (1, 1, 2, 3)
    assert not Organisation.objects.filter(uscc=uscc(2)).exists()
    assert Enterprise.objects.get(organisation__uscc=uscc(1)).employees == 350


def test_duplicate_in_file(world, csv_file):
    report = import_file(csv_file([row(1), row(2), row(1, name="重复")]))
    assert [(e["row"], e["code"]) for e in report.errors] == [(4, "duplicate_in_file")]
    assert "第 2 行" in report.errors[0]["message"]


def test_chunks_keep_repeated_enterprises_consistent(world, csv_file):
    rows = [row(1, year="2022"), row(1, year="2023", employees="400"), row(2), row(1, year="2024", employees="500"),
            row(3), row(1, year="2021")]
    report = import_file(csv_file(rows), chunk_rows=2)
    assert (report.created, report.updated) == (3, 3)
    ent = Enterprise.objects.get(organisation__uscc=uscc(1))
    assert sorted(ent.years.values_list("year", flat=True)) == [2021, 2022, 2023, 2024]
    assert (ent.latest_year, ent.employees) == (2024, 500)
    assert AuditEntry.objects.filter(organisation=ent.organisation).count() == 4


def test_queries_per_chunk_are_bounded(world, csv_file):
    import_file(csv_file([row(n) for n in range(10)]))  # half the rows will be updates
    path = csv_file([row(n, employees="999") for n in range(5, 25)])
    with CaptureQueriesContext(connection) as small:
        import_file(path, chunk_rows=20)
    path = csv_file([row(n, employees="999") for n in range(5, 65)])
    with CaptureQueriesContext(connection) as large:
        import_file(path, chunk_rows=20)
    assert len(large) - len(small) <= 2 * 8  # two more chunks, a handful of queries each (4 of them for the duplicate keys)


def test_progress_is_reported(world, csv_file):
    calls = []
    import_file(csv_file([row(n) for n in range(5)]), chunk_rows=2, progress=lambda *a, **k: calls.append(a))
    assert calls[-1][:2] == (5, 5) and len(calls) >= 3


# --- scope -------------------------------------------------------------------------------------
def test_town_officer_cannot_write_another_town(world, csv_file):
    officer = world.users["town_a"]
    report = import_file(csv_file([row(1), row(2, town="小榄")]), actor=officer, skip_invalid=True)
    assert [(e["row"], e["code"]) for e in report.errors] == [(3, "town_out_of_scope")]
    assert not Organisation.objects.filter(uscc=uscc(2)).exists()
    entry = AuditEntry.objects.get(organisation__uscc=uscc(1))
    assert entry.actor == officer


def test_town_officer_cannot_pull_an_enterprise_from_another_town(world, csv_file):
    other = world.enterprises["b"]  # registered in 小榄
    report = import_file(csv_file([row(0, uscc=other.uscc, town="古镇")]), actor=world.users["town_a"], skip_invalid=True)
    assert [e["code"] for e in report.errors] == ["town_out_of_scope"] and report.rows_valid == 0
    other.refresh_from_db()
    assert other.town.short_name == "小榄"


def test_city_officer_may_import_any_town(world, csv_file):
    report = import_file(csv_file([row(1), row(2, town="小榄")]), actor=world.users["city"])
    assert report.created == 2


# --- readers -----------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_encodings(world, tmp_path, encoding):
    path = write_csv(tmp_path / "in.csv", [row(1, name="中山市古镇镇灯饰（示范）有限公司")], encoding=encoding)
    report = import_file(path)
    assert report.created == 1 and not report.errors
    assert Organisation.objects.get(uscc=uscc(1)).name == "中山市古镇镇灯饰（示范）有限公司"


def test_semicolon_and_tab_delimiters(world, tmp_path):
    for delimiter in (";", "\t"):
        path = tmp_path / "in.csv"
        path.write_text("\n".join(delimiter.join(r) for r in [HEADER, row(1)]), encoding="utf-8")
        assert import_file(path, dry_run=True).rows_valid == 1


def test_xlsx_with_title_row_date_cells_and_scientific_uscc(world, tmp_path):
    rows = [row(1, founded=dt.date(2018, 5, 6), employees=350, revenue=2500, year=2024),
            row(2, uscc=9.14420001e17)]
    path = write_xlsx(tmp_path / "in.xlsx", rows, title="2024 年度企业名录")
    report = import_file(path, skip_invalid=True)
    assert report.created == 1
    assert report.errors[0]["row"] == 4 and report.errors[0]["code"] == "uscc_scientific_notation"
    ent = Enterprise.objects.get(organisation__uscc=uscc(1))
    assert (ent.founded_on, ent.revenue) == (dt.date(2018, 5, 6), Decimal("25000000.00"))


def test_english_headers(world, tmp_path):
    header = ["year", "name", "uscc", "town", "industry", "revenue", "employees"]
    path = write_csv(tmp_path / "in.csv", [["2024", "Demo Lighting Co.", uscc(1), "442000105000", "C3872", "1,234.50", "8"]],
                     header=header)
    assert import_file(path).created == 1
    assert Enterprise.objects.get(organisation__uscc=uscc(1)).revenue == Decimal("1234.50")


@pytest.mark.parametrize(("content", "code"), [
    (b"", "empty_file"),
    (b"   \n\n", "empty_file"),
    (bytes(range(256)) * 50, "not_tabular"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "unreadable_xlsx"),
    (b"PK\x03\x04garbage", "unreadable_xlsx"),
    ("企业名称,地址\n某公司,某路\n".encode(), "missing_headers"),
    (b"\xff\xfe\xfa" * 100 + b"\x81", "unknown_encoding"),
])
def test_unreadable_files(world, tmp_path, content, code):
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as exc:
        import_file(path)
    assert exc.value.code == code and exc.value.message


def test_zip_that_is_not_a_workbook(world, tmp_path):
    path = tmp_path / "in.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(ImportFileError):
        import_file(path)


def test_huge_cell_is_a_clear_error(world, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(",".join(HEADER) + "\n" + ",".join(row(1)[:-1]) + "," + "9" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as exc:
        import_file(path)
    assert exc.value.code == "bad_csv" and "第 2 行" in exc.value.message


def test_long_text_cell_is_a_row_error(world, csv_file):
    report = import_file(csv_file([row(1, name="长" * 500)]))
    assert report.errors[0]["code"] == "too_long"


def test_bad_bytes_after_the_sample_are_a_file_error(world, tmp_path):
    path = tmp_path / "in.csv"
    body = "\n".join(",".join(row(n)) for n in range(3000)).encode("utf-8")
    path.write_bytes(codecs.BOM_UTF8 + ",".join(HEADER).encode() + b"\n" + body + b"\n\xff\xfe,\xff\n")
    with pytest.raises(ImportFileError) as exc:
        import_file(path)
    assert exc.value.code == "unknown_encoding"
    assert not Organisation.objects.filter(uscc=uscc(1)).exists()


# --- annotation and template -------------------------------------------------------------------
def test_annotated_file_has_an_error_column_on_the_right_rows(world, tmp_path):
    source = write_csv(tmp_path / "in.csv", [row(1), row(2, town="火星", name="=HYPERLINK(\"x\")"), row(3, year="")])
    report = import_file(source)
    out = tmp_path / "annotated.xlsx"
    write_annotated(source, report.errors, out)
    rows = load_workbook(str(out)).get_sheet_by_index(0).to_python()
    assert rows[0][len(HEADER)] == ERROR_HEADER
    assert rows[1][len(HEADER)] == ""
    assert rows[2][len(HEADER)].startswith("所属镇街：") and "火星" in rows[2][len(HEADER)]
    assert rows[2][1] == "=HYPERLINK(\"x\")"  # kept as text, not turned into a formula
    assert "年度不能为空" in rows[3][len(HEADER)]
    assert rows[1][0] == uscc(1)


def test_template_is_importable_once_filled(world, tmp_path):
    book = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["统一社会信用代码", "企业名称", "法定代表人", "所属镇街"]
    values = {"统一社会信用代码": uscc(1), "企业名称": "模板公司", "所属镇街": "古镇", "年度": 2024, "营业收入（元）": 100}
    sheet.append([values.get(h) for h in headers])
    path = tmp_path / "filled.xlsx"
    book.save(path)
    assert import_file(path).created == 1
