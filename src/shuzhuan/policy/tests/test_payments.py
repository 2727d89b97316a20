"""Paying 免申即享 entitlements through the funds ledger: a budget line per policy, a commitment at
approval (the ledger's conditional debit — a budget too small refuses the rest), a paid batch, and a
re-run that never pays twice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shuzhuan.funds import programmes, references
from shuzhuan.funds import services as ledger
from shuzhuan.policy import funding, services
from shuzhuan.policy.domain.runs import TransitionError
from shuzhuan.policy.models import EntitlementStatus, PaymentBatch, RunStatus
from shuzhuan.policy.tests.test_runs import ON, policies  # noqa: F401 - the fixture

D = Decimal
CODE = "test-revenue-award"


def _confirmed_run(world):
    """Both a and b entitled 45,000.00 (b promoted past the quota), offered and confirmed."""
    run = services.create_run(world.users["city"], [CODE], ON)
    run.entitlements.filter(enterprise=world.enterprises["b"]).update(status=EntitlementStatus.ENTITLED)
    services.offer(world.users["city"], run)
    for side in ("a", "b"):
        row = run.entitlements.get(enterprise=world.enterprises[side])
        services.confirm(world.users[f"ent_{side}"], row, "6222020200112233445")
    return run


def _line(code: str = CODE) -> dict[str, Decimal]:
    return ledger.balances(code)[("municipal", "direct_sme")]


def test_the_ledger_knows_each_policy_without_importing_it(world, policies) -> None:  # noqa: F811
    assert CODE in programmes.available()
    assert programmes.load(CODE).title == "测试：营收奖励"
    assert "demo-pilot" in programmes.available()  # the programmes' catalogue is still there
    with pytest.raises(programmes.UnknownProgramme):
        programmes.load("no-such-code")


def test_approval_commits_and_a_small_budget_refuses_the_rest(world, policies) -> None:  # noqa: F811
    city = world.users["city"]
    run = _confirmed_run(world)
    a_row = run.entitlements.get(enterprise=world.enterprises["a"])
    with pytest.raises(ledger.InsufficientFunds):  # no budget line yet: nothing moves
        services.approve(city, a_row)
    a_row.refresh_from_db()
    assert a_row.status == EntitlementStatus.CONFIRMED and a_row.approved_at is None

    ledger.allocate(CODE, "municipal", "direct_sme", D("50000.00"), city, memo="免申即享预算")
    approved, refused = services.approve_run(city, run)
    assert len(approved) == 1 and len(refused) == 1  # 45,000.00 fits; the second 45,000.00 does not
    assert "不足" in refused[0][1]
    assert refused[0][0].status == EntitlementStatus.CONFIRMED
    assert _line() == {"available": D("5000.00"), "committed": D("45000.00"), "paid": D("0.00")}
    assert ledger.open_commitment(funding.reference(approved[0].pk)) == {"municipal": D("45000.00")}
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED


def test_a_paid_batch_and_a_rerun_never_pays_twice(world, policies) -> None:  # noqa: F811
    city = world.users["city"]
    ledger.allocate(CODE, "municipal", "direct_sme", D("50000.00"), city, memo="免申即享预算")
    run = _confirmed_run(world)
    (paid_row,), _refused = services.approve_run(city, run)
    batch = services.pay_run(city, run)
    assert (batch.count, batch.total) == (1, D("45000.00"))
    paid_row.refresh_from_db()
    assert (paid_row.status, paid_row.batch) == (EntitlementStatus.PAID, batch) and paid_row.paid_at
    assert _line() == {"available": D("5000.00"), "committed": D("0.00"), "paid": D("45000.00")}
    assert ledger.reconcile().clean
    label, url = references.describe([funding.reference(paid_row.pk)])[funding.reference(paid_row.pk)]
    assert label.startswith("测试：营收奖励 · ") and url == f"/policy/runs/{run.pk}/"

    with pytest.raises(TransitionError):  # nothing approved left in this run
        services.pay_run(city, run)
    with pytest.raises(ledger.LedgerError):  # the ledger closed the commitment once
        ledger.pay(funding.reference(paid_row.pk), city)

    ledger.allocate(CODE, "municipal", "direct_sme", D("500000.00"), city, memo="追加")
    again = services.create_run(city, [CODE], ON)
    rerun_a = again.entitlements.get(enterprise=world.enterprises["a"])
    assert rerun_a.status == EntitlementStatus.SETTLED  # paid in the first run: never offered again
    with pytest.raises(TransitionError):
        services.approve(city, rerun_a)
    # b was confirmed in the first run (refused for money, still waiting there): settled here too
    assert set(again.entitlements.values_list("status", flat=True)) == {EntitlementStatus.SETTLED}
    with pytest.raises(TransitionError):
        services.pay_run(city, again)
    assert _line()["paid"] == D("45000.00")
    assert PaymentBatch.objects.count() == 1


def test_the_run_page_approves_and_pays(world, client, policies) -> None:  # noqa: F811
    city = world.users["city"]
    ledger.allocate(CODE, "municipal", "direct_sme", D("50000.00"), city, memo="免申即享预算")
    run = _confirmed_run(world)
    client.force_login(world.users["town_a"])
    assert client.post(f"/policy/runs/{run.pk}/approve/").status_code == 403
    assert client.post(f"/policy/runs/{run.pk}/pay/").status_code == 403
    client.force_login(city)
    page = client.post(f"/policy/runs/{run.pk}/approve/", follow=True).content.decode()
    assert "已审批 1 项" in page and "未审批" in page and "不足" in page
    page = client.post(f"/policy/runs/{run.pk}/pay/", follow=True).content.decode()
    assert "已支付 1 笔，合计 45,000.00 元" in page and 'id="batches"' in page
    page = client.post(f"/policy/runs/{run.pk}/pay/", follow=True).content.decode()
    assert "没有待支付的已审批项目" in page
    assert _line()["paid"] == D("45000.00")
