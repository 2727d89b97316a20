"""The 免申即享 pages end to end: the city runs, the town excludes, the city offers, the enterprise
confirms on its page, the city approves; each sees only its scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shuzhuan.policy.models import Entitlement, EntitlementStatus, PolicyRun
from shuzhuan.policy.tests.test_runs import policies  # noqa: F401 - the fixture


def test_the_flow_through_the_pages(world, client, policies) -> None:  # noqa: F811
    a, b = world.enterprises["a"], world.enterprises["b"]
    client.force_login(world.users["city"])
    response = client.post("/policy/runs/", {"policies": ["test-revenue-award"], "on": "2024-09-01"})
    run = PolicyRun.objects.get()
    assert response.status_code == 302 and response.url == f"/policy/runs/{run.pk}/"
    page = client.get(response.url).content.decode()
    assert a.name in page and b.name in page and "45000.00" in page
    Entitlement.objects.filter(enterprise=b).update(status=EntitlementStatus.ENTITLED)  # as if within quota

    client.force_login(world.users["town_a"])
    page = client.get(f"/policy/runs/{run.pk}/").content.decode()
    assert a.name in page and b.name not in page  # the town sees its own rows only
    client.force_login(world.users["town_b"])
    row_b = Entitlement.objects.get(enterprise=b)
    client.post(f"/policy/entitlements/{row_b.pk}/exclude/", {"reason": "企业已注销"})
    row_b.refresh_from_db()
    assert (row_b.status, row_b.reason) == (EntitlementStatus.EXCLUDED, "企业已注销")
    assert client.post("/policy/runs/", {"policies": ["test-revenue-award"], "on": "2024-09-01"}).status_code == 403

    client.force_login(world.users["city"])
    client.post(f"/policy/runs/{run.pk}/offer/")
    client.force_login(world.users["ent_a"])
    page = client.get("/policy/mine/").content.decode()
    assert "测试：营收奖励" in page and "45000.00" in page and "营收门槛 40,000,000.00 元" in page
    row_a = Entitlement.objects.get(enterprise=a)
    client.post(f"/policy/entitlements/{row_a.pk}/confirm/", {"bank_account": "6222020200112233445"})
    page = client.get("/policy/mine/").content.decode()
    assert "6222 **** **** 3445" in page and "6222020200112233445" not in page
    assert client.post(f"/policy/entitlements/{row_b.pk}/confirm/", {"bank_account": "1" * 12}).status_code == 404

    client.force_login(world.users["city"])
    client.post(f"/policy/entitlements/{row_a.pk}/approve/")
    row_a.refresh_from_db()
    assert row_a.status == EntitlementStatus.CONFIRMED  # no budget line yet: refused, nothing moved
    from shuzhuan.funds import services as ledger

    ledger.allocate("test-revenue-award", "municipal", "direct_sme", Decimal("45000.00"), world.users["city"], memo="预算")
    client.post(f"/policy/entitlements/{row_a.pk}/approve/")
    row_a.refresh_from_db()
    assert row_a.status == EntitlementStatus.APPROVED and row_a.amount == Decimal("45000.00")


def test_a_bad_run_request_is_explained(world, client, policies) -> None:  # noqa: F811
    client.force_login(world.users["city"])
    response = client.post("/policy/runs/", {"policies": ["nope"], "on": "2024-09-01"}, follow=True)
    assert "未知的政策" in response.content.decode()
    response = client.post("/policy/runs/", {"policies": ["test-revenue-award"], "on": "2024-99-01"}, follow=True)
    assert "日期应为 YYYY-MM-DD" in response.content.decode()
    assert not PolicyRun.objects.exists()


@pytest.fixture
def mid_2025(monkeypatch):
    from shuzhuan.policy import views_runs

    monkeypatch.setattr(views_runs.timezone, "localdate", lambda: dt.date(2025, 6, 1))


def test_the_calculator_evaluates_every_policy_on_own_records(world, client, policies, mid_2025) -> None:  # noqa: F811
    client.force_login(world.users["ent_a"])
    page = client.get("/policy/calculator/").content.decode()
    assert 'id="calc-test-revenue-award"' in page
    assert "45000.00" in page and "适用" in page  # 45,000,000.00 of 2024 revenue × 0.001
    assert world.enterprises["b"].name not in page
    client.force_login(world.users["town_a"])
    assert client.get("/policy/calculator/").status_code == 403


def test_the_calculator_asks_for_what_records_lack(world, client, mid_2025) -> None:
    client.force_login(world.users["ent_a"])
    page = client.get("/policy/calculator/").content.decode()
    assert 'id="calc-zs-demo-workshop"' in page
    assert "平台记录中还没有" in page and "核定金额" in page


def test_home_card_for_the_enterprise(world, client, policies) -> None:  # noqa: F811
    from shuzhuan.policy import services

    run = services.create_run(world.users["city"], ["test-revenue-award"], dt.date(2024, 9, 1))
    client.force_login(world.users["ent_a"])
    assert "可享政策（待确认）" not in client.get("/").content.decode()
    services.offer(world.users["city"], run)
    page = client.get("/").content.decode()
    assert "可享政策（待确认）" in page and "45,000.00 元" in page
    client.force_login(world.users["ent_b"])  # b is over the quota: nothing offered
    assert "可享政策（待确认）" not in client.get("/").content.decode()
