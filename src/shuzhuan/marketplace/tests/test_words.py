"""Words, not codes: clipped titles at word boundaries, shares in percent, timeline changes in words,
the language menu in each language's own name."""

from __future__ import annotations

import pytest

from shuzhuan.core.domain import clip, percent


def test_clip_never_cuts_inside_a_word():
    title = "中山市成凯昕灯具有限公司MES与数据采集改造"
    assert clip(title, 14) == "中山市成凯昕灯具有限公司…"
    assert clip(title, 20) == "中山市成凯昕灯具有限公司MES…"
    assert "有限公MES" not in clip(title, 15)
    assert clip("短标题", 10) == "短标题"


def test_percent_in_words():
    assert percent("0.667") == "67%" and percent(0.5) == "50%" and percent(None) == "—"


@pytest.mark.django_db
def test_timeline_changes_are_in_words(world, login):
    from shuzhuan.core import audit
    from shuzhuan.marketplace.models import Need

    ent = world.enterprises["a"]
    need = Need.objects.create(enterprise=ent, text="库存对不上", scenarios=["S12"])
    audit.record(world.users["ent_a"], "need_edit", need, "修改需求", organisation=ent.pk,
                 changes={"scenarios": [["S06"], ["S12"]], "budget": [None, "200000.00"]})
    audit.record(world.users["town_a"], "enterprise_edit", ent, "修改档案", organisation=ent.pk,
                 changes={"address": ["旧址", "新址"]})
    html = login(world.users["town_a"]).get(f"/enterprises/{ent.uscc}/").content.decode()
    timeline = html.split('id="timeline"', 1)[1]
    assert ">地址<" in timeline and ">address<" not in timeline
    assert "S12 仓储物流" in timeline and "['S12']" not in timeline
    assert "预算（元）" in timeline


@pytest.mark.django_db
def test_language_menu_names_each_language_in_itself(world, login):
    html = login(world.users["city"]).get("/").content.decode()
    menu = html.split('name="language"', 1)[1].split("</select>", 1)[0]
    assert ">English<" in menu and ">简体中文<" in menu and "英语" not in menu


@pytest.mark.django_db
def test_need_budgets_are_in_wanyuan_like_the_form_and_the_list(world, login):
    from decimal import Decimal

    from shuzhuan.marketplace.models import Need

    ent = world.enterprises["a"]
    need = Need.objects.create(enterprise=ent, text="库存对不上", scenarios=["S12"], budget=Decimal("200000.00"))
    c = login(world.users["ent_a"])
    assert "预算 20.00 万元" in c.get(f"/market/needs/{need.pk}/").content.decode()
    need.budget = None
    need.save()
    page = c.get(f"/market/recommendations/{ent.uscc}/").content.decode()
    assert "估算可承受预算 180.00 万元" in page  # a small firm, 4 % of 4,500 万元
