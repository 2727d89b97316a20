"""The programme dashboard: funnel, money, levels, towns, overdue; scoped; XLSX; flat query count."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.models import Project
from shuzhuan.programs.tests.factories import drive, fund, make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(world):
    programme = make_programme()
    fund(programme)
    return drive(world, wf.PAID)


def test_dashboard_figures(world, paid, login):
    from shuzhuan.programs import dashboard

    board = dashboard.build(paid.programme, world.users["city"], with_ledger=True)
    assert [f["count"] for f in board.funnel] == [1, 1, 1, 1, 1]
    paid_row = next(m for m in board.money if m["state"] == wf.PAID)
    assert str(paid_row["total"]) == "400000.00" and str(paid_row["by_source"]["central"]) == "133333.34"
    assert board.level_rows == [("未评定", [0, 0, 0, 1, 0], 1)]
    assert board.towns[0]["name"] == "古镇" and board.towns[0]["paid"] == 1
    assert board.sub_industries[0]["name"] == "照明灯饰"
    assert board.ledger
    town_b = dashboard.build(paid.programme, world.users["town_b"])
    assert [f["count"] for f in town_b.funnel] == [0, 0, 0, 0, 0] and town_b.towns == []
    page = login(world.users["city"]).get("/programs/dashboard/").content.decode()
    assert "推进漏斗" in page and "400,000.00" not in page and "40.00" in page  # 万元


def test_overdue_items_and_export(world, paid, login):
    from python_calamine import CalamineWorkbook

    late = Project.objects.create(programme=paid.programme, listing=paid.listing, enterprise=paid.enterprise,
                                  title="逾期的项目", finish_due=dt.date.today() - dt.timedelta(days=10))
    c = login(world.users["town_a"])
    page = c.get("/programs/dashboard/").content.decode()
    assert "逾期的项目" in page and "已过 10 天" in page
    response = c.get("/programs/dashboard/export.xlsx")
    wb = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert wb.sheet_names == ["漏斗", "资金（元）", "改造前后等级", "镇街", "细分行业", "逾期事项", "项目清单"]
    assert wb.get_sheet_by_name("逾期事项").to_python()[1][0] == late.title
    assert len(wb.get_sheet_by_name("项目清单").to_python()) == 3


def test_dashboard_query_count_does_not_grow(world, paid, login):
    c = login(world.users["city"])
    with CaptureQueriesContext(connection) as before:
        c.get("/programs/dashboard/")
    for i in range(5):
        Project.objects.create(programme=paid.programme, listing=paid.listing, enterprise=paid.enterprise,
                               title=f"p{i}", finish_due=dt.date.today() - dt.timedelta(days=i + 1))
    with CaptureQueriesContext(connection) as after:
        c.get("/programs/dashboard/")
    assert len(after) == len(before)


def test_pool_pages(world, login):
    programme = make_programme()
    c = login(world.users["town_a"])
    c.post("/programs/pool/propose/", {"programme": programme.code, "limit": "10"})
    listing = programme.listings.get()
    assert listing.enterprise == world.enterprises["a"] and listing.status == wf.LISTING_PROPOSED
    c.post("/programs/pool/review/", {"programme": programme.code, "listing": [listing.pk], "decision": "approve"})
    login(world.users["city"]).post("/programs/pool/review/", {"programme": programme.code, "listing": [listing.pk],
                                                               "decision": "approve"})
    listing.refresh_from_db()
    assert listing.status == wf.LISTING_LISTED
    from django.test import Client

    public = Client().get("/programs/pilots/").content.decode()
    assert world.enterprises["a"].name in public
    assert login(world.users["town_b"]).get("/programs/pool/").content.decode().count(world.enterprises["a"].name) == 0
    with CaptureQueriesContext(connection) as queries:
        login(world.users["city"]).get("/programs/pool/")
    assert len(queries) == 15  # pinned: a new query per row or per filter fails here


def test_enterprise_applies(world, login):
    programme = make_programme()
    c = login(world.users["ent_a"])
    page = c.get("/programs/apply/").content.decode()
    assert "符合条件" in page and "照明灯饰" in page
    c.post("/programs/apply/", {"programme": programme.pk, "note": "希望参加"})
    assert programme.listings.get().status == wf.LISTING_APPLIED
    again = c.post("/programs/apply/", {"programme": programme.pk}).content.decode()
    assert "已在该计划" in again


def test_money_comes_from_the_ledger_not_the_stored_split(world, paid):
    """The dashboard's money table reads the ledger's postings: a project's stored JSON split that
    disagrees (edited, stale) does not change the figures."""
    from shuzhuan.programs import dashboard

    Project.objects.filter(pk=paid.pk).update(subsidy_by_source={"central": "999999.00"})
    board = dashboard.build(paid.programme, world.users["city"], with_ledger=True)
    paid_row = next(m for m in board.money if m["state"] == wf.PAID)
    assert str(paid_row["total"]) == "400000.00" and str(paid_row["by_source"]["central"]) == "133333.34"
    assert board.cards["paid_amount"] == paid_row["total"] and board.problems == []


def test_a_failure_to_read_rules_or_ledger_is_shown(world, paid, login):
    """Rules that cannot be read are not swallowed: the page says so, and the payment export is
    refused with the reason rather than written without its fund-source columns."""
    from shuzhuan.programs.models import Programme

    Programme.objects.filter(pk=paid.programme.pk).update(code="no-such-rules")
    c = login(world.users["city"])
    page = c.get("/programs/dashboard/?programme=no-such-rules").content.decode()
    assert "data-problem" in page and "no-such-rules.yaml" in page
    from shuzhuan.core.models import AuditEntry
    from shuzhuan.programs.models import PayoutBatch

    batch = PayoutBatch.objects.get(projects=paid)
    exports = AuditEntry.objects.filter(action="programs.batch.export").count()
    response = c.post(f"/programs/batches/{batch.pk}/export.xlsx", follow=True)
    assert response.redirect_chain[-1][0] == f"/programs/batches/{batch.pk}/"
    text = response.content.decode()
    assert "no-such-rules.yaml" in text and 'id="batch-rules-problem"' in text
    assert AuditEntry.objects.filter(action="programs.batch.export").count() == exports  # nothing was written
