"""Issue 12's "Done when", across the roles in a real browser: the enterprise files a 数字贷 project, the
town and the city approve it, the bank (signed in as the bank) verifies the filing number, grants
credit, disburses and uploads a month of interest by XLSX; the city runs the quarter's 免申即享
interest claims and the enterprise is listed, confirms on its 可享政策 page, the city approves and pays
from the interest budget; a 助保贷 default goes through the waterfall and the pool page's balances show it."""

import datetime as dt
import json
from decimal import Decimal

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login/**")


def api(page, base, path, body):
    """A POST of the bank's session to its API (CSRF header from the cookie, an Idempotency-Key)."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    r = page.request.post(f"{base}/api/v1/finance{path}", data=json.dumps(body),
                          headers={"Content-Type": "application/json", "X-CSRFToken": token,
                                   "Idempotency-Key": f"flow-{path}", "Referer": base})
    assert r.ok, r.text()
    return r.json()


def test_filing_to_paid_interest_and_a_default(world, live_server, sign_in, tmp_path):
    import openpyxl

    from shuzhuan.finance import guarantee
    from shuzhuan.finance.models import BankProfile, Filing, GuaranteePool, InterestClaim

    base = live_server.url
    firm = world.enterprises["a"]
    firm.founded_on = dt.date(2015, 6, 1)
    firm.save(update_fields=["founded_on"])
    bank = BankProfile.objects.create(organisation=world.orgs["bank_a"])
    today = dt.date.today()

    # 1. the enterprise files
    page = sign_in("ent_a")
    page.goto(f"{base}/finance/filings/new/")
    page.get_by_label("项目名称").fill("灯饰产线数字化")
    page.get_by_label("投资项目备案（核准）编号").fill("2501-442000-04-01-000777")
    page.get_by_label("实施服务商").fill("数智云服务商甲")
    page.get_by_label("合同金额（元）").fill("8000000")
    page.get_by_label("其中：生产线（元）").fill("6000000")
    page.get_by_label("融资需求（元）").fill("5000000")
    page.get_by_label("示范银行甲").check()
    page.get_by_role("button", name="提交备案").click()
    page.wait_for_url("**/finance/filings/*/")
    filing = Filing.objects.get(enterprise=firm)
    sign_out(page)

    # 2. the town, then the city approve
    for user, action in (("town_a", "镇街审核通过"), ("city", "市级审核通过，予以备案")):
        page = sign_in(user)
        page.goto(f"{base}/finance/filings/{filing.pk}/")
        page.get_by_role("button", name=action).click()
        page.get_by_text(action).first.wait_for()
        sign_out(page)
    filing.refresh_from_db()
    assert filing.number.startswith(f"SZD-{today.year}-")

    # 3. the bank verifies the number, grants, disburses, uploads a month of interest by XLSX
    page = sign_in("bank_a")
    page.goto(f"{base}/api/v1/finance/filings/{filing.number}")
    assert json.loads(page.locator("body").inner_text())["number"] == filing.number
    loan = api(page, base, "/loans", {"filing_number": filing.number, "reference": "GZ-777", "amount": "5000000.00",
                                      "applied_on": today.isoformat()})
    api(page, base, f"/loans/{loan['id']}/grant", {"amount": "4000000.00", "rate": "3.45", "term_months": 36,
                                                  "on": today.isoformat()})
    api(page, base, f"/loans/{loan['id']}/disbursements", {"amount": "4000000.00", "on": today.isoformat()})
    book = openpyxl.Workbook()
    book.active.append(["业务编号", "还款日期", "还款本金", "实付利息"])
    book.active.append(["GZ-777", today.isoformat(), "0", "11500.00"])
    xlsx = tmp_path / "还款.xlsx"
    book.save(xlsx)
    page.goto(f"{base}/finance/loans/import/")
    page.set_input_files("#id_file", str(xlsx))
    page.get_by_role("button", name="上传并校验").click()
    page.get_by_role("button", name="导入全部").click()
    page.get_by_role("link", name="查看导入结果").or_(page.get_by_text("导入完成")).first.wait_for()
    sign_out(page)

    # 4. the city runs the quarter's claims: the enterprise is listed; the run is offered
    quarter = (today.month - 1) // 3 + 1
    page = sign_in("city")
    page.goto(f"{base}/finance/interest-claims/")
    page.get_by_label("下达预算（元）").fill("20000.00")
    page.get_by_role("button", name="下达贴息预算").click()
    page.get_by_label("年度").fill(str(today.year))
    page.get_by_label("季度").select_option(str(quarter))
    page.get_by_role("button", name="生成季度贴息申领").click()
    page.wait_for_url("**/policy/runs/*/")
    run_url = page.url
    assert page.locator("#entitlements tr", has_text=firm.name).count() == 1
    page.get_by_role("button", name="审核完毕，推送企业确认").click()
    sign_out(page)

    # 5. the enterprise confirms on its 可享政策 page
    page = sign_in("ent_a")
    page.goto(f"{base}/policy/mine/")
    page.get_by_label("收款账号（对公账户）").fill("6222 0202 0011 2233 445")
    page.get_by_role("button", name="确认享受").click()
    page.get_by_text("企业已确认").first.wait_for()
    sign_out(page)

    # 6. the city approves and pays
    page = sign_in("city")
    page.goto(run_url)
    page.locator("#entitlements tr", has_text=firm.name).get_by_role("button", name="审批").click()
    page.goto(f"{base}/finance/interest-claims/")
    claim = InterestClaim.objects.get(enterprise=firm)
    assert claim.amount == Decimal("11500.00")
    page.locator(f"#claim-{claim.pk}").get_by_role("button", name="支付").click()
    page.locator(f"#claim-{claim.pk}").get_by_text(f"interest-claim:{claim.pk}").wait_for()
    from shuzhuan.core.templatetags.sz import wanyuan
    from shuzhuan.finance import claims

    assert claims.budget() == {"available": Decimal("8500.00"), "paid": Decimal("11500.00")}
    page.reload()
    assert page.locator("#budget-paid").inner_text().strip() == wanyuan(Decimal("11500.00"))

    # 7. a 助保贷 default through the waterfall; the pool page shows the balances
    pool = GuaranteePool.objects.create(code="zbd", name="助保贷资金池")
    guarantee.fund_deposit(world.users["city"], pool, Decimal("1000000.00"))
    pool_loan = guarantee.register_loan(world.users["bank_a"], pool, firm, bank, Decimal("2000000.00"), today)
    fee_pool = guarantee.balances(pool)["fee_pool"]
    guarantee.compensate(world.users["bank_a"], pool_loan, Decimal("500000.00"))
    after = guarantee.balances(pool)
    from_deposit = (Decimal("500000.00") - fee_pool) / 2
    assert after["fee_pool"] == 0 and after["deposit"] == Decimal("1000000.00") - from_deposit.quantize(Decimal("0.01"))
    page.goto(f"{base}/finance/guarantee/")
    panel = page.locator("#pool-zbd")
    panel.wait_for()
    text = panel.inner_text()
    assert wanyuan(after["deposit"]) in text and wanyuan(after["deposit_paid"]) in text
