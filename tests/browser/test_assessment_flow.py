"""The assessment in a real browser: an enterprise fills in the questionnaire over two sittings and
submits; a town officer assigns a provider; the provider rates on site, changes two answers and
signs; the enterprise sees the official level and opens the diagnosis report.

Runs at desktop (1366 px) and phone (390 px) widths. Set SZ_SCREENSHOTS=<folder> to keep screenshots.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import OUTCOME_FIGURES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def shot(page, name: str) -> None:
    folder = os.environ.get("SZ_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
        page.screenshot(path=str(Path(folder) / f"{name}-screen.png"))


def switch_user(page, sign_in, username, viewport):
    page.context.clear_cookies()
    sign_in(username)
    page.set_viewport_size(viewport)
    return page


def check(page, code: str, *values: str) -> None:
    for value in values:
        page.locator(f"#q-{code} input[value='{value}']").check()


def fill_scenarios(page, level: str) -> None:
    for box in page.locator("fieldset[id^='q-S']").all():
        box.locator(f"input[value='{level}']").check()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_questionnaire_onsite_rating_and_result(world, live_server, page, sign_in, tmp_path, viewport):
    from shuzhuan.marketplace.models import ProviderProfile

    # only providers in the pool may rate on site (issue 10 item 4)
    ProviderProfile.objects.create(organisation=world.orgs["provider_a"], pool_status="in_pool")
    width = viewport["width"]
    base = live_server.url
    # --- first sitting: the enterprise starts a baseline self-assessment and fills two sections
    switch_user(page, sign_in, "ent_a", viewport)
    page.goto(f"{base}/assessment/")
    page.get_by_label("评测类型").select_option("baseline")
    page.get_by_role("button", name="开始自评").click()
    expect(page).to_have_url(re.compile(r"/assessment/\d+/fill/1/$"))
    sheet = f"{base}/assessment/{page.url.rstrip('/').split('/')[-3]}"
    expect(page.locator("#progress")).to_contain_text("第 1/7 部分")
    check(page, "F1", "B", "C")
    page.get_by_label("生产设备数量（台）", exact=True).fill("100")
    page.get_by_label("实现数字化的生产设备数量（台）", exact=True).fill("45")
    page.get_by_label("实现联网的生产设备数量（台）", exact=True).fill("30")
    expect(page.locator("#band-F2")).to_contain_text("D. (40%,60%]")  # computed from the figures, live
    expect(page.locator("#band-F3")).to_contain_text("C. (20%,40%]")
    check(page, "F4", "B", "C", "D")
    check(page, "F5", "E")
    check(page, "F6", "B")
    check(page, "F7", "A")
    expect(page.locator("#subtotal-score")).to_have_text("24.85")  # live subtotal, not yet saved
    page.locator("#q-F2 details summary").click()
    expect(page.locator("#q-F2 details")).to_contain_text("设备数字化率")
    evidence = tmp_path / "网络拓扑图.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% network diagram\n")
    page.locator("#q-F1 input[type=file]").set_input_files(str(evidence))
    page.locator("#q-F1 button[form='ev-F1']").click()
    expect(page.locator("#evidence-F1")).to_contain_text("网络拓扑图.pdf")
    shot(page, f"fill-section1-{width}")
    page.get_by_role("button", name="保存并继续").click()
    expect(page).to_have_url(f"{sheet}/fill/2/")
    check(page, "M1", "C")
    check(page, "M2", "B")
    check(page, "M3", "B")
    page.get_by_label("近三年年均数字化投入（万元/年）", exact=True).fill("15")
    page.get_by_label("近三年年均营业收入（万元/年）", exact=True).fill("100")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("已保存草稿")).to_be_visible()

    # --- second sitting: signed in again, the questionnaire resumes at section 3
    switch_user(page, sign_in, "ent_a", viewport)
    page.goto(f"{base}/assessment/")
    page.get_by_role("link", name="继续填写").click()
    expect(page).to_have_url(f"{sheet}/fill/3/")
    expect(page.locator("#progress")).to_contain_text("已完成 2 部分")
    for label, value in OUTCOME_FIGURES:
        page.get_by_label(label, exact=True).fill(value)
    expect(page.locator("#band-R1")).to_contain_text("C. 降低")
    page.get_by_role("button", name="保存并继续").click()
    for step in (4, 5, 6, 7):
        expect(page).to_have_url(f"{sheet}/fill/{step}/")
        fill_scenarios(page, "2")
        if step == 4:
            shot(page, f"fill-scenarios-{width}")
        page.get_by_role("button", name="保存并继续" if step < 7 else "保存并去提交").click()
    expect(page).to_have_url(f"{sheet}/submit/")
    page.get_by_role("button", name="提交自评").click()
    expect(page.get_by_text("请阅读并勾选真实性承诺后再提交")).to_be_visible()
    page.get_by_label("本企业郑重承诺", exact=False).check()
    page.get_by_role("button", name="提交自评").click()
    expect(page).to_have_url(f"{sheet}/")
    expect(page.locator("#result-score")).to_contain_text("50.1")
    expect(page.locator("#result-level")).to_contain_text("二级")
    shot(page, f"result-self-{width}")

    # --- the town officer assigns provider 甲 to rate on site
    switch_user(page, sign_in, "town_a", viewport)
    page.goto(f"{sheet}/")
    page.get_by_role("link", name="指派现场评定").click()
    page.get_by_label("评定服务商").select_option(label="数智云服务商甲")
    page.get_by_role("button", name="确认指派").click()
    expect(page.get_by_text("已指派现场评定：数智云服务商甲")).to_be_visible()

    # --- the provider rates on site: two answers changed with reasons, then signed
    switch_user(page, sign_in, "provider_a", viewport)
    page.goto(f"{base}/assessment/tasks/")
    page.get_by_role("link", name="查看自评并开始").click()
    page.get_by_role("button", name="开始现场评定").click()
    expect(page).to_have_url(re.compile(r"/assessment/\d+/rate/$"))
    onsite_id = page.url.rstrip("/").split("/")[-2]
    onsite = f"{base}/assessment/{onsite_id}"
    for code, value, reason in [("F5", "A", "现场核实：业务仍以纸质单据和电子表格管理"),
                                ("M1", "A", "未见数字化规划文件")]:
        row = page.locator(f"#row-{code}")
        row.get_by_text("调整", exact=True).click()
        row.locator(f"input[value='{value}']").check()
        row.get_by_label("调整理由").fill(reason)
        row.get_by_role("button", name="保存调整").click()
        expect(page.locator(f"#row-{code}")).to_contain_text(reason)
    expect(page.locator("#change-count")).to_have_text("2")
    shot(page, f"rate-{width}")
    page.get_by_label("本人已到企业现场核实").check()
    page.get_by_role("button", name="签署评定结果").click()
    expect(page).to_have_url(f"{onsite}/")
    expect(page.locator("#onsite-diff")).to_contain_text("调整了 2 项答案")

    # --- the enterprise sees the official (on-site) level, the difference, and the report
    switch_user(page, sign_in, "ent_a", viewport)
    page.goto(f"{base}/assessment/")
    table = page.locator("#assessment-table")
    expect(table).to_contain_text("现场评定")
    expect(table).to_contain_text("正式结果")
    table.get_by_role("link").first.click()
    expect(page).to_have_url(f"{onsite}/")
    expect(page.locator("#result-level")).to_contain_text("一级")
    expect(page.locator("#official-mark")).to_be_visible()
    expect(page.locator("#changes-table")).to_contain_text("未见数字化规划文件")
    expect(page.locator("#onsite-diff")).to_contain_text("二级")
    shot(page, f"result-onsite-{width}")
    page.locator("#report-link").click()
    expect(page).to_have_url(f"{base}/assessment/reports/{onsite_id}/")
    expect(page.get_by_role("heading", name="数字化水平诊断报告")).to_be_visible()
    # the profile's history shows both rows, the official one marked
    page.goto(f"{base}/enterprises/mine/")
    history = page.locator("#assessment-history")
    expect(history).to_contain_text("现场评定")
    expect(history).to_contain_text("正式结果")
    shot(page, f"profile-{width}")

