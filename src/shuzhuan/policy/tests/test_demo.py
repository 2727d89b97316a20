"""The demo city's recognitions in the seed's numbers, a 免申即享 run with a paid batch, a saved what-if."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from shuzhuan.policy import demo, facts
from shuzhuan.policy.models import EntitlementStatus, PaymentBatch, Recognition, Reform

pytestmark = pytest.mark.django_db


def _counts() -> dict[tuple[str, str], int]:
    from collections import Counter

    return dict(Counter(Recognition.objects.values_list("kind", "level")))


def test_demo_recognitions_run_and_what_if(world):
    from shuzhuan.funds import services as ledger
    from shuzhuan.registry import demo as registry_demo

    registry_demo.build_demo_registry(3000, 7)
    out = io.StringIO()
    counts = demo.generate_recognitions(7, stdout=out, on_cloud=2500)  # a small city: 2,500 on cloud, not 8,500
    by = _counts()
    assert by[("lighthouse", "national")] == 1
    pilots = {level: by.get(("smart_pilot", level), 0) for level in ("national", "provincial", "city")}
    assert sum(pilots.values()) == 86 and pilots["national"] == 2 and pilots["national"] + pilots["provincial"] == 32
    assert by[("provincial_iiot", "provincial")] == 28
    assert (by[("demo_factory", "city")], by[("demo_workshop", "city")], by[("iiot_benchmark", "city")]) == (18, 27, 20)
    assert by[("identifier_node", "provincial")] == 1 and by[("on_cloud", "city")] == 2500
    assert counts["on_cloud"] == 2500 and sum(counts.values()) == Recognition.objects.count()
    # the workshop → factory difference: six factories were workshops first, their award is the difference
    factories = Recognition.objects.filter(kind="demo_factory")
    earlier = [f for f in factories if Recognition.objects.filter(kind="demo_workshop", organisation=f.organisation,
                                                                  year__lt=f.year).exists()]
    assert len(earlier) == demo.FACTORY_FROM_WORKSHOP

    # the run: the entitled are the firms with a 2024 provincial-or-higher pilot (1 national, 7-8 provincial)
    from shuzhuan.policy.models import PolicyRun

    run = PolicyRun.objects.get()
    rows = run.entitlements.all()
    ranked = Recognition.objects.filter(kind="smart_pilot", year=2024, level__in=["national", "provincial"])
    assert {r.enterprise.organisation_id for r in rows} == set(ranked.values_list("organisation_id", flat=True))
    paid = rows.filter(status=EntitlementStatus.PAID)
    assert paid.count() == demo.CONFIRMING and PaymentBatch.objects.get().count == demo.CONFIRMING
    total = sum((r.amount for r in paid), Decimal("0.00"))
    assert ledger.balances(demo.RUN_POLICY)[("municipal", "direct_sme")]["paid"] == total
    assert rows.filter(status=EntitlementStatus.OFFERED).count() == rows.count() - demo.CONFIRMING
    assert ledger.reconcile().clean

    # batch == single for the records' fact
    sample = list(rows.values_list("enterprise__organisation__uscc", flat=True)[:3])
    frame = facts.load_batch(["smart_pilot_rank[2024]"], sample)
    for uscc, value in frame.iter_rows():
        assert facts.load_single(uscc, ["smart_pilot_rank[2024]"])["smart_pilot_rank[2024]"] == value

    reform = Reform.objects.get()
    gained = ranked.filter(level="provincial").values("organisation").distinct().count()
    national_only = ranked.filter(level="national").values_list("organisation", flat=True)
    gained -= ranked.filter(level="provincial", organisation__in=national_only).values("organisation").distinct().count()
    assert reform.result["gainers"] == gained and reform.result["losers"] == 0
    assert Decimal(reform.result["cost_change"]) == Decimal("200000.00") * gained

    again = io.StringIO()
    assert demo.generate_recognitions(7, stdout=again) == {}  # a second run skips
    assert demo.reset() == sum(counts.values())
    assert not Recognition.objects.exists() and not PolicyRun.objects.exists() and not Reform.objects.exists()


def test_the_same_seed_gives_the_same_recognitions(world):
    from shuzhuan.registry import demo as registry_demo

    registry_demo.build_demo_registry(600, 3)
    demo.generate_recognitions(3, on_cloud=100)
    first = sorted(Recognition.objects.values_list("organisation_id", "kind", "level", "year", "award"))
    demo.reset()
    demo.generate_recognitions(3, on_cloud=100)
    assert sorted(Recognition.objects.values_list("organisation_id", "kind", "level", "year", "award")) == first
