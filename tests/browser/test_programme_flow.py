"""One enterprise from the pilot listing to the paid subsidy, across the roles, in a real browser:
enterprise → town officer → city officer → enterprise (contract filing) → provider (delivery) →
enterprise (acceptance, post-transformation self-assessment) → town officer (assigns the on-site
rating) → expert (rates on site and signs) → town officer (post-assessment, one return for changes)
→ enterprise (resubmits) → town officer → city officer (expert) → expert → city officer (approval,
batch, paid) → enterprise (satisfaction, timeline).

Set SZ_SCREENSHOTS=/some/dir to keep screenshots of the main pages at 1366 and 390 px.
"""

import os
import re
from pathlib import Path

import pytest

from tests.browser.conftest import OUTCOME_FIGURES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n% demo\n"


def _office(member: str) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, "<x/>")
    return buffer.getvalue()


FILES = {
    "验收档案": ("验收档案.pdf", "application/pdf", PDF),
    "申请表": ("申请表.pdf", "application/pdf", PDF),
    "财务核查表": ("财务核查表.xlsx", "application/octet-stream", _office("xl/workbook.xml")),
    "发票及付款证明": ("发票.pdf", "application/pdf", PDF),
    "总结报告": ("总结报告.docx", "application/octet-stream", _office("word/document.xml")),
    "成效佐证": ("成效佐证.pdf", "application/pdf", PDF),
    "改造后自评测": ("改造后自评测.pdf", "application/pdf", PDF),
}


def shoot(page, name: str) -> None:
    folder = os.environ.get("SZ_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def upload(page, kind: str, name: str, mime: str, data: bytes) -> None:
    form = page.locator("#documents form")
    form.get_by_label("材料类型").select_option(label=kind)
    form.get_by_label("文件", exact=True).set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])
    form.get_by_role("button", name="上传").click()
    page.get_by_text(f"已上传「{kind}」").wait_for()


def check(page, code: str, *letters: str) -> None:
    for letter in letters:
        page.locator(f"#q-{code} input[value='{letter}']").check()


def fill_post_self_assessment(page, base: str) -> None:
    """The enterprise's 改造后 self-assessment through the questionnaire: 三级 answers (F and M nearly
    full marks, every scenario at level 3), submitted with the truthfulness pledge."""
    page.goto(f"{base}/assessment/")
    page.get_by_label("评测类型").select_option("post")
    page.get_by_role("button", name="开始自评").click()
    page.wait_for_url(re.compile(r"/assessment/\d+/fill/1/$"))
    check(page, "F1", "B", "C", "D", "E")
    for label in ("生产设备数量（台）", "实现数字化的生产设备数量（台）", "实现联网的生产设备数量（台）"):
        page.get_by_label(label, exact=True).fill("100")
    check(page, "F4", *"BCDEFGHIJKLMNO")
    check(page, "F5", "E")
    check(page, "F6", "B", "C", "D", "E")
    check(page, "F7", "B", "C", "D", "E")
    page.get_by_role("button", name="保存并继续").click()
    page.wait_for_url(re.compile(r"/fill/2/$"))
    check(page, "M1", "F")
    check(page, "M2", "B", "C", "D", "E")
    check(page, "M3", "B", "C", "D", "E", "F")
    page.get_by_label("近三年年均数字化投入（万元/年）", exact=True).fill("15")
    page.get_by_label("近三年年均营业收入（万元/年）", exact=True).fill("100")
    page.get_by_role("button", name="保存并继续").click()
    page.wait_for_url(re.compile(r"/fill/3/$"))
    for label, value in OUTCOME_FIGURES:
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="保存并继续").click()
    for step in (4, 5, 6, 7):
        page.wait_for_url(re.compile(rf"/fill/{step}/$"))
        for box in page.locator("fieldset[id^='q-S']").all():
            box.locator("input[value='3']").check()
        page.get_by_role("button", name="保存并继续" if step < 7 else "保存并去提交").click()
    page.wait_for_url(re.compile(r"/submit/$"))
    page.get_by_label("本企业郑重承诺", exact=False).check()
    page.get_by_role("button", name="提交自评").click()
    page.locator("#result-level", has_text="三级").wait_for()


def test_listing_to_paid_across_roles(world, live_server, sign_in, page):
    from shuzhuan.programs.models import Project
    from shuzhuan.programs.tests.factories import fund, make_programme, pool_provider

    programme = make_programme()
    fund(programme)
    pool_provider(world.orgs["provider_a"])
    base = live_server.url

    def switch(username: str):
        page.context.clear_cookies()
        return sign_in(username)

    def act(label: str, reason: str = ""):
        if reason:
            page.locator("summary", has_text=label).click()
            page.locator("#actions textarea[name=reason]:visible").fill(reason)
            page.get_by_role("button", name=f"确认{label}").click()
        else:
            page.get_by_role("button", name=label, exact=True).click()
        page.get_by_text(f"已完成：{label}").first.wait_for()

    # 1. the enterprise applies; the town reviews; the city lists it (试点企业库)
    switch("ent_a")
    page.goto(f"{base}/programs/apply/")
    assert page.get_by_text("符合条件", exact=True).first.is_visible()
    page.get_by_label("申请说明").fill("拟实施 MES 与设备联网改造")
    page.get_by_role("button", name="提交申请").click()
    page.get_by_text("申请已提交，等待镇街审核").wait_for()

    switch("town_a")
    page.goto(f"{base}/programs/pool/?status=applied")
    page.get_by_label(world.enterprises["a"].name).check()
    page.get_by_role("button", name="审核通过").click()
    page.get_by_text("已处理 1 家企业").wait_for()

    switch("city")
    page.goto(f"{base}/programs/pool/?status=town_approved")
    shoot(page, "pool")
    page.get_by_label(world.enterprises["a"].name).check()
    page.get_by_role("button", name="审核 / 审定通过").click()
    page.get_by_text("已处理 1 家企业").wait_for()
    page.goto(f"{base}/programs/pilots/")
    assert page.locator("#pilot-table").get_by_text(world.enterprises["a"].name).is_visible()

    # 2. the enterprise files the contract with a pool provider
    switch("ent_a")
    page.goto(f"{base}/programs/projects/new/")
    page.get_by_label("项目名称").fill("明辉灯饰 MES 改造")
    page.get_by_role("button", name="创建").click()
    page.get_by_text("已创建改造项目").wait_for()
    contract = page.locator("#contract form")
    contract.get_by_label("服务商（供给资源池）").select_option(label=world.orgs["provider_a"].name)
    contract.get_by_label("合同编号").fill("HT-2025-001")
    contract.get_by_label("合同金额（元）").fill("900000")
    contract.get_by_role("button", name="保存").click()
    page.get_by_text("已保存合同备案信息").wait_for()
    items = page.locator("#items form").last
    items.get_by_label("费用类别").select_option("software")
    items.get_by_label("金额（元）", exact=True).fill("800000")
    items.get_by_role("button", name="添加").click()
    page.locator("#items table").get_by_text("800,000.00").first.wait_for()
    upload(page, "合同", "合同.pdf", "application/pdf", PDF)
    milestones = page.locator("#milestones form").last
    milestones.get_by_label("里程碑").fill("系统上线")
    milestones.get_by_label("计划日期").fill("2030-01-01")
    milestones.get_by_role("button", name="添加").click()
    page.locator("#milestones").get_by_text("系统上线").wait_for()
    act("提交合同备案")
    project = Project.objects.get()
    project_url = f"{base}/programs/projects/{project.pk}/"

    # 3. the provider delivers
    switch("provider_a")
    page.goto(project_url)
    act("开始实施")
    page.locator("#milestones").get_by_role("button", name="确认完成").click()
    page.locator("#milestones .bi-check-circle-fill").wait_for()
    act("确认改造完成")

    # 4. the enterprise applies for acceptance with the eight documents
    switch("ent_a")
    page.goto(project_url)
    assert page.get_by_text("验收材料不齐全").is_visible()  # the disabled button says why
    for kind, (name, mime, data) in FILES.items():
        upload(page, kind, name, mime, data)
    act("申请验收")

    # 5. the post-transformation rating: the enterprise assesses itself, the town assigns an expert
    #    (not the contracted provider), who rates on site and signs — the official 三级
    fill_post_self_assessment(page, base)
    self_assessment_url = page.url
    switch("town_a")
    page.goto(self_assessment_url)
    page.get_by_role("link", name="指派现场评定").click()
    page.get_by_label("或评定专家").select_option(label="expert")
    page.get_by_role("button", name="确认指派").click()
    page.get_by_text("已指派现场评定：expert").wait_for()

    switch("expert")
    page.goto(f"{base}/assessment/tasks/")
    page.locator("#task-table").get_by_role("link", name="查看自评并开始").click()
    page.get_by_role("button", name="开始现场评定").click()
    page.wait_for_url(re.compile(r"/assessment/\d+/rate/$"))
    page.get_by_label("本人已到企业现场核实").check()
    page.get_by_role("button", name="签署评定结果").click()
    page.get_by_text("现场评定已签署，成为该企业的正式评测结果。").wait_for()
    assert page.locator("#result-level").get_by_text("三级").first.is_visible()

    # 6. the town officer confirms it, then returns the file for changes
    switch("town_a")
    page.goto(project_url)
    act("核验改造后现场评定")
    act("退回修改", reason="发票及付款证明缺少银行回单，请补正")

    # 7. the enterprise sees why, fixes it and resubmits
    switch("ent_a")
    page.goto(project_url)
    assert page.get_by_text("发票及付款证明缺少银行回单").first.is_visible()
    upload(page, "发票及付款证明", "发票及银行回单.pdf", "application/pdf", PDF)
    act("修改后重新提交")

    # 8. the town confirms again and passes its review
    switch("town_a")
    page.goto(project_url)
    act("核验改造后现场评定")
    act("镇街初审通过")

    # 9. the city assigns an expert, who scores it
    switch("city")
    page.goto(project_url)
    page.get_by_label("评审专家").select_option(label="expert")
    page.get_by_role("button", name="指派专家").click()
    page.get_by_text("已指派评审专家").wait_for()

    switch("expert")
    page.goto(project_url)
    page.get_by_label("评分（0–100）").fill("88")
    page.get_by_label("评审意见").fill("改造内容与合同一致，成效佐证充分，建议通过。")
    page.get_by_role("button", name="提交评审意见").click()
    page.get_by_text("已提交专家评审意见").wait_for()

    # 10. the city approves (subsidy computed and explained, money committed), batches and pays
    switch("city")
    page.goto(project_url)
    assert page.locator("#subsidy").get_by_text("× 50%").first.is_visible()
    shoot(page, "project-expert-reviewed")
    page.locator("summary", has_text="市级审定通过（计算奖补并占用资金）").click()
    page.get_by_label("确认批准补助 400,000.00 元").check()  # the commitment states its amount
    page.get_by_role("button", name="确认批准补助 400,000.00 元").click()
    page.get_by_text("已完成：市级审定通过").wait_for()
    assert page.locator("#subsidy").get_by_text("400,000.00").first.is_visible()
    page.goto(f"{base}/programs/batches/")
    page.get_by_role("button", name="编制批次").click()
    page.get_by_text("已编制兑现批次").wait_for()
    batch_url = page.url
    # four-eyes: a second officer reviews, a third approves, exports and pays (see test_four_eyes_flow)
    from conftest import make_user

    make_user("city2", "city_officer")
    make_user("city3", "city_officer")
    switch("city2")
    page.goto(batch_url)
    page.locator("#batch-confirm").check()
    page.get_by_role("button", name="复核通过").click()
    page.locator("#batch-state", has_text="已复核").wait_for()
    switch("city3")
    page.goto(batch_url)
    page.locator("#batch-confirm").check()
    page.get_by_role("button", name="审批通过").click()
    page.locator("#batch-state", has_text="已审批").wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="导出拨付清单（XLSX）").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.goto(page.url)
    page.locator("#batch-confirm").check()
    page.get_by_role("button", name="确认已拨付").click()
    page.locator("#batch-state", has_text="已兑现").wait_for()
    shoot(page, "batch-paid")
    page.goto(f"{base}/programs/dashboard/")
    page.locator("#funnel-chart canvas").wait_for()
    shoot(page, "dashboard")

    # 11. the enterprise rates its provider; its timeline shows every step
    switch("ent_a")
    page.goto(project_url)
    page.locator("#project-state", has_text="已兑现").wait_for()
    page.get_by_label("5 非常满意").check()
    page.get_by_label("评价", exact=True).fill("响应及时，效果明显")
    page.get_by_role("button", name="提交评价").click()
    page.get_by_text("感谢您的评价").wait_for()
    shoot(page, "project-paid-enterprise")
    page.goto(f"{base}/enterprises/{world.enterprises['a'].uscc}/")
    timeline = page.locator("#timeline")
    for words in ("提交合同备案", "退回修改", "修改后重新提交", "专家评审完成", "市级审定通过", "补助已兑现"):
        assert timeline.get_by_text(words).first.is_visible(), words
    project.refresh_from_db()
    assert project.state == "paid" and str(project.subsidy_amount) == "400000.00"
    rating = project.post_assessment  # the one the expert signed in the browser
    assert (rating.source, rating.status, rating.level, rating.signed_by.username) == ("onsite", "signed", 3, "expert")
    assert project.level_achieved == 3
    assert project.satisfaction.score == 5
