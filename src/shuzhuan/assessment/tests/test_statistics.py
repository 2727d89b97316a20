"""Statistics: official results only, the 古镇 + 规上 + 照明灯饰 question answered in words, scope, query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import make_enterprise
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuzhuan.assessment import statistics
from shuzhuan.assessment.models import Assessment, Kind, Source, Status
from shuzhuan.assessment.results import refresh_official
from shuzhuan.registry.domain import make_uscc

_counter = iter(range(100, 100_000))
PAGE_QUERIES = 9  # the statistics page, whatever the data: see test_page_query_count_is_pinned


def firm(world, town="a", industry="3872", revenue="45000000.00"):
    n = next(_counter)
    return make_enterprise(f"测试企业{n}", make_uscc("442000", f"MA4X{n:04d}"), world.towns[town], industry=industry, revenue=revenue)


def result(ent, level, source=Source.SELF, status=Status.SUBMITTED, on="2024-05-01", kind=Kind.BASELINE, scenarios=None):
    row = Assessment.objects.create(enterprise=ent, source=source, status=status, assessed_on=on, level=level, kind=kind,
                                    score=Decimal(level * 20 + 5), scenarios=scenarios or {"S01": level, "S03": level})
    refresh_official([ent.pk])  # as the services, imports and demo do after making a sheet final
    return row


@pytest.fixture
def city(world):
    """古镇 lighting: 4 above-scale (2 at 二级+ officially), 1 below-scale; 小榄 hardware: 2."""
    a = world.enterprises["a"]  # 古镇 3872 above-scale
    result(a, 1)
    result(a, 3, on="2024-06-01")  # newer self-assessment: official
    b1, b2, b3 = firm(world), firm(world, industry="3879"), firm(world, industry="3874")
    result(b1, 3)
    result(b1, 1, source=Source.ONSITE, status=Status.SIGNED, on="2024-04-01")  # on-site wins even if older
    result(b2, 2)
    result(b2, 4, status=Status.DRAFT)  # drafts never count
    small = firm(world, revenue="5000000.00")  # below scale
    result(small, 2)
    firm(world, industry="3851")  # an appliance firm in 古镇, unassessed
    x1 = firm(world, town="b", industry="3351")
    result(x1, 2)
    firm(world, town="b", industry="3351")
    return {"b3": b3}


def test_gu_zhen_lighting_question(world, city):
    stats = statistics.compute(world.users["city"], {"town": world.towns["a"], "above_scale": "1", "sub_industry": "lighting"})
    # above-scale lighting firms in 古镇: a (三级), b1 (一级 on site), b2 (二级), b3 (unassessed) → 2 of 4
    assert (stats.enterprises, stats.assessed, stats.at_target) == (4, 3, 2)
    assert stats.answer.startswith("古镇 · 规模以上 · 照明灯饰：4 家企业中 2 家达到二级及以上（50.0%）")
    target = stats.table("target")
    lighting = next(r for r in target.rows if r[0] == "照明灯饰")
    assert lighting[2:6] == [4, 3, 2, Decimal("50.0")] and lighting[7] == 2  # 90 % of 4 → 4 needed, 2 missing


def test_page_answers_in_words_and_exports(login, world, city):
    c = login(world.users["city"])
    response = c.get(reverse("assessment:stats"), {"town": "古镇", "above_scale": "1", "sub_industry": "lighting"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "古镇 · 规模以上 · 照明灯饰：4 家企业中 2 家达到二级及以上（50.0%）" in text
    assert "echarts.min.js" in text and 'id="table-target"' in text and 'id="table-heat"' in text
    export = c.get(reverse("assessment:stats_export"), {"town": "古镇"})
    assert export.status_code == 200 and export.content[:2] == b"PK"
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(export.content))
    assert "概况" in wb.sheetnames and any("镇街" in name for name in wb.sheetnames)


def test_distributions_count_official_results(world, city):
    stats = statistics.compute(world.users["city"], {})
    town = {row[0]: row for row in stats.table("town").rows}
    # 古镇: 6 firms, 4 assessed (a 三级, b1 一级, b2 二级, small 二级; b3 and the appliance firm unassessed)
    assert town["古镇"][1:3] == [6, 4]
    assert town["古镇"][3:8] == [0, 1, 2, 1, 0]
    assert town["小榄"][1:3] == [3, 1]  # world b and x2 unassessed, x1 二级
    heat = stats.table("heat")
    assert heat.rows and heat.header[2].startswith("S01")


def test_town_officer_sees_own_town_only(login, world, city):
    stats = statistics.compute(world.users["town_a"], {})
    assert [row[0] for row in stats.table("town").rows] == ["古镇"]
    c = login(world.users["town_a"])
    text = c.get(reverse("assessment:stats")).content.decode()
    assert "小榄" not in text.split('id="panel-town"')[1].split("</table>")[0]
    assert c.get(reverse("assessment:stats"), {"town": "小榄"}).status_code == 200  # invalid choice: ignored, own town


def test_kind_filter_picks_official_of_that_kind(world, city):
    result(city["b3"], 3, kind=Kind.POST, on="2025-04-01")
    stats = statistics.compute(world.users["city"], {"kind": Kind.POST})
    assert stats.assessed == 1 and stats.at_target == 1


def test_other_roles_are_refused(login, world):
    for who in ("ent_a", "provider_a", "bank_a"):
        assert login(world.users[who]).get(reverse("assessment:stats")).status_code == 403


def test_query_count_does_not_grow_with_data(login, world, city):
    c = login(world.users["city"])
    url = reverse("assessment:stats")
    with CaptureQueriesContext(connection) as small:
        c.get(url, {"heat": "sub"})
    for i in range(30):
        ent = firm(world, town="ab"[i % 2], industry=["3872", "3351", "1819", "2110"][i % 4])
        result(ent, i % 5)
    with CaptureQueriesContext(connection) as big:
        c.get(url, {"heat": "sub"})
    assert len(big.captured_queries) == len(small.captured_queries) <= 12


def test_scenario_columns_follow_the_json(world):
    """The database computes the scenario columns on every write; what is not a level 0–4 is NULL."""
    from shuzhuan.assessment import indicator_sets
    from shuzhuan.assessment.models import SCENARIO_COLUMNS

    assert tuple(s.code for s in indicator_sets.load(indicator_sets.DEFAULT).scenarios) == SCENARIO_COLUMNS
    row = Assessment.objects.create(enterprise=world.enterprises["a"], scenarios={"S01": 3, "S02": "2", "S03": None,
                                                                                  "S04": "x", "S05": 7, "S06": 0})
    row.refresh_from_db()
    assert (row.scenario_s01, row.scenario_s02, row.scenario_s03, row.scenario_s04, row.scenario_s05,
            row.scenario_s06, row.scenario_s16) == (3, 2, None, None, None, 0, None)
    Assessment.objects.filter(pk=row.pk).update(scenarios={"S16": 4})  # a bulk UPDATE too
    row.refresh_from_db()
    assert (row.scenario_s01, row.scenario_s16) == (None, 4)


def test_heatmap_averages_rated_levels(world, city):
    stats = statistics.compute(world.users["city"], {"town": world.towns["a"], "above_scale": "1"})
    heat = stats.table("heat")
    row = next(r for r in heat.rows if r[0].startswith("38"))
    # official results of above-scale 古镇 38xx firms: a (S01=S03=3), b1 (1, on site), b2 (2) → 2.00; S02 unrated
    assert row[1] == 3 and row[2] == Decimal("2.00") and row[3] is None and row[4] == Decimal("2.00")


def test_page_query_count_is_pinned(login, world, city):
    c = login(world.users["city"])
    c.get(reverse("assessment:stats"))  # session and language settle on the first request
    with CaptureQueriesContext(connection) as queries:
        assert c.get(reverse("assessment:stats"), {"heat": "sub", "town": "古镇"}).status_code == 200
    # session, user, industry choices, the town filter's lookup; the two aggregates (official results with the
    # scenario sums, enterprises in scope); town names, division names; the town select rendered
    # on PostgreSQL the two aggregates run in a transaction that sets the planner first (BEGIN, SET LOCAL, COMMIT)
    expected = PAGE_QUERIES + (3 if connection.vendor == "postgresql" else 0)
    assert len(queries.captured_queries) == expected, "\n".join(q["sql"][:90] for q in queries.captured_queries)
