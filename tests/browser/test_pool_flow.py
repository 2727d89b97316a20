"""Issue 4's "Done when", as one continuous story with the same product: a provider applies, an expert
scores, the city admits after the notice period, the provider publishes a product and the city approves
it; anonymous users browse the catalogue and cannot see needs, requests or rating details; an
enterprise types a need, sees explained recommendations including that product and requests contact;
the provider sees the request and records the outcome; the city sees it in the funnel and lists the
product in a consortium's catalogue."""

import datetime as dt
import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("SHUZHUAN_SCREENSHOTS")  # a folder: save what the test saw


def shot(page, name):
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def sign_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login/**")


NEED = "灯具出了质量问题，查不到是哪批料、哪道工序做的，想每批货都能扫码追溯，预算五六万"


def test_provider_admitted_to_enterprise_contact(world, live_server, sign_in, tmp_path):
    from shuzhuan.marketplace.models import (
        ApplicationStatus,
        Offering,
        OfferingStatus,
        PoolApplication,
        ProviderProfile,
    )

    base = live_server.url
    # 1. the provider creates its profile and applies
    page = sign_in("provider_a")
    page.get_by_role("link", name="服务商中心").first.click()
    page.get_by_label("所在镇街").select_option("古镇")
    page.get_by_label("地址").fill("古镇中兴大道 8 号")
    page.get_by_label("简介").fill("专注灯饰行业的质量追溯与生产管控")
    page.get_by_label("员工人数").fill("36")
    page.get_by_label("技术人员").fill("20")
    page.get_by_label("联系人").fill("陈工")
    page.get_by_label("联系电话").fill("0760-22330000")
    page.get_by_role("button", name="建立档案").click()
    page.get_by_role("button", name="申请入池").click()
    page.get_by_label("资质情况").fill("软件企业；ISO 9001")
    page.get_by_label("典型案例").fill("为三家古镇灯饰厂实施 MES 与质量追溯")
    page.get_by_label("团队情况").fill("本地实施工程师 8 人")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("申请材料已保存").wait_for()
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(b"%PDF-1.4 licence")
    page.get_by_label("材料类型").select_option(label="营业执照")
    page.get_by_label("文件").set_input_files(str(licence))
    page.get_by_role("button", name="上传").click()
    page.locator("#documents").get_by_text("营业执照.pdf").wait_for()
    page.get_by_role("button", name="提交入池申请").click()
    page.locator("#application-status").get_by_text("已提交").wait_for()
    application = PoolApplication.objects.get(provider_id=world.orgs["provider_a"].pk)
    sign_out(page)

    # 2. the city assigns the expert
    page = sign_in("city")
    page.get_by_role("link", name="入池申请").first.click()
    page.locator("#application-table").get_by_role("link", name="数智云服务商甲").click()
    page.get_by_label("expert").check()
    page.get_by_role("button", name="分配").click()
    page.locator("#application-status").get_by_text("专家评审中").wait_for()
    sign_out(page)

    # 3. the expert scores
    page = sign_in("expert")
    page.get_by_role("link", name="我的评审任务").first.click()
    page.locator("#review-table").get_by_role("link", name="数智云服务商甲").click()
    page.get_by_label("评分（0–100）").fill("88")
    page.get_by_label("评审意见").fill("案例真实，本地服务能力强")
    page.get_by_role("button", name="提交评审意见").click()
    page.locator("#review-table").get_by_text("已评 88.00 分").wait_for()
    sign_out(page)

    # 4. the city starts the public notice; the notice page shows it to everyone
    page = sign_in("city")
    page.goto(f"{base}/market/pool/applications/{application.pk}/")
    page.get_by_label("通过评审，进入公示").check()
    page.get_by_role("button", name="确定").click()
    page.locator("#notice-banner").wait_for()
    assert page.get_by_role("button", name="公示期满，确认入池").is_disabled()
    shot(page, "application-notice-1366")
    sign_out(page)
    page.goto(f"{base}/market/notice/")
    assert page.locator("#notice-list").get_by_text("数智云服务商甲").is_visible()

    # … five working days later (the clock is moved, not waited for)
    application.refresh_from_db()
    PoolApplication.objects.filter(pk=application.pk).update(
        notice_start=application.notice_start - dt.timedelta(days=14), notice_end=application.notice_end - dt.timedelta(days=14))
    page = sign_in("city")
    page.goto(f"{base}/market/pool/applications/{application.pk}/")
    page.get_by_role("button", name="公示期满，确认入池").click()
    page.locator("#application-status").get_by_text("已入池").wait_for()
    assert ProviderProfile.objects.get(pk=world.orgs["provider_a"].pk).pool_status == "in_pool"
    assert PoolApplication.objects.get(pk=application.pk).status == ApplicationStatus.ADMITTED
    sign_out(page)

    # 5. the provider publishes a product
    page = sign_in("provider_a")
    page.goto(f"{base}/market/provider/")
    page.get_by_role("link", name="新建产品/服务").click()
    page.get_by_label("产品类型").select_option(label="制造")
    page.get_by_label("名称", exact=True).fill("灯饰厂扫码质量追溯")
    page.get_by_label("一句话介绍").fill("每一批灯具扫码可追溯到工序与质检记录")
    page.get_by_label("价格下限（元）").fill("30000")
    page.get_by_label("价格上限（元）").fill("80000")
    page.get_by_label("试点优惠（%）").fill("10")
    page.get_by_label("部署周期（天）").fill("20")
    page.get_by_label("S07 质量管理").check()
    page.get_by_label("S06 生产管控").check()
    page.get_by_label("适用行业").select_option("38")
    page.get_by_role("button", name="保存为草稿").click()
    page.get_by_role("button", name="提交审核").click()
    page.get_by_text("已提交市工信局审核").wait_for()
    offering = Offering.objects.get(name="灯饰厂扫码质量追溯")
    assert offering.status == OfferingStatus.PENDING
    sign_out(page)

    # 6. the city approves it
    page = sign_in("city")
    page.get_by_role("link", name="方案与产品审核").first.click()
    page.locator("#queue-table").get_by_role("link", name="灯饰厂扫码质量追溯").click()
    page.get_by_label("通过并发布").check()
    page.get_by_role("button", name="保存审核结果").click()
    page.get_by_text("审核结果已保存").wait_for()
    sign_out(page)

    # 7. anonymous users find it in the catalogue, and cannot reach needs or contact requests
    page.goto(f"{base}/market/catalogue/")
    page.get_by_role("link", name="产品与服务").first.click()
    page.get_by_label("业务场景").select_option("S07")
    page.get_by_role("button", name="筛选").click()
    page.locator("#offering-table").get_by_role("link", name="灯饰厂扫码质量追溯").click()
    page.get_by_role("heading", name="灯饰厂扫码质量追溯").wait_for()
    assert page.get_by_text("S07 质量管理").is_visible()
    page.get_by_role("link", name="数智云服务商甲").first.click()
    page.get_by_role("heading", name="数智云服务商甲").wait_for()
    assert page.get_by_text("暂无评级").is_visible()
    assert page.get_by_text("入池评审得分").count() == 0 and page.get_by_text("满意度").count() == 0
    for path in ("/market/needs/", "/market/contacts/", f"/market/pool/applications/{application.pk}/"):
        page.goto(base + path)
        assert "/login/" in page.url, path
    assert page.get_by_role("link", name="请服务商联系我").count() == 0

    # 8. an enterprise types its need in its own words and sees explained recommendations with that product
    page = sign_in("ent_a")
    page.get_by_role("link", name="我的需求").first.click()
    page.get_by_role("link", name="发布需求").first.click()
    page.get_by_label("需求描述").fill(NEED)
    page.locator("#live-suggestions").get_by_text("S07").wait_for()  # the classifier reads as one types
    page.get_by_role("button", name="下一步：识别场景").click()
    assert page.locator("#scenario-choices input[value=S07]").is_checked()
    page.get_by_label("预算（万元）").fill("6")
    page.get_by_role("button", name="发布需求并查看推荐").click()
    page.get_by_role("heading", name="推荐的方案与产品").wait_for()
    card = page.locator(".recommendation", has_text="灯饰厂扫码质量追溯")
    assert card.is_visible()
    assert card.locator(".reasons li").count() >= 1
    assert card.get_by_text("S07").first.is_visible()
    card.get_by_text("得分明细").click()
    assert card.locator(".score-breakdown").get_by_text("试点价 27,000.00 元起").is_visible()
    shot(page, "need-recommendations-1366")
    card.get_by_role("button", name="请服务商联系我").click()
    page.get_by_text("已请 数智云服务商甲 联系您").wait_for()
    assert page.locator("#need-contacts").get_by_text("已发起对接").is_visible()
    sign_out(page)

    # 9. the provider sees the request and records the outcome
    page = sign_in("provider_a")
    page.get_by_role("link", name="对接请求").first.click()
    row = page.locator("#contact-table tr", has_text=world.enterprises["a"].name)
    assert row.get_by_text("灯饰厂扫码质量追溯").is_visible() and row.get_by_text("已发起对接").is_visible()
    row.get_by_role("link", name=world.enterprises["a"].name).click()
    page.get_by_label("对接进展").select_option("signed")
    page.get_by_label("对接结果").fill("已上门调研，签约 5.4 万元")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("对接进展已更新").wait_for()
    sign_out(page)

    # 10. the city sees the signed contact in the funnel and lists the product in a new consortium
    page = sign_in("city")
    page.get_by_role("link", name="供需对接漏斗").first.click()
    assert page.locator("#stage-signed").inner_text().startswith("1")
    page.get_by_role("link", name="产业生态联合体").first.click()
    page.get_by_role("link", name="建立联合体").click()
    page.get_by_label("名称").fill("照明灯饰产业生态联合体")
    page.get_by_label("行业").fill("照明灯饰")
    page.get_by_label("牵引单位（统一社会信用代码）").fill(world.enterprises["a"].uscc)
    page.get_by_label("平台/服务商").select_option(label="数智云服务商甲")
    page.get_by_role("button", name="建立").click()
    page.get_by_text("请添加成员企业和服务商").wait_for()
    page.get_by_label("添加成员（统一社会信用代码）").fill(world.enterprises["b"].uscc)
    page.locator("#member-add-form").get_by_role("button", name="添加").click()
    page.get_by_text("已添加 1 家成员").wait_for()
    assert page.locator("#member-table").get_by_text(world.enterprises["b"].name).is_visible()
    page.get_by_role("link", name="调整目录").click()
    page.get_by_label("灯饰厂扫码质量追溯").check()
    page.get_by_role("button", name="保存目录").click()
    page.get_by_text("目录已保存：新增 1 项").wait_for()
    assert page.locator("#catalogue-table").get_by_text("灯饰厂扫码质量追溯").is_visible()
    assert page.locator("#history").get_by_text("调整产品与服务目录").is_visible()
    shot(page, "consortium-1366")
