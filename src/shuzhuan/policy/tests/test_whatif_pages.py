"""What-if pages: a parameter diff from a generated form, run on the live registry against the baseline,
saved, compared, exported as XLSX, published as a new dated version (results under the old one stay
reproducible)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from shuzhuan.policy import library, services
from shuzhuan.policy.models import Recognition, Reform, VersionOverride

pytestmark = pytest.mark.django_db
CODE = "zs-smart-pilot-award"
NEW = f"/policy/whatif/new/?policy={CODE}&version=2024-01-01"


@pytest.fixture
def pilots(world):
    a, b = world.enterprises["a"], world.enterprises["b"]
    Recognition.objects.create(organisation=a.organisation, kind="smart_pilot", level="provincial", year=2024)
    Recognition.objects.create(organisation=b.organisation, kind="smart_pilot", level="national", year=2024)
    yield a, b
    library.load.cache_clear()


def test_what_if_save_compare_export_publish(client, world, pilots) -> None:
    from openpyxl import load_workbook

    from shuzhuan.core.models import AuditEntry

    a, _b = pilots
    before = services.create_run(world.users["city"], [CODE], dt.date(2024, 9, 1))
    old_row = before.entitlements.get(enterprise=a)
    assert old_row.amount == Decimal("300000.00")

    client.force_login(world.users["town_a"])
    assert client.get(NEW).status_code == 403
    client.force_login(world.users["city"])
    page = client.get(NEW).content.decode()
    assert 'name="p_provincial_award"' in page and 'name="p_national_award"' in page
    response = client.post("/policy/whatif/new/", {"policy": CODE, "version": "2024-01-01", "title": "省级提到 50 万",
                                                   "p_provincial_award": "500000.00", "p_national_award": "1000000.00"})
    reform = Reform.objects.get()
    assert response.status_code == 302 and response.url == f"/policy/whatif/{reform.pk}/"
    assert reform.changes == {"provincial_award": "500000.00"}  # only what changed
    r = reform.result
    assert (r["cost_before"], r["cost_after"], r["gainers"], r["losers"]) == ("1300000.00", "1500000.00", 1, 0)
    towns = {row["group"]: row for row in r["groups"]["town"]}
    assert towns[world.towns["a"].code]["after"] == "500000.00" and towns[world.towns["a"].code]["gainers"] == 1
    page = client.get(f"/policy/whatif/{reform.pk}/").content.decode()
    assert "1300000.00 → 1500000.00" in page and 'id="whatif-chart"' in page and "echarts" in page
    assert "省级提到 50 万" in client.get("/policy/whatif/").content.decode()  # the comparison table

    book = load_workbook(io.BytesIO(client.get(f"/policy/whatif/{reform.pk}/xlsx/").content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[3][:3] == ("成本（元）", 1300000, 1500000)

    response = client.post(f"/policy/whatif/{reform.pk}/publish/", {"effective_from": "2024-07-01"}, follow=True)
    assert "已发布新版本" in response.content.decode()
    policy = library.load(CODE)
    assert [v.label for v in policy.versions] == ["2024-01-01", "2024-07-01"]
    assert policy.versions[0].effective_until == dt.date(2024, 7, 1)
    assert policy.version_on(dt.date(2024, 9, 1)).parameters["provincial_award"].value == Decimal("500000.00")
    assert AuditEntry.objects.filter(action="policy.publish").count() == 1
    # the old result is reproducible under the version it used
    assert services.explain(old_row).amount == Decimal("300000.00")
    after = services.create_run(world.users["city"], [CODE], dt.date(2024, 9, 1))
    assert after.entitlements.get(enterprise=a).amount == Decimal("500000.00")
    assert after.versions == {CODE: "2024-07-01"}
    # publishing twice, or before the base version, is refused
    response = client.post(f"/policy/whatif/{reform.pk}/publish/", {"effective_from": "2024-08-01"}, follow=True)
    assert "该测算已发布" in response.content.decode() and VersionOverride.objects.count() == 1


def test_bad_input_is_explained(client, world, pilots) -> None:
    client.force_login(world.users["city"])
    response = client.get("/policy/whatif/new/?policy=nope&version=x", follow=True)
    assert "未知的政策" in response.content.decode()
    response = client.post("/policy/whatif/new/", {"policy": CODE, "version": "2024-01-01", "title": "t",
                                                   "p_provincial_award": "abc"})
    assert "应为数字" in response.content.decode() and not Reform.objects.exists()
    response = client.post("/policy/whatif/new/", {"policy": CODE, "version": "2024-01-01", "title": "t"})
    assert "没有调整任何参数" in response.content.decode()
    response = client.post("/policy/whatif/new/", {"policy": CODE, "version": "2024-01-01", "title": "t",
                                                   "p_provincial_award": "NaN"})
    assert response.status_code == 200 and not Reform.objects.exists()
    reform = Reform.objects.create(title="x", policy=CODE, base_version="2024-01-01", on=dt.date(2024, 9, 1),
                                   changes={"provincial_award": "500000.00"})
    for bad in ("2023-01-01", "2024-01-01", "not-a-date"):
        response = client.post(f"/policy/whatif/{reform.pk}/publish/", {"effective_from": bad}, follow=True)
        assert response.status_code == 200
    assert not VersionOverride.objects.exists()
