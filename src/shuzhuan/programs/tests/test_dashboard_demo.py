"""The demo city's running pilot: ~300 listed firms in two sub-industries, every state, one paid batch."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.models import Listing, PayoutBatch, Project

pytestmark = pytest.mark.django_db


def test_demo_pilot(world):
    from shuzhuan.programs import demo
    from shuzhuan.registry import demo as registry_demo

    registry_demo.build_demo_registry(6000, 7)
    out = io.StringIO()
    counts = demo.generate_programme(7, stdout=out)
    assert set(counts) == set(wf.STATES), counts
    listed = Listing.objects.filter(programme__code="demo-pilot", status=wf.LISTING_LISTED)
    assert 250 <= listed.count() <= 300
    assert set(listed.values_list("sub_industry", flat=True)) == {"lighting", "appliances"}
    paid = PayoutBatch.objects.get(status=wf.BATCH_PAID)
    assert paid.projects.filter(state=wf.PAID).count() == counts[wf.PAID]
    assert Project.objects.filter(state=wf.PAID, post_assessment__level__gte=2).count() == counts[wf.PAID]
    # post-transformation ratings are real sheets: their dimensions add up to the stored score
    for rating in [p.post_assessment for p in Project.objects.filter(post_assessment__isnull=False).select_related("post_assessment")]:
        assert rating.answers and rating.scenarios and rating.level >= 2
        assert sum(Decimal(v) for v in rating.dimensions.values()) == rating.score
    # issue 10 item 1: no demo project declares items above its contract, nor is paid more than it
    from django.db.models import Sum

    over = [p.pk for p in Project.objects.annotate(items_total=Sum("items__amount"))
            if p.items_total is not None and (p.contract_amount is None or p.items_total > p.contract_amount)]
    assert over == []
    assert not any(p.subsidy_amount > p.contract_amount
                   for p in Project.objects.filter(subsidy_amount__isnull=False))
    assert "试点企业库" in out.getvalue()
    # the dates hang together: the programme runs today, for the period of its rules, and every listing and
    # project the demo made falls inside it
    from django.utils import timezone

    from shuzhuan.programs import programmes
    from shuzhuan.programs.models import Programme

    programme = Programme.objects.get(code="demo-pilot")
    today = timezone.localdate()
    assert not programme.closed and programme.starts_on <= today < programme.ends_on
    rules = programmes.load("demo-pilot")
    assert rules.version_on(programme.starts_on) is not None
    assert rules.version_on(programme.ends_on - dt.timedelta(days=1)) is not None
    for day in listed.values_list("listed_on", flat=True):
        assert programme.starts_on <= day < programme.ends_on
    for finish, acceptance in Project.objects.values_list("finish_due", "acceptance_due"):
        assert all(d is None or d < programme.ends_on for d in (finish, acceptance))
    assert demo.generate_programme(7) == {}  # a second run skips
    from shuzhuan.funds import services as funds

    assert funds.reconcile().clean
    assert demo.reset_programme() == sum(counts.values())
