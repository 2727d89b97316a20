"""Needs, recommendations, contact requests and the funnel, through the pages."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from conftest import make_user
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuzhuan.assessment.models import Assessment, Source, Status
from shuzhuan.core.models import AuditEntry
from shuzhuan.marketplace.domain.classify import SCENARIO_CODES
from shuzhuan.marketplace.models import ContactRequest, ContactStatus, Need, NeedSource, NeedStatus
from shuzhuan.marketplace.tests.scope_fixtures_match import offering, provider


@pytest.fixture
def market(world):
    """Two providers in the pool with offerings; enterprise a has an official level-1 assessment."""
    prov_a = provider(world.orgs["provider_a"], town=world.towns["a"], stars="4.5")
    prov_b = provider(world.orgs["provider_b"], town=world.towns["b"])
    offers = {
        "mes": offering(prov_a, "灯饰MES生产管控云", scenarios=("S05", "S06"), industries=("387",), price="100000.00",
                        discount="20", min_level=0, max_level=2),
        "wms": offering(prov_b, "轻量仓储扫码系统", scenarios=("S11", "S12"), price="30000.00"),
        "crm": offering(prov_b, "销售客户管理SaaS", scenarios=("S03",), industries=("33",), price="20000.00"),
        "draft": offering(prov_a, "未发布的草稿产品", scenarios=("S06",), status="draft"),
    }
    levels = {c: 1 for c in SCENARIO_CODES} | {"S03": 2, "S04": 2}
    Assessment.objects.create(enterprise=world.enterprises["a"], source=Source.SELF, status=Status.SUBMITTED,
                              assessed_on=dt.date(2025, 3, 1), level=1, score=Decimal("45.000"), scenarios=levels,
                              dimensions={"F": "25", "M": "12", "R": "8"})
    world.users["provider_b"] = make_user("provider_b", "provider", organisation=world.orgs["provider_b"])
    return offers


def publish(client, text="车间排产全靠老师傅，插单一多交期就延误，想上个系统管生产进度", **extra):
    data = {"text": text, "action": "publish", **extra}
    return client.post("/market/needs/new/", data)


def test_enterprise_posts_a_need_and_sees_explained_recommendations(world, market, login):
    c = login(world.users["ent_a"])
    assert c.get("/market/needs/new/").status_code == 200
    step = c.post("/market/needs/new/", {"text": "车间排产全靠老师傅，插单一多交期就延误", "action": "suggest"})
    assert step.status_code == 200
    html = step.content.decode()
    assert "系统识别的业务场景" in html and 'data-code="S05"' in html
    response = publish(c, scenarios=["S06"], budget="10")
    need = Need.objects.get()
    assert response.status_code == 302 and response.url == f"/market/needs/{need.pk}/"
    assert need.scenarios == ["S06"] and need.budget == Decimal("100000.00") and need.classification
    assert AuditEntry.objects.filter(organisation_id=world.enterprises["a"].pk, action="need_create").exists()
    page = c.get(response.url).content.decode()
    assert "灯饰MES生产管控云" in page and "未发布的草稿产品" not in page
    assert "得分明细" in page and "覆盖 1/1 个需求场景" in page
    assert "试点价 80,000.00 元起" in page  # 100,000 less the 20 % pilot discount
    assert "距二级" in page  # the gap towards the next level


def test_need_input_errors_are_answers_not_500s(world, market, login):
    c = login(world.users["ent_a"])
    for data in ({"text": "", "action": "publish"}, {"text": "x" * 2001, "action": "publish"},
                 {"text": "仓库乱", "budget": "abc", "action": "publish"}, {"text": "仓库乱", "budget": "-5", "action": "publish"},
                 {"text": "仓库乱", "scenarios": ["S99"], "action": "publish"}):
        response = c.post("/market/needs/new/", data)
        assert response.status_code == 400, data
        assert "invalid-feedback" in response.content.decode()
    assert not Need.objects.exists()
    assert c.post("/market/needs/suggest/", {"text": "仓库进出货全靠手写"}).status_code == 200
    assert c.post("/market/needs/suggest/", {}).status_code == 200


def test_needs_derived_from_the_diagnosis(world, market, login):
    c = login(world.users["ent_b"])
    response = c.post("/market/needs/derive/", follow=True)
    assert "还没有正式的评测结果" in response.content.decode()
    c = login(world.users["ent_a"])
    c.post("/market/needs/derive/")
    needs = Need.objects.filter(enterprise=world.enterprises["a"], source=NeedSource.DIAGNOSIS)
    # level 1 → 二级 needs scenarios at 二级: 14 scenarios are below, mandatory first
    assert needs.count() == 14
    assert all("达到二级需提升到二级及以上" in n.text for n in needs)
    c.post("/market/needs/derive/")
    assert needs.count() == 14  # not repeated


def test_contact_request_reaches_the_provider_only(world, market, login):
    c = login(world.users["ent_a"])
    publish(c, scenarios=["S06"])
    need = Need.objects.get()
    response = c.post("/market/contacts/new/", {"offering": market["mes"].pk, "need": need.pk, "message": "请周三上午来厂"})
    assert response.status_code == 302
    contact = ContactRequest.objects.get()
    assert contact.provider_id == world.orgs["provider_a"].pk and contact.status == ContactStatus.REQUESTED
    need.refresh_from_db()
    assert need.status == NeedStatus.MATCHING
    entry = AuditEntry.objects.get(action="contact_request")
    assert entry.organisation_id == world.enterprises["a"].pk
    c.post("/market/contacts/new/", {"offering": market["mes"].pk, "need": need.pk})
    assert ContactRequest.objects.count() == 1  # an active request is not repeated
    # an unpublished or unknown offering or need is a 404; a form without a usable offering goes back to the needs
    for bad in ({"offering": market["draft"].pk}, {"offering": 999999}, {"offering": market["wms"].pk, "need": 999999}):
        assert c.post("/market/contacts/new/", bad).status_code == 404, bad
    for bad in ({"offering": "x"}, {}):
        response = c.post("/market/contacts/new/", bad)
        assert (response.status_code, response.url) == (302, "/market/needs/"), bad
    assert ContactRequest.objects.count() == 1

    p = login(world.users["provider_a"])
    listing = p.get("/market/contacts/").content.decode()
    assert world.enterprises["a"].name in listing and "请周三上午来厂" not in listing
    detail = p.get(f"/market/contacts/{contact.pk}/")
    assert detail.status_code == 200 and "请周三上午来厂" in detail.content.decode()
    assert p.get(f"/market/needs/{need.pk}/").status_code == 200  # through the request
    # the request shows the provider the need and the contact, not the enterprise's whole profile (一企一档)
    assert p.get(f"/enterprises/{world.enterprises['a'].uscc}/").status_code == 403

    other = login(world.users["provider_b"])
    assert world.enterprises["a"].name not in other.get("/market/contacts/").content.decode()
    assert other.get(f"/market/contacts/{contact.pk}/").status_code == 404
    assert other.get(f"/market/needs/{need.pk}/").status_code == 404


def test_provider_records_the_outcome(world, market, login):
    c = login(world.users["ent_a"])
    publish(c, scenarios=["S06"])
    need = Need.objects.get()
    c.post("/market/contacts/new/", {"offering": market["mes"].pk, "need": need.pk})
    contact = ContactRequest.objects.get()
    assert c.post(f"/market/contacts/{contact.pk}/", {"status": "signed", "outcome": "x"}).status_code == 403
    p = login(world.users["provider_a"])
    response = p.post(f"/market/contacts/{contact.pk}/", {"status": "signed", "outcome": ""})
    assert response.status_code == 400 and "请填写对接结果" in response.content.decode()
    assert p.post(f"/market/contacts/{contact.pk}/", {"status": "bogus"}).status_code == 400
    p.post(f"/market/contacts/{contact.pk}/", {"status": "contacted", "outcome": "已电话沟通"})
    p.post(f"/market/contacts/{contact.pk}/", {"status": "signed", "outcome": "签约 8 万元，两个月上线"})
    contact.refresh_from_db()
    need.refresh_from_db()
    assert contact.status == ContactStatus.SIGNED and need.status == NeedStatus.SIGNED
    assert AuditEntry.objects.filter(action="contact_update", organisation_id=world.enterprises["a"].pk).count() == 2
    # a signed request is final: the form is gone, a POST is refused
    assert p.post(f"/market/contacts/{contact.pk}/", {"status": "declined", "outcome": "x"}).status_code == 403


def test_officers_see_their_needs_and_the_funnel(world, market, login):
    c = login(world.users["ent_a"])
    publish(c, scenarios=["S06"])
    c.post("/market/contacts/new/", {"offering": market["mes"].pk, "need": Need.objects.get().pk})
    Need.objects.create(enterprise=world.enterprises["b"], text="五金仓库找料难", scenarios=["S11"])
    town = login(world.users["town_a"]).get("/market/needs/").content.decode()
    assert world.enterprises["a"].name in town and world.enterprises["b"].name not in town
    city = login(world.users["city"])
    page = city.get("/market/funnel/")
    assert page.status_code == 200
    f = page.context["f"]
    assert f.total.values == [2, 1, 0, 0]
    assert [(r.label, r.needs, r.requested) for r in f.by_town] == [("小榄", 1, 0), ("古镇", 1, 1)] or \
        sorted((r.label, r.needs, r.requested) for r in f.by_town) == [("古镇", 1, 1), ("小榄", 1, 0)]
    assert city.get("/market/funnel/?town=古镇").context["f"].total.values == [1, 1, 0, 0]
    export = city.get("/market/funnel/export/")
    assert export.status_code == 200
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    assert wb.sheetnames == ["按镇街", "按场景"]
    assert [c.value for c in wb["按镇街"][1]][:5] == ["镇街", "需求数", "已发起对接", "已联系", "已签约"]
    assert login(world.users["ent_a"]).get("/market/funnel/").status_code == 403
    town_funnel = login(world.users["town_a"]).get("/market/funnel/")
    assert town_funnel.context["f"].total.needs == 1


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_rows(world, market, login):
    ent = world.enterprises["a"]
    city = login(world.users["city"])

    def add(n):
        for i in range(n):
            need = Need.objects.create(enterprise=ent, text=f"需求 {i}", scenarios=["S08", "S11"])
            ContactRequest.objects.create(enterprise=ent, need=need, offering=market["mes"], provider_id=market["mes"].provider_id)

    add(2)
    urls = ["/market/needs/", "/market/contacts/", "/market/funnel/", f"/market/recommendations/{ent.uscc}/",
            f"/market/needs/{Need.objects.first().pk}/"]
    before = {u: _count_queries(city, u) for u in urls}
    add(8)
    for i in range(5):
        offering(market["mes"].provider, f"更多产品{i}", scenarios=("S08",))
    after = {u: _count_queries(city, u) for u in urls}
    assert before == after
    assert list(after.values()) == [5, 5, 5, 10, 8], after  # pinned, in the order of urls
