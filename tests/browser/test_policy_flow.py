"""免申即享 in a real browser: the city runs a policy over the registry, a town excludes one firm with
a reason, the city offers the rest, the enterprise confirms on a phone-sized page, the city approves
(committing the policy's budget line) and pays a batch; a re-run pays nobody twice.
Set SZ_SCREENSHOTS=/some/dir to keep the enterprise's page at 390 px."""

import os
from pathlib import Path

import pytest

from shuzhuan.policy.tests.test_runs import POLICY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def policies(tmp_path, monkeypatch):
    from shuzhuan.policy import library

    (tmp_path / "test-revenue-award.yaml").write_text(POLICY, encoding="utf-8")
    monkeypatch.setattr(library, "DATA_DIR", tmp_path)
    library.load.cache_clear()
    yield
    library.load.cache_clear()


def test_run_review_confirm_approve(world, policies, sign_in, live_server, page):
    from shuzhuan.policy.models import Entitlement, EntitlementStatus

    a, b = world.enterprises["a"], world.enterprises["b"]
    sign_in("city")
    page.goto(f"{live_server.url}/policy/runs/")
    page.get_by_label("测试：营收奖励").check()
    page.get_by_label("按哪一天的政策").fill("2024-09-01")
    page.get_by_role("button", name="开始判定").click()
    page.wait_for_url("**/policy/runs/*/")
    assert page.locator("#fig-entitled").inner_text() == "1"  # the quota is one; the tie goes to the lower USCC
    Entitlement.objects.filter(enterprise=b).update(status=EntitlementStatus.ENTITLED)
    run_url = page.url

    page.context.clear_cookies()
    sign_in("town_b")
    page.goto(run_url)
    row = page.locator("#entitlements tr", has_text=b.name)
    row.get_by_label("排除原因").fill("企业已迁出本市")
    row.get_by_role("button", name="排除").click()
    assert "镇街已排除：企业已迁出本市" in page.locator("#entitlements").inner_text()

    page.context.clear_cookies()
    sign_in("city")
    page.goto(run_url)
    page.get_by_role("button", name="审核完毕，推送企业确认").click()

    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in("ent_a")
    page.goto(f"{live_server.url}/policy/mine/")
    assert "45000.00" in page.content() and "测试：营收奖励" in page.content()
    page.get_by_label("收款账号（对公账户）").fill("6222 0202 0011 2233 445")
    page.get_by_role("button", name="确认享受").click()
    assert "6222 **** **** 3445" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone
    folder = os.environ.get("SZ_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/policy-mine-390.png", full_page=True)

    from decimal import Decimal

    from shuzhuan.funds import services as ledger

    ledger.allocate("test-revenue-award", "municipal", "direct_sme", Decimal("100000.00"), world.users["city"],
                    memo="免申即享预算")
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in("city")
    page.goto(run_url)
    page.locator("#entitlements tr", has_text=a.name).get_by_role("button", name="审批").click()
    assert "市级已审批" in page.locator("#entitlements").inner_text()
    assert Entitlement.objects.get(enterprise=a).status == EntitlementStatus.APPROVED
    page.get_by_role("button", name="支付已审批").click()
    assert "已支付 1 笔，合计 45,000.00 元" in page.content()
    assert Entitlement.objects.get(enterprise=a).status == EntitlementStatus.PAID

    page.goto(f"{live_server.url}/policy/runs/")  # a re-run: a was paid, so nobody is paid twice
    page.get_by_label("测试：营收奖励").check()
    page.get_by_label("按哪一天的政策").fill("2024-09-01")
    page.get_by_role("button", name="开始判定").click()
    page.wait_for_url("**/policy/runs/*/")
    assert page.locator("#fig-entitled").inner_text() == "0"
    assert "此前批次已兑现" in page.locator("#entitlements").inner_text()
    assert page.get_by_role("button", name="支付已审批").count() == 0
    assert ledger.balances("test-revenue-award")[("municipal", "direct_sme")]["paid"] == Decimal("45000.00")


def test_reform_publish_run_confirm_pay(world, sign_in, live_server, page):
    """Issue 11's "done when": the city changes a parameter as a draft, the what-if shows cost and
    gainers, the version is published, a 免申即享 run lists the entitled, the town reviews, the enterprise
    confirms on a phone-sized page, the city pays, and a re-run pays nobody twice."""
    from decimal import Decimal

    from shuzhuan.funds import services as ledger
    from shuzhuan.policy import library
    from shuzhuan.policy.models import Entitlement, EntitlementStatus, Recognition

    code = "zs-smart-pilot-award"
    a, b = world.enterprises["a"], world.enterprises["b"]
    Recognition.objects.create(organisation=a.organisation, kind="smart_pilot", level="provincial", year=2024)
    Recognition.objects.create(organisation=b.organisation, kind="smart_pilot", level="city", year=2024)
    ledger.allocate(code, "municipal", "direct_sme", Decimal("1000000.00"), world.users["city"], memo="预算")
    library.load.cache_clear()

    sign_in("city")
    page.goto(f"{live_server.url}/policy/whatif/")
    page.locator("#whatif-version").select_option(f"{code}|2024-01-01")
    page.get_by_role("button", name="调整参数").click()
    page.get_by_label("测算名称").fill("省级奖励提高到 50 万")
    page.get_by_label("省级试点示范奖励 (元)").fill("500000.00")
    page.get_by_role("button", name="测算并保存").click()
    page.wait_for_url("**/policy/whatif/*/")
    assert page.locator("#fig-cost").inner_text() == "300000.00 → 500000.00"
    assert page.locator("#fig-gainers").inner_text() == "1 / 0"
    page.get_by_label("新版本生效日期").fill("2024-07-01")
    page.get_by_role("button", name="发布为新版本").click()
    assert "已发布新版本" in page.content()

    page.goto(f"{live_server.url}/policy/runs/")
    page.get_by_label("智能制造试点示范项目奖励（演示配置）").check()
    page.get_by_label("按哪一天的政策").fill("2024-09-01")
    page.get_by_role("button", name="开始判定").click()
    page.wait_for_url("**/policy/runs/*/")
    run_url = page.url
    assert page.locator("#fig-entitled").inner_text() == "1"
    assert b.name not in page.locator("#entitlements").inner_text()  # a city-level pilot is not entitled

    page.context.clear_cookies()
    sign_in("town_a")  # the town reviews its firm and keeps it
    page.goto(run_url)
    assert a.name in page.locator("#entitlements").inner_text()

    page.context.clear_cookies()
    sign_in("city")
    page.goto(run_url)
    page.get_by_role("button", name="审核完毕，推送企业确认").click()

    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in("ent_a")
    page.goto(f"{live_server.url}/policy/mine/")
    assert "500000.00" in page.content()
    page.get_by_label("收款账号（对公账户）").fill("6222020200112233445")
    page.get_by_role("button", name="确认享受").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in("city")
    page.goto(run_url)
    page.get_by_role("button", name="审批全部已确认").click()
    page.get_by_role("button", name="支付已审批").click()
    assert "已支付 1 笔，合计 500,000.00 元" in page.content()
    assert Entitlement.objects.get(enterprise=a).status == EntitlementStatus.PAID

    page.goto(f"{live_server.url}/policy/runs/")
    page.get_by_label("智能制造试点示范项目奖励（演示配置）").check()
    page.get_by_label("按哪一天的政策").fill("2024-09-01")
    page.get_by_role("button", name="开始判定").click()
    page.wait_for_url("**/policy/runs/*/")
    assert page.locator("#fig-entitled").inner_text() == "0"
    assert "此前批次已兑现" in page.locator("#entitlements").inner_text()
    assert ledger.balances(code)[("municipal", "direct_sme")]["paid"] == Decimal("500000.00")
    library.load.cache_clear()
