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
