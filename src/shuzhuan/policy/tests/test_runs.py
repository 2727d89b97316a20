"""免申即享 runs: the entitled from records, the quota by the ranking rule, what changed since the
previous run, and never the same (policy, enterprise, period) settled twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from shuzhuan.policy import library, services
from shuzhuan.policy.domain import runs
from shuzhuan.policy.domain.values import FactInputError
from shuzhuan.policy.models import Entitlement, EntitlementStatus, PolicyRun

D = Decimal
ON = dt.date(2024, 9, 1)
POLICY = """
code: test-revenue-award
title: 测试：营收奖励
subject: enterprise
source: {document: 测试文件}
versions:
  - effective_from: 2024-01-01
    parameters:
      threshold: {value: "40000000.00", label: 营收门槛, unit: 元, source: {document: 测试文件}}
      share: {value: "0.001", label: 奖励比例, unit: "%", source: {document: 测试文件}}
      cap: {value: "45500.00", label: 上限, unit: 元, source: {document: 测试文件}}
    conditions:
      - {label: 营收达到门槛, when: "revenue[2024] >= p.threshold"}
    amount: revenue[2024] * p.share
    caps: [{limit: p.cap}]
    quota: {per_year: 1, rank_by: "revenue[2024]"}
"""


@pytest.fixture
def policies(tmp_path, monkeypatch):
    (tmp_path / "test-revenue-award.yaml").write_text(POLICY, encoding="utf-8")
    monkeypatch.setattr(library, "DATA_DIR", tmp_path)
    library.load.cache_clear()
    yield
    library.load.cache_clear()


def test_compare_labels_every_key() -> None:
    changes = runs.compare({("p", "a"): D("1.00"), ("p", "b"): D("2.00"), ("p", "c"): D("3.00")},
                           {("p", "a"): D("1.00"), ("p", "b"): D("2.50"), ("p", "d"): D("4.00")})
    assert {k[1]: c.kind for k, c in changes.items()} == {"a": "unchanged", "b": "changed", "c": "dropped", "d": "new"}
    assert runs.summary(changes) == {"new": 1, "dropped": 1, "changed": 1, "unchanged": 1}


def test_a_run_lists_the_entitled_and_remembers_its_inputs(world, policies) -> None:
    run = services.create_run(world.users["city"], ["test-revenue-award"], ON)
    a, b = world.enterprises["a"], world.enterprises["b"]
    rows = {e.enterprise_id: e for e in run.entitlements.all()}
    # both have 45,000,000.00 of 2024 revenue: × 0.001 = 45,000.00, under the cap; one place, the tie by USCC
    assert (rows[a.pk].amount, rows[a.pk].status) == (D("45000.00"), EntitlementStatus.ENTITLED)
    assert (rows[b.pk].amount, rows[b.pk].status) == (D("45000.00"), EntitlementStatus.OVER_QUOTA)
    assert rows[a.pk].inputs == {"revenue[2024]": "45000000.00"}
    assert run.versions == {"test-revenue-award": "2024-01-01"} and len(run.snapshot) == 64
    assert run.summary["entitled"] == 1 and run.summary["total"] == "45000.00"
    outcome = services.explain(rows[a.pk])
    assert outcome.amount == D("45000.00")
    assert "条件「营收达到门槛」：营业收入（2024 年） 45,000,000.00 元 ≥ 营收门槛 40,000,000.00 元 → 满足" in outcome.explanation


def test_a_rerun_never_pays_twice_and_shows_what_changed(world, policies) -> None:
    from shuzhuan.registry.models import EnterpriseYear

    first = services.create_run(world.users["city"], ["test-revenue-award"], ON)
    a, b = world.enterprises["a"], world.enterprises["b"]
    first.entitlements.filter(enterprise=a).update(status=EntitlementStatus.PAID)
    EnterpriseYear.objects.filter(enterprise=b, year=2024).update(revenue=D("46000000.00"))
    second = services.create_run(world.users["city"], ["test-revenue-award"], ON)
    assert second.previous == first
    rows = {e.enterprise_id: e for e in second.entitlements.all()}
    assert rows[a.pk].status == EntitlementStatus.SETTLED  # paid in the first run: not offered again
    # b now ranks first, but the year's one place is a's (paid): b stays over the quota, at its new amount (capped)
    assert (rows[b.pk].status, rows[b.pk].amount) == (EntitlementStatus.OVER_QUOTA, D("45500.00"))
    assert (rows[b.pk].change, rows[b.pk].previous_amount) == (runs.CHANGED, D("45000.00"))
    assert rows[a.pk].change == runs.UNCHANGED
    assert first.snapshot != second.snapshot
    assert second.summary["changes"] == {"new": 0, "dropped": 0, "changed": 1, "unchanged": 1}


def test_the_database_refuses_a_second_settlement(world, policies) -> None:
    first = services.create_run(world.users["city"], ["test-revenue-award"], ON)
    second = services.create_run(world.users["city"], ["test-revenue-award"], ON)
    a = world.enterprises["a"]
    first.entitlements.filter(enterprise=a).update(status=EntitlementStatus.CONFIRMED)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.entitlements.filter(enterprise=a).update(status=EntitlementStatus.PAID)


def test_dropped_subjects_are_reported(world, policies) -> None:
    from shuzhuan.registry.models import EnterpriseYear

    services.create_run(world.users["city"], ["test-revenue-award"], ON)
    EnterpriseYear.objects.filter(enterprise=world.enterprises["b"], year=2024).update(revenue=D("1.00"))
    second = services.create_run(world.users["city"], ["test-revenue-award"], ON)
    assert second.summary["dropped"] == [{"policy": "test-revenue-award", "uscc": world.enterprises["b"].uscc,
                                          "before": "45000.00"}]


def test_bad_choices_name_the_field(world, policies) -> None:
    with pytest.raises(FactInputError) as err:
        services.create_run(world.users["city"], ["test-revenue-award", "nope"], ON)
    assert [e.field for e in err.value.errors] == ["policies.1"]
    with pytest.raises(FactInputError):
        services.create_run(world.users["city"], ["test-revenue-award"], dt.date(2023, 1, 1))
    assert not PolicyRun.objects.exists() and not Entitlement.objects.exists()


def test_scope(world, policies) -> None:
    services.create_run(world.users["city"], ["test-revenue-award"], ON)
    a = world.enterprises["a"]
    assert Entitlement.objects.visible_to(world.users["city"]).count() == 2
    assert list(Entitlement.objects.visible_to(world.users["town_a"]).values_list("enterprise", flat=True)) == [a.pk]
    assert list(Entitlement.objects.visible_to(world.users["ent_a"]).values_list("enterprise", flat=True)) == [a.pk]
    assert not Entitlement.objects.visible_to(world.users["provider_a"]).exists()
    assert not PolicyRun.objects.visible_to(world.users["ent_a"]).exists()


def test_review_offer_confirm_approve(world, policies) -> None:
    from django.core.exceptions import PermissionDenied

    from shuzhuan.core.models import AuditEntry
    from shuzhuan.policy.domain.runs import TransitionError

    run = services.create_run(world.users["city"], ["test-revenue-award"], ON)
    a, b = world.enterprises["a"], world.enterprises["b"]
    row_b = run.entitlements.get(enterprise=b)
    row_b.status = EntitlementStatus.ENTITLED  # promote the over-quota row for the review step
    row_b.save()
    with pytest.raises(PermissionDenied):
        services.exclude(world.users["town_a"], row_b, "不是本镇企业")  # another town's enterprise
    with pytest.raises(TransitionError):
        services.exclude(world.users["town_b"], row_b, "  ")
    services.exclude(world.users["town_b"], row_b, "已迁出本市")
    row_b.refresh_from_db()
    assert (row_b.status, row_b.reason) == (EntitlementStatus.EXCLUDED, "已迁出本市")
    assert services.offer(world.users["city"], run) == 1
    row_a = run.entitlements.get(enterprise=a)
    assert row_a.status == EntitlementStatus.OFFERED
    with pytest.raises(PermissionDenied):
        services.confirm(world.users["ent_b"], row_a, "6222020200112233445")
    with pytest.raises(TransitionError):
        services.confirm(world.users["ent_a"], row_a, "62220x")
    services.confirm(world.users["ent_a"], row_a, "6222 0202 0011 2233 445")
    assert (row_a.status, row_a.bank_account, row_a.bank_account_masked) == (
        EntitlementStatus.CONFIRMED, "6222020200112233445", "6222 **** **** 3445")
    with pytest.raises(TransitionError):
        services.confirm(world.users["ent_a"], row_a, "6222020200112233445")  # once
    from shuzhuan.funds import services as ledger

    ledger.allocate("test-revenue-award", "municipal", "direct_sme", D("45000.00"), world.users["city"], memo="预算")
    services.approve(world.users["city"], row_a)
    assert row_a.status == EntitlementStatus.APPROVED and row_a.approved_at is not None
    actions = list(AuditEntry.objects.filter(target_type="policy.entitlement").values_list("action", flat=True))
    assert sorted(actions) == ["policy.approve", "policy.confirm", "policy.exclude"]
    assert "6222020200112233445" not in " ".join(AuditEntry.objects.values_list("summary", flat=True))


def test_a_second_run_cannot_be_confirmed_for_the_same_period(world, policies) -> None:
    from shuzhuan.policy.domain.runs import TransitionError

    first = services.create_run(world.users["city"], ["test-revenue-award"], ON)
    second = services.create_run(world.users["city"], ["test-revenue-award"], ON)
    for run in (first, second):
        services.offer(world.users["city"], run)
    a = world.enterprises["a"]
    services.confirm(world.users["ent_a"], first.entitlements.get(enterprise=a), "6222020200112233445")
    with pytest.raises(TransitionError, match="不能重复"):
        services.confirm(world.users["ent_a"], second.entitlements.get(enterprise=a), "6222020200112233445")

