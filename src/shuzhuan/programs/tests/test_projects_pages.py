"""Project pages, API and admin: scope, uploads, archive, and the payout guarantee on every route."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from shuzhuan.core.testing import REACHED_PAGE
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.models import Project
from shuzhuan.programs.tests.factories import city_officers, confirm_batch, drive, fund, make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(world):
    programme = make_programme()
    fund(programme)
    return programme


def url(project, suffix=""):
    return f"/programs/projects/{project.pk}/{suffix}"


def test_detail_is_scoped_by_role(world, programme, login):
    project = drive(world, wf.TOWN_REVIEWED)
    expected = {"city": 200, "town_a": 200, "ent_a": 200, "provider_a": 200, "town_b": 404, "ent_b": 404,
                "expert": 404, "bank_a": 403}
    for who, status in expected.items():
        assert login(world.users[who]).get(url(project)).status_code == status, who
    from shuzhuan.programs import services

    services.assign_expert(world.users["city"], project, world.users["expert"])
    response = login(world.users["expert"]).get(url(project))
    assert response.status_code == 200 and "提交评审意见" in response.content.decode()


def test_owner_reaches_every_programs_route(world, client):
    """Positive control for the scope test, for this app's routes only."""
    import re

    from tests.test_scope import fill, page_routes

    from shuzhuan.programs.tests.scope_fixtures import side_b_values

    values = {k: str(v) for k, v in side_b_values(world).items()}
    client.force_login(world.users["town_b"])
    checked = 0
    for route, _name, _cb in page_routes():
        if route.startswith("programs/") and re.search(r"<", route):
            response = client.get(fill(route, values))
            assert response.status_code in REACHED_PAGE, (route, response.status_code)
            checked += 1
    assert checked >= 12


def test_page_refuses_with_the_guard_reason(world, programme, login):
    project = drive(world, wf.DRAFT)
    c = login(world.users["ent_a"])
    page = c.get(url(project)).content.decode()
    assert "提交合同备案" in page and "服务商不在供给资源池中" in page  # the disabled button says why
    response = c.post(url(project, "act/"), {"action": "file_contract"}, follow=True)
    assert "服务商不在供给资源池中" in response.content.decode()
    project.refresh_from_db()
    assert project.state == wf.DRAFT


def test_upload_checks_content_not_only_the_name(world, programme, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    project = drive(world, wf.DRAFT)
    c = login(world.users["ent_a"])
    fake = SimpleUploadedFile("合同.pdf", b"MZ not a pdf")
    response = c.post(url(project, "documents/"), {"kind": "contract", "file": fake}, follow=True)
    assert "文件内容与扩展名不符" in response.content.decode()
    assert not project.documents.exists()
    real = SimpleUploadedFile("合同.pdf", b"%PDF-1.4 ok")
    c.post(url(project, "documents/"), {"kind": "contract", "file": real})
    document = project.documents.get()
    download = c.get(url(project, f"documents/{document.pk}/"))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert login(world.users["ent_b"]).get(url(project, f"documents/{document.pk}/")).status_code == 404


def test_archive_zip_has_documents_and_summary(world, programme, login):
    project = drive(world, wf.PAID)
    response = login(world.users["town_a"]).get(url(project, "archive.zip"))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert "项目摘要.txt" in names and len(names) == 9
    summary = archive.read("项目摘要.txt").decode()
    assert "补助金额：400,000.00 元" in summary and "市级审定通过" in summary


def _tamper(project, level=1):
    from shuzhuan.assessment.models import Assessment

    Assessment.objects.filter(pk=project.post_assessment_id).update(level=level)


def test_payout_impossible_through_the_batch_page_without_passing_assessment(world, programme, login):
    project = drive(world, wf.IN_BATCH)
    batch = project.batch
    _tamper(project)
    _city, city2, city3 = city_officers(world)
    login(city2).post(f"/programs/batches/{batch.pk}/advance/", confirm_batch(batch))
    c = login(city3)
    c.post(f"/programs/batches/{batch.pk}/advance/", confirm_batch(batch))
    c.post(f"/programs/batches/{batch.pk}/export.xlsx")
    response = c.post(f"/programs/batches/{batch.pk}/advance/", confirm_batch(batch), follow=True)
    assert "未达到二级" in response.content.decode()
    project.refresh_from_db()
    batch.refresh_from_db()
    assert project.state == wf.IN_BATCH and batch.status == wf.BATCH_APPROVED
    response = c.post(url(project, "act/"), {"action": "pay"}, follow=True)
    assert "未知的操作" in response.content.decode()
    project.refresh_from_db()
    assert project.state == wf.IN_BATCH


def test_payout_impossible_through_the_api_without_passing_assessment(world, programme, login):
    from shuzhuan.programs import services

    project = drive(world, wf.IN_BATCH)
    _city, city2, city3 = city_officers(world)
    services.advance_batch(city2, project.batch)
    services.advance_batch(city3, project.batch)
    _tamper(project)
    c = login(world.users["city"])
    response = c.post(f"/api/v1/programs/projects/{project.pk}/transition", {"action": "pay"},
                      content_type="application/json")
    assert response.status_code == 409
    assert "未达到二级" in response.json()["message"]
    project.refresh_from_db()
    assert project.state == wf.IN_BATCH
    _tamper(project, level=3)
    # a project is paid only with its whole batch: the API may not pay one of an approved batch
    response = c.post(f"/api/v1/programs/projects/{project.pk}/transition", {"action": "pay"},
                      content_type="application/json")
    assert response.status_code == 409 and "随批次一并兑现" in response.json()["message"]
    services.export_batch(city3, project.batch)
    services.advance_batch(city3, project.batch)
    project.refresh_from_db()
    assert project.state == wf.PAID


def test_payout_impossible_through_admin(world, programme, login):
    project = drive(world, wf.CITY_APPROVED)
    c = login(world.users["admin"])
    change = f"/admin/programs/project/{project.pk}/change/"
    assert c.get(change).status_code == 200  # viewable
    response = c.post(change, {"state": "paid", "title": project.title})
    assert response.status_code == 403
    assert c.post("/admin/programs/project/add/", {"state": "paid"}).status_code == 403
    project.refresh_from_db()
    assert project.state == wf.CITY_APPROVED


def test_database_refuses_a_payout_without_post_assessment(world, programme):
    project = drive(world, wf.CITY_APPROVED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(state=wf.PAID, post_assessment=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(state=wf.IN_BATCH, level_achieved=1)
    project.refresh_from_db()
    assert project.state == wf.CITY_APPROVED


def test_api_lists_only_the_scope(world, programme, login):
    project = drive(world, wf.CONTRACT_FILED)
    data = login(world.users["provider_a"]).get("/api/v1/programs/projects").json()
    assert [p["id"] for p in data] == [project.pk]
    assert login(world.users["town_b"]).get("/api/v1/programs/projects").json() == []
    assert login(world.users["town_b"]).get(f"/api/v1/programs/projects/{project.pk}").status_code == 404
    response = login(world.users["ent_a"]).post(f"/api/v1/programs/projects/{project.pk}/transition",
                                                {"action": "fly"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "action"


def test_project_list_query_count_is_flat(world, programme, login):
    from shuzhuan.programs import services

    drive(world, wf.CONTRACT_FILED)
    c = login(world.users["city"])
    with CaptureQueriesContext(connection) as one:
        assert c.get("/programs/projects/").status_code == 200
    for i in range(4):
        Project.objects.create(programme=programme, listing=services.Listing.objects.first(),
                               enterprise=world.enterprises["a"], title=f"项目 {i}", provider=world.orgs["provider_a"])
    with CaptureQueriesContext(connection) as five:
        assert c.get("/programs/projects/").status_code == 200
    assert len(five) == len(one) == 6  # pinned


@pytest.mark.parametrize("state", [wf.DRAFT, wf.IN_PROGRESS, wf.COMPLETED, wf.ACCEPTANCE_APPLIED, wf.EXPERT_REVIEWED,
                                   wf.CITY_APPROVED, wf.PAID])
def test_project_page_renders_in_every_state_for_every_role(world, programme, login, state):
    project = drive(world, state)
    for who in ("admin", "city", "town_a", "ent_a", *(("provider_a",) if state != wf.DRAFT else ())):
        response = login(world.users[who]).get(url(project))
        assert response.status_code == 200, who
        assert wf.STATES[state] in response.content.decode()


def test_expert_opinion_form_errors_are_shown(world, programme, login):
    from shuzhuan.programs import services

    project = drive(world, wf.TOWN_REVIEWED)
    services.assign_expert(world.users["city"], project, world.users["expert"])
    c = login(world.users["expert"])
    response = c.post(url(project, "review/"), {"score": "120", "recommend": "1", "opinion": ""}, follow=True)
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.state == wf.TOWN_REVIEWED
    c.post(url(project, "review/"), {"score": "85.5", "recommend": "1", "opinion": "同意"})
    project.refresh_from_db()
    assert project.state == wf.EXPERT_REVIEWED
    assert project.expert_opinions.get().score == Decimal("85.50")
