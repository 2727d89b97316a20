"""Matching pages as the city uses them, in a real browser: the funnel, a consortium's level progress,
designating a chain leader by importing its supplier list (a list with errors comes back annotated),
and an enterprise's recommendations. The need → recommendation → contact story runs in
test_pool_flow.py, with the product the provider published there.

Set SHUZHUAN_SCREENSHOT_DIR to keep screenshots of the pages at 1366 and 390 px."""

from __future__ import annotations

import datetime as dt
import io
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


def chain_file(path: Path, rows) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["统一社会信用代码", "企业名称", "关系"])
    for row in rows:
        wb.active.append(list(row))
    wb.save(path)
    return path


def test_city_funnel_consortium_and_chain_pages(world, published, live_server, sign_in, tmp_path):
    from openpyxl import load_workbook

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
    page = sign_in("city")
    page.get_by_role("link", name="供需对接漏斗").first.click()
    page.locator("#funnel-chart canvas").wait_for()
    assert page.locator("#stage-signed").inner_text().startswith("1")
    shoot(page, "funnel")
    page.get_by_role("link", name="产业生态联合体").first.click()
    page.get_by_role("link", name="照明灯饰产业生态联合体").click()
    page.locator("#progress-chart canvas").wait_for()
    shoot(page, "consortium")
    # designate enterprise a as a chain leader by importing its supplier list
    a, b = world.enterprises["a"], world.enterprises["b"]
    page.get_by_role("link", name="链主企业").first.click()
    page.get_by_label("认定链主：输入企业的统一社会信用代码").fill(a.uscc)
    page.get_by_role("button", name="去导入上下游名单").click()
    bad = chain_file(tmp_path / "名单.xlsx", [(b.uscc, b.name, "供应商"), ("12345", "坏代码厂", "客户")])
    page.get_by_label("上下游名单").set_input_files(str(bad))
    page.get_by_role("button", name="校验并导入").click()
    page.get_by_text("未导入任何数据").first.wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载标注错误的文件").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet.cell(1, 4).value == "错误说明" and "统一社会信用代码" in sheet.cell(3, 4).value
    assert not ChainLink.objects.exists()
    good = chain_file(tmp_path / "名单2.xlsx", [(b.uscc, b.name, "供应商")])
    page.get_by_label("上下游名单").set_input_files(str(good))
    page.get_by_role("button", name="校验并导入").click()
    page.get_by_text("已在企业库中将该企业标记为链主企业").wait_for()
    page.locator("#link-table").get_by_text(b.name).wait_for()
    a.refresh_from_db()
    assert a.chain_leader and ChainLink.objects.get().partner_id == b.pk
    shoot(page, "chain")
    page.goto(f"{live_server.url}/market/needs/")
    shoot(page, "needs-city")
    page.goto(f"{live_server.url}/market/recommendations/{world.enterprises['a'].uscc}/")
    page.locator("#recommendations").wait_for()
    shoot(page, "recommend-enterprise")
