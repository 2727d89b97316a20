"""Payout batches through the pages: build, review, approve, export the payment list, mark paid."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.models import PayoutBatch
from shuzhuan.programs.tests.factories import city_officers, confirm_batch, drive, fund, make_programme

pytestmark = pytest.mark.django_db


def test_batch_from_build_to_paid_on_the_pages(world, login):
    from python_calamine import CalamineWorkbook

    from shuzhuan.funds import services as funds

    programme = make_programme()
    fund(programme)
    project = drive(world, wf.CITY_APPROVED)
    c = login(world.users["city"])
    page = c.get("/programs/batches/").content.decode()
    assert project.title in page
    response = c.post("/programs/batches/build/", {"programme": programme.pk, "month": "2025-06", "project": [project.pk]})
    batch = PayoutBatch.objects.get()
    assert response.status_code == 302 and batch.label == "2025年06月第1批"
    project.refresh_from_db()
    assert project.state == wf.IN_BATCH and project.batch == batch
    assert "批次中没有" not in c.get(f"/programs/batches/{batch.pk}/").content.decode()
    _city, city2, city3 = city_officers(world)
    login(city2).post(f"/programs/batches/{batch.pk}/advance/", confirm_batch(batch))
    c = login(city3)
    c.post(f"/programs/batches/{batch.pk}/advance/", confirm_batch(batch))
    batch.refresh_from_db()
    assert batch.status == wf.BATCH_APPROVED
    refused = c.post(f"/programs/batches/{batch.pk}/advance/", confirm_batch(batch), follow=True).content.decode()
    assert "请先导出拨付清单" in refused
    export = c.post(f"/programs/batches/{batch.pk}/export.xlsx")
    assert export.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_name("拨付清单").to_python()
    assert rows[1][:3] == ["序号", "企业名称", "统一社会信用代码"]
    assert rows[2][1] == world.enterprises["a"].name and Decimal(str(rows[2][7])) == Decimal("400000.00")
    assert rows[-1][0] == "合计"
    c.post(f"/programs/batches/{batch.pk}/advance/", confirm_batch(batch))
    batch.refresh_from_db()
    project.refresh_from_db()
    assert batch.status == wf.BATCH_PAID and project.state == wf.PAID and project.paid_on
    assert sum(v["paid"] for v in funds.balances(programme.code).values()) == Decimal("400000.00")


def test_town_sees_its_rows_only_and_cannot_act(world, login):
    programme = make_programme()
    fund(programme)
    project = drive(world, wf.IN_BATCH)
    batch = project.batch
    assert login(world.users["town_a"]).get(f"/programs/batches/{batch.pk}/").status_code == 200
    assert login(world.users["town_b"]).get(f"/programs/batches/{batch.pk}/").status_code == 404
    assert login(world.users["town_a"]).post(f"/programs/batches/{batch.pk}/advance/", confirm_batch(batch)).status_code == 403
    batch.refresh_from_db()
    assert batch.status == wf.BATCH_DRAFT


def test_remove_from_a_draft_batch(world, login):
    programme = make_programme()
    fund(programme)
    project = drive(world, wf.IN_BATCH)
    c = login(world.users["city"])
    c.post(f"/programs/batches/{project.batch_id}/remove/", {"project": project.pk, "reason": "材料待核"})
    project.refresh_from_db()
    assert project.state == wf.CITY_APPROVED and project.batch is None
    assert c.post("/programs/batches/build/", {"programme": programme.pk, "month": "bad"}).status_code == 302

