"""标杆示范: the anonymous showcase of cases, filtered by validated query parameters; the officers' list."""

from __future__ import annotations

import pytest

from shuzhuan.policy.models import Recognition

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):
    a, b = world.enterprises["a"], world.enterprises["b"]
    Recognition.objects.create(organisation=a.organisation, kind="demo_workshop", level="city", year=2023,
                               project="灯饰车间改造", summary="灯饰车间设备联网", results="产能提升 20%",
                               provider_name="岐江智造科技有限公司")
    Recognition.objects.create(organisation=b.organisation, kind="smart_pilot", level="provincial", year=2024,
                               summary="五金 MES 建设", results="不良品率下降 30%")
    Recognition.objects.create(organisation=b.organisation, kind="on_cloud", level="city", year=2024)
    return a, b


def test_the_showcase_is_public_and_filters_by_town_and_industry(client, world, cases) -> None:
    a, b = cases
    page = client.get("/policy/showcase/").content.decode()
    assert "灯饰车间设备联网" in page and "产能提升 20%" in page and "岐江智造科技有限公司" in page
    assert "五金 MES 建设" in page and a.name in page and b.name in page
    assert "上云用平台" in page  # counted in the figures, not listed as a case
    page = client.get("/policy/showcase/", {"town": world.towns["a"].code}).content.decode()
    assert "灯饰车间设备联网" in page and "五金 MES 建设" not in page
    page = client.get("/policy/showcase/", {"industry": "33"}).content.decode()  # 金属制品业: b only
    assert "五金 MES 建设" in page and "灯饰车间设备联网" not in page
    page = client.get("/policy/showcase/", {"kind": "smart_pilot"}).content.decode()
    assert "五金 MES 建设" in page and "灯饰车间设备联网" not in page


@pytest.mark.parametrize("query", [{"town": "nowhere"}, {"industry": "'; drop"}, {"kind": "x"}, {"page": "abc"},
                                   {"page": "999999"}, {"town": ["1", "2"]}])
def test_bad_parameters_never_fail(client, world, cases, query) -> None:
    response = client.get("/policy/showcase/", query)
    assert response.status_code == 200


def test_bad_filter_is_said_and_shows_everything(client, world, cases) -> None:
    page = client.get("/policy/showcase/", {"town": "nowhere"}).content.decode()
    assert 'id="filter-errors"' in page and "灯饰车间设备联网" in page and "五金 MES 建设" in page


def test_the_officers_list(client, world, cases) -> None:
    a, b = cases
    assert client.get("/policy/recognitions/").status_code == 302  # to the login page
    client.force_login(world.users["town_a"])
    page = client.get("/policy/recognitions/").content.decode()
    assert a.name in page and b.name not in page  # a town sees its own firms' recognitions
    client.force_login(world.users["city"])
    page = client.get("/policy/recognitions/", {"kind": "on_cloud"}).content.decode()
    assert b.name in page and a.name not in page and "共 1 条" in page
    client.force_login(world.users["ent_a"])
    assert client.get("/policy/recognitions/").status_code == 403
