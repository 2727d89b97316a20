"""Supply–demand matching in a real browser: an enterprise types a need, sees explained recommendations
including a published product, asks its provider to make contact; the provider sees the request.

Set SHUZHUAN_SCREENSHOT_DIR to keep screenshots of the pages at 1366 and 390 px."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEED = "车间排产全靠老师傅，插单一多交期就延误，想上个系统管生产进度，预算十万左右"


@pytest.fixture
def published(world):
    from shuzhuan.assessment.models import Assessment, Source, Status
    from shuzhuan.marketplace.domain.classify import SCENARIO_CODES
    from shuzhuan.marketplace.tests.scope_fixtures_match import offering, provider

    prov = provider(world.orgs["provider_a"], town=world.towns["a"], stars="4.5")
    other = provider(world.orgs["provider_b"], town=world.towns["b"])
    product = offering(prov, "灯饰厂轻量MES排产看板", scenarios=("S05", "S06"), industries=("387",), price="100000.00",
                       discount="20", min_level=0, max_level=2)
    offering(other, "五金仓库扫码管理", scenarios=("S11", "S12"), price="30000.00")
    offering(other, "通用排产小程序", scenarios=("S05",), price="20000.00")
    Assessment.objects.create(enterprise=world.enterprises["a"], source=Source.SELF, status=Status.SUBMITTED,
                              assessed_on=dt.date(2025, 3, 1), level=1, score=Decimal("45.000"),
                              scenarios={c: 1 for c in SCENARIO_CODES} | {"S03": 2})
    return product


def shoot(page, name: str) -> None:
    folder = os.environ.get("SHUZHUAN_SCREENSHOT_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_need_to_recommendation_to_contact(world, published, live_server, sign_in, browser):
    page = sign_in("ent_a")
    page.get_by_role("link", name="我的需求").first.click()
    page.get_by_role("link", name="发布需求").first.click()
    page.get_by_label("需求描述").fill(NEED)
    page.locator("#live-suggestions").get_by_text("S05").wait_for()  # the classifier reads as one types
    shoot(page, "need-form")
    page.get_by_role("button", name="下一步：识别场景").click()
    assert page.locator("#scenario-choices input[value=S05]").is_checked()
    page.get_by_label("预算（万元）").fill("10")
    page.get_by_role("button", name="发布需求并查看推荐").click()
    page.get_by_role("heading", name="推荐的方案与产品").wait_for()
    card = page.locator(".recommendation", has_text=published.name)
    assert card.is_visible()
    assert card.locator(".reasons li").count() >= 1
    card.get_by_text("得分明细").click()
    assert card.locator(".score-breakdown").get_by_text("试点价 80,000.00 元起").is_visible()
    shoot(page, "need-recommendations")
    card.get_by_role("button", name="请服务商联系我").click()
    page.get_by_text("已请 数智云服务商甲 联系您").wait_for()
    assert page.locator("#need-contacts").get_by_text("已发起对接").is_visible()

    provider_page = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    provider_page.goto(f"{live_server.url}/login/")
    provider_page.get_by_label("用户名或手机号").fill("provider_a")
    provider_page.get_by_label("密码").fill("Demo-pass-2026")
    provider_page.get_by_role("button", name="登录").click()
    provider_page.wait_for_url(f"{live_server.url}/")
    provider_page.get_by_role("link", name="对接请求").first.click()
    row = provider_page.locator("#contact-table tr", has_text=world.enterprises["a"].name)
    assert row.get_by_text("已发起对接").is_visible()
    shoot(provider_page, "provider-requests")
    row.get_by_role("link", name=world.enterprises["a"].name).click()
    provider_page.get_by_label("对接进展").select_option("contacted")
    provider_page.get_by_label("对接结果").fill("已电话沟通，约下周上门")
    provider_page.get_by_role("button", name="保存").click()
    provider_page.get_by_text("对接进展已更新").wait_for()
    shoot(provider_page, "contact-detail")
    provider_page.context.close()


def test_city_funnel_and_consortium_pages(world, published, live_server, sign_in):
    from shuzhuan.core.models import Organisation
    from shuzhuan.marketplace.models import ChainLink, Consortium, ContactRequest, Need

    need = Need.objects.create(enterprise=world.enterprises["a"], text=NEED, scenarios=["S05", "S06"])
    ContactRequest.objects.create(enterprise=world.enterprises["a"], need=need, offering=published,
                                  provider_id=published.provider_id, status="signed", outcome="签约 8 万元")
    Need.objects.create(enterprise=world.enterprises["b"], text="仓库找料难，进出货靠手写单", scenarios=["S11"])
    cons = Consortium.objects.create(name="照明灯饰产业生态联合体", sector="照明灯饰",
                                     traction_unit=Organisation.objects.get(pk=world.enterprises["a"].pk),
                                     lead_provider=published.provider)
    cons.members.add(world.enterprises["a"].pk, world.enterprises["b"].pk, world.orgs["provider_a"].pk)
    cons.offerings.add(published)
    ChainLink.objects.create(leader=world.enterprises["a"], partner=world.enterprises["b"], partner_uscc=world.enterprises["b"].uscc,
                             partner_name=world.enterprises["b"].name)
    page = sign_in("city")
    page.get_by_role("link", name="供需对接漏斗").first.click()
    page.locator("#funnel-chart canvas").wait_for()
    assert page.locator("#stage-signed").inner_text().startswith("1")
    shoot(page, "funnel")
    page.get_by_role("link", name="产业生态联合体").first.click()
    page.get_by_role("link", name="照明灯饰产业生态联合体").click()
    page.locator("#progress-chart canvas").wait_for()
    shoot(page, "consortium")
    page.goto(f"{live_server.url}/market/chains/{world.enterprises['a'].uscc}/")
    page.locator("#link-table").wait_for()
    shoot(page, "chain")
    page.goto(f"{live_server.url}/market/needs/")
    shoot(page, "needs-city")
    page.goto(f"{live_server.url}/market/recommendations/{world.enterprises['a'].uscc}/")
    page.locator("#recommendations").wait_for()
    shoot(page, "recommend-enterprise")
