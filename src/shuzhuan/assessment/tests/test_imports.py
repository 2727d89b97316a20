"""Bulk import of assessment results: row/column errors in Chinese, atomicity, scope, browser flow, re-scoring."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook

from shuzhuan.assessment import imports, tasks
from shuzhuan.assessment.models import Assessment, Source, Status
from shuzhuan.assessment.tests.sheets import miit, rated
from shuzhuan.assessment.tests.test_reports import MID, make_assessment
from shuzhuan.core.models import Job

QUESTIONS = [q.code for q in miit().questions]
SCENARIOS = [s.code for s in miit().scenarios]
HEADER = ["统一社会信用代码", "企业名称", "评测日期", "评测类型", "指标体系", *QUESTIONS, *SCENARIOS, "总分", "等级"]
LEVELS = rated(2, 3, 3, base=1)


def sheet_row(uscc, day="2024-05-08", kind="改造前", overrides=None, scenarios=None, score=None, level=None):
    answers = {**MID, **(overrides or {})}
    cells = [",".join(v) if isinstance(v, list) else v for v in (answers.get(c) for c in QUESTIONS)]
    levels = {**LEVELS, **(scenarios or {})}
    return [uscc, "", day, kind, "miit-2024", *cells, *(levels[c] for c in SCENARIOS), score, level]


def result_row(uscc, score, level, day="2023-05-08", indicator_set="miit-2024"):
    return [uscc, "", day, "定期", indicator_set, *([None] * (len(QUESTIONS) + len(SCENARIOS))), score, level]


def xlsx(tmp_path, rows, header=HEADER, name="results.xlsx"):
    wb = Workbook()
    wb.active.append(header)
    for row in rows:
        wb.active.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def codes(report):
    return [(e["row"], e["column"], e["code"]) for e in report.errors]


def test_sheets_and_result_only_rows_import(world, tmp_path):
    a, b = world.enterprises["a"].uscc, world.enterprises["b"].uscc
    path = xlsx(tmp_path, [sheet_row(a), result_row(b, 45, "二级"), result_row(a, "62.5", "", indicator_set="2022")])
    report = imports.import_file(path, actor=world.users["city"])
    assert report.errors == [] and report.created == 3
    sheet = Assessment.objects.get(enterprise=world.enterprises["a"], source=Source.IMPORT)
    direct = make_assessment(world.enterprises["a"])
    assert (sheet.score, sheet.level, sheet.second_levels) == (direct.score, direct.level, direct.second_levels)
    assert sheet.status == Status.SUBMITTED and sheet.answers["F1"] == ["B", "C"]
    only = Assessment.objects.get(enterprise=world.enterprises["b"])
    assert only.source == Source.RESULT_ONLY and only.level == 2 and only.score == Decimal("45")
    old = Assessment.objects.get(indicator_set="miit-2022")
    assert old.level == 3  # 2022 edition: 60–80 → 三级 by its score bands
    # importing the same rows again replaces them
    again = imports.import_file(path, actor=world.users["city"])
    assert again.updated == 3 and Assessment.objects.filter(source__in=[Source.IMPORT, Source.RESULT_ONLY]).count() == 3


def test_errors_name_row_column_and_roll_back(world, tmp_path):
    a = world.enterprises["a"].uscc
    rows = [
        sheet_row(a),  # valid, but the file has errors: nothing is imported
        sheet_row(a, day="2024-06-01", overrides={"F5": "Z", "F1": "A,B"}),
        sheet_row("91442000MA4W9999X1"),  # bad check character
        sheet_row(a),  # duplicate of row 2
        sheet_row(a, day="2024-07-01", scenarios={"S03": 7}),
        result_row(a, 30, "二级", day="2024-08-01"),  # 二级 needs ≥ 40
        result_row(a, "", "", day="2024-09-01"),  # nothing at all
    ]
    report = imports.import_file(xlsx(tmp_path, rows), actor=world.users["city"])
    found = codes(report)
    assert (3, "F5", "invalid_answer") in found and (3, "F1", "invalid_answer") in found
    assert any(r == 4 and col == "统一社会信用代码" for r, col, _ in found)
    assert (5, "统一社会信用代码", "duplicate_in_file") in found
    assert (6, "S03", "invalid_scenario") in found
    assert (7, "等级", "level_mismatch") in found
    assert (8, "统一社会信用代码", "empty_sheet") in found
    messages = {e["row"]: e["message"] for e in report.errors}
    assert "未知选项 Z" in messages[3] and "与第 2 行重复" in messages[5]
    assert report.rolled_back and report.created == 0 and not Assessment.objects.exists()
    partial = imports.import_file(xlsx(tmp_path, rows, name="again.xlsx"), actor=world.users["city"], skip_invalid=True)
    assert partial.created == 1 and Assessment.objects.count() == 1


def test_unknown_and_out_of_scope_enterprises(world, tmp_path):
    from shuzhuan.registry.domain import make_uscc

    rows = [sheet_row(make_uscc("442000", "MA4Y0001")), sheet_row(world.enterprises["b"].uscc),
            sheet_row(world.enterprises["a"].uscc)]
    report = imports.import_file(xlsx(tmp_path, rows), actor=world.users["town_a"], skip_invalid=True)
    assert [(r, c) for r, _col, c in codes(report)] == [(2, "unknown_enterprise"), (3, "enterprise_out_of_scope")]
    assert report.created == 1


def test_csv_multi_select_spellings(world, tmp_path):
    path = tmp_path / "r.csv"
    row = sheet_row(world.enterprises["a"].uscc, overrides={"F1": " c，b ", "F2": "c"})
    with path.open("w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows([HEADER, ["" if v is None else v for v in row]])
    report = imports.import_file(path, actor=world.users["city"])
    assert report.errors == [] and Assessment.objects.get().answers["F1"] == ["B", "C"]


@pytest.mark.parametrize("content, code", [
    (b"", "empty_file"),
    (b"\x00\x01\x02garbage\x00" * 50, "not_tabular"),
    (b"PK\x03\x04 not really a zip", "unreadable_xlsx"),
    ("统一社会信用代码,评测日期\n".encode(), "no_rows"),
    ("名称,地址\n甲,乙\n".encode(), "missing_headers"),
    ("统一社会信用代码,评测日期,F99\nx,y,z\n".encode(), "unknown_code"),
])
def test_bad_files_raise_clear_errors(world, tmp_path, content, code):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(imports.ImportFileError) as exc:
        imports.import_file(path, actor=world.users["city"])
    assert exc.value.code == code and exc.value.message


def test_browser_flow_preview_annotated_import(login, world, tmp_path):
    c = login(world.users["town_a"])
    assert c.get(reverse("assessment:import")).status_code == 200
    assert c.get(reverse("assessment:import_template")).content[:2] == b"PK"
    path = xlsx(tmp_path, [sheet_row(world.enterprises["a"].uscc), sheet_row(world.enterprises["b"].uscc)])
    with path.open("rb") as fh:
        response = c.post(reverse("assessment:import"), {"file": fh})
    assert response.status_code == 302
    preview = c.get(response.url)
    text = preview.content.decode()
    assert "不在您的管辖范围内" in text and "仅导入有效行" in text
    job_id = response.url.rstrip("/").split("/")[-1]
    annotated = c.get(reverse("assessment:import_annotated", args=[job_id]))
    assert annotated.status_code == 200
    refused = c.post(reverse("assessment:import_confirm", args=[job_id]), {"mode": "all"})
    assert refused.status_code == 302 and not Assessment.objects.exists()
    done = c.post(reverse("assessment:import_confirm", args=[job_id]), {"mode": "valid"})
    assert c.get(done.url).status_code == 200
    assert Assessment.objects.get().enterprise == world.enterprises["a"]
    with (tmp_path / "x.txt").open("wb") as fh:
        fh.write(b"hello")
    with (tmp_path / "x.txt").open("rb") as fh:
        assert c.post(reverse("assessment:import"), {"file": fh}).status_code == 400


def test_rescore_job_reports_changes(login, world):
    a = make_assessment(world.enterprises["a"])
    b = make_assessment(world.enterprises["b"])
    Assessment.objects.filter(pk=a.pk).update(score=Decimal("99"), level=4, version="2023.0")
    assert login(world.users["town_a"]).get(reverse("assessment:rescore")).status_code == 403
    c = login(world.users["city"])
    response = c.post(reverse("assessment:rescore"), {"indicator_set": "miit-2024"})
    assert response.status_code == 302
    a.refresh_from_db()
    b_before = b.score
    b.refresh_from_db()
    assert a.score == b.score == b_before and a.level == 2 and a.version == "2024.1"
    job = Job.objects.get(kind=tasks.RESCORE)
    assert job.result["changed"] == 1 and job.result["checked"] == 2 and "结果变化 1 份" in job.message
