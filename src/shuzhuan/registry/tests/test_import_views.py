"""The browser import: upload → validation job → preview → import job → result; scope; bad input."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import load_workbook

from shuzhuan.core.models import AuditEntry, Job, JobStatus, Organisation
from shuzhuan.registry.domain import make_uscc
from shuzhuan.registry.imports import tasks
from shuzhuan.registry.models import Enterprise

HEADER = ["统一社会信用代码", "企业名称", "所属镇街", "行业代码", "从业人数", "营业收入（万元）", "年度"]
UPLOAD = reverse("registry:import")


def uscc(n: int) -> str:
    return make_uscc("442000", f"MA8W{n:04d}")


def csv_bytes(rows, header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def good(n: int, town: str = "古镇") -> list:
    return [uscc(n), f"视图测试{n}有限公司", town, "3872", "50", "800", "2024"]


def upload(client, content: bytes, name: str = "企业.csv"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})


def job_of(response) -> Job:
    return Job.objects.get(pk=response.url.rstrip("/").split("/")[-1])


@pytest.fixture
def officer(world, login):
    return login(world.users["town_a"])


# --- access ------------------------------------------------------------------------------------
def test_anonymous_goes_to_login_and_other_roles_are_refused(world, client, login):
    assert client.get(UPLOAD).status_code == 302
    for role in ("ent_a", "provider_a", "bank_a", "expert"):
        assert login(world.users[role]).get(UPLOAD).status_code == 403


@pytest.mark.parametrize("role", ["admin", "city", "town_a"])
def test_officers_see_the_upload_page(world, login, role):
    response = login(world.users[role]).get(UPLOAD)
    assert response.status_code == 200
    assert "下载导入模板" in response.content.decode() and 'accept=".csv,.xlsx"' in response.content.decode()


def test_template_download(officer):
    response = officer.get(reverse("registry:import_template"))
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A1"].value == "统一社会信用代码"


# --- the happy path ----------------------------------------------------------------------------
def test_upload_preview_import_result(world, officer):
    response = upload(officer, csv_bytes([good(1), good(2)]))
    assert response.status_code == 302
    job = job_of(response)
    assert job.kind == tasks.VALIDATE and job.status == JobStatus.SUCCEEDED and job.owner == world.users["town_a"]
    assert job.input_file.startswith("imports/")
    preview = officer.get(response.url)
    page = preview.content.decode()
    assert preview.status_code == 200 and "导入全部" in page and "下载标注错误的文件" not in page
    assert (job.result["rows_total"], job.result["created"]) == (2, 2)
    assert not Organisation.objects.filter(uscc=uscc(1)).exists()  # the preview is a dry run

    done = officer.post(reverse("registry:import_confirm", args=[job.pk]), {"mode": "all"})
    run = job_of(done)
    assert run.kind == tasks.IMPORT and run.status == JobStatus.SUCCEEDED
    result = officer.get(done.url).content.decode()
    assert reverse("registry:list") in result and "导入完成" in result
    ent = Enterprise.objects.get(organisation__uscc=uscc(1))
    assert ent.town == world.towns["a"] and ent.revenue == 8_000_000
    assert AuditEntry.objects.get(organisation=ent.organisation).actor == world.users["town_a"]

    again = officer.post(reverse("registry:import_confirm", args=[job.pk]), {"mode": "all"})
    assert again.url == done.url  # one import per validated upload
    assert "查看导入结果" in officer.get(response.url).content.decode()


def test_errors_preview_annotated_download_and_valid_rows_only(world, officer, tmp_path):
    rows = [good(1), good(2, town="小榄"), [uscc(3), "", "古镇", "3872", "5", "1", "2024"]]
    response = upload(officer, csv_bytes(rows))
    job = job_of(response)
    page = officer.get(response.url).content.decode()
    assert "不属于本镇街" in page and "企业名称不能为空" in page
    assert "下载标注错误的文件" in page and "仅导入有效行（1 行）" in page and 'value="all"' not in page
    assert {e["code"] for e in job.result["errors"]} == {"town_out_of_scope", "required"}

    annotated = officer.get(reverse("registry:import_annotated", args=[job.pk]))
    assert annotated.status_code == 200
    path = tmp_path / "annotated.xlsx"
    path.write_bytes(b"".join(annotated.streaming_content))
    sheet = load_workbook(str(path)).get_sheet_by_index(0).to_python()
    assert sheet[0][-1] == "错误说明" and "不属于本镇街" in sheet[2][-1] and sheet[1][-1] == ""

    refused = officer.post(reverse("registry:import_confirm", args=[job.pk]), {"mode": "all"}, follow=True)
    assert "文件有错误" in refused.content.decode()
    assert not Job.objects.filter(kind=tasks.IMPORT).exists()

    done = officer.post(reverse("registry:import_confirm", args=[job.pk]), {"mode": "valid"})
    assert job_of(done).result["created"] == 1
    assert Organisation.objects.filter(uscc=uscc(1)).exists()
    assert not Organisation.objects.filter(uscc__in=[uscc(2), uscc(3)]).exists()


def test_city_officer_imports_any_town(world, login):
    client = login(world.users["city"])
    job = job_of(upload(client, csv_bytes([good(1), good(2, town="小榄")])))
    assert job.result["error_count"] == 0
    client.post(reverse("registry:import_confirm", args=[job.pk]), {"mode": "all"})
    assert Enterprise.objects.filter(organisation__uscc__in=[uscc(1), uscc(2)]).count() == 2


def test_progress_is_polled_while_the_job_runs(world, officer):
    job = Job.objects.create(owner=world.users["town_a"], kind=tasks.VALIDATE, title="x", status=JobStatus.RUNNING)
    page = officer.get(reverse("registry:import_preview", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and reverse("core:job", args=[job.pk]) in page


# --- nobody else's jobs ------------------------------------------------------------------------
def test_other_users_jobs_are_404(world, officer, login):
    job = job_of(upload(officer, csv_bytes([good(1), good(2, town="小榄")])))
    for name in ("town_b", "city"):
        other = login(world.users[name])
        for url_name in ("import_preview", "import_annotated"):
            assert other.get(reverse(f"registry:{url_name}", args=[job.pk])).status_code == 404
        assert other.post(reverse("registry:import_confirm", args=[job.pk]), {"mode": "valid"}).status_code == 404
    assert not Job.objects.filter(kind=tasks.IMPORT).exists()


def test_job_of_another_kind_is_404(world, officer):
    job = job_of(upload(officer, csv_bytes([good(1)])))
    assert officer.get(reverse("registry:import_result", args=[job.pk])).status_code == 404


# --- bad input never gives a 500 ---------------------------------------------------------------
@pytest.mark.parametrize(("content", "name", "message"), [
    (b"a,b\n1,2\n", "data.txt", "只支持"),
    (b"", "empty.csv", "空"),
    (b"\xd0\xcf\x11\xe0", "old.xls", "另存为 .xlsx"),
])
def test_refused_uploads(officer, content, name, message):
    response = upload(officer, content, name)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Job.objects.exists()


def test_upload_without_a_file(officer):
    response = officer.post(UPLOAD, {})
    assert response.status_code == 400


def test_upload_over_the_size_limit(officer, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    response = upload(officer, csv_bytes([good(n) for n in range(10)]))
    assert response.status_code == 400 and "文件过大" in response.content.decode()


@pytest.mark.parametrize(("content", "name", "message"), [
    (bytes(range(256)) * 40, "garbage.xlsx", "不是 CSV 或 XLSX"),
    (bytes(range(256)) * 40, "garbage.csv", "不是 CSV 或 XLSX"),
    ("名称,地址\n甲,乙\n".encode("gbk"), "headers.csv", "缺少必需的列"),
    (("统一社会信用代码,企业名称,所属镇街,年度\n" + "x" * 200_000 + ",a,b,2024\n").encode(), "huge.csv", "超过"),
    (b"PK\x03\x04" + b"\x00" * 100, "zip.xlsx", "无法读取该 Excel 文件"),
])
def test_unreadable_files_fail_the_job_with_a_message(officer, content, name, message):
    response = upload(officer, content, name)
    job = job_of(response)
    assert job.status == JobStatus.FAILED
    page = officer.get(response.url)
    assert page.status_code == 200 and message in page.content.decode() and "重新上传" in page.content.decode()
    assert officer.post(reverse("registry:import_confirm", args=[job.pk]), {"mode": "valid"}).status_code == 302
    assert not Job.objects.filter(kind=tasks.IMPORT).exists()


def test_annotated_download_without_errors_is_404(officer):
    job = job_of(upload(officer, csv_bytes([good(1)])))
    assert officer.get(reverse("registry:import_annotated", args=[job.pk])).status_code == 404
