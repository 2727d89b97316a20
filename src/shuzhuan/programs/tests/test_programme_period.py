"""A programme whose period is over (or that was switched off) shows as closed and takes no applications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shuzhuan.programs import services
from shuzhuan.programs.models import Programme
from shuzhuan.programs.tests.factories import make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(world) -> Programme:
    today = timezone.localdate()
    return Programme.objects.create(code="demo-town-scheme", name="示范镇配套奖补（已结束）", starts_on=dt.date(2025, 1, 1),
                                    ends_on=today)  # sub-industries: its data file


def test_state_follows_the_period(world, closed):
    today = timezone.localdate()
    assert closed.closed and closed.state_label == "已结束"
    assert closed.closed_on(today - dt.timedelta(days=1)) is False  # the end date itself is excluded
    live = make_programme()
    assert not live.closed and live.state_label == "进行中"
    live.active = False
    assert live.closed


def test_closed_programme_pages_say_so(world, closed, login):
    make_programme()
    c = login(world.users["city"])
    page = c.get(reverse("programs:dashboard"), {"programme": closed.code}).content.decode()
    header = page.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert closed.name in header and "已结束" in header
    assert "计划已结束，不再受理入库申请" in page
    live_page = c.get(reverse("programs:dashboard"), {"programme": "demo-pilot"}).content.decode()
    assert "进行中" in live_page.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert f"{closed.name}（已结束）" in live_page  # the picker marks it
    pilots = c.get(reverse("programs:pilots"), {"programme": closed.code}).content.decode()
    assert "已结束" in pilots


def test_closed_programme_takes_no_application(world, closed, login):
    make_programme()
    text = login(world.users["ent_a"]).get(reverse("programs:apply")).content.decode()
    assert "中小企业数字化转型城市试点" in text and closed.name not in text
    with pytest.raises(services.ServiceError, match="已结束"):
        services.apply_for_listing(world.users["ent_a"], closed, world.enterprises["a"])
