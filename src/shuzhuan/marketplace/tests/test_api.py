"""POST /api/v1/marketplace/classify-need."""

from __future__ import annotations

import pytest

URL = "/api/v1/marketplace/classify-need"


def post(client, body):
    return client.post(URL, data=body, content_type="application/json")


@pytest.mark.parametrize("who", ["ent_a", "town_a", "city"])
def test_any_signed_in_role_gets_ranked_explained_scenarios(world, login, who):
    response = post(login(world.users[who]), {"text": "客户老是催交期，排产靠组长拍脑袋，仓库也是手写单子"})
    assert response.status_code == 200
    scenarios = response.json()["scenarios"]
    assert [s["code"] for s in scenarios][:1] == ["S05"] and len(scenarios) == 3
    assert scenarios[0]["name"] == "计划排程" and "排产" in scenarios[0]["why"]
    assert "S12" in [s["code"] for s in scenarios]
    scores = [s["score"] for s in scenarios]
    assert scores == sorted(scores, reverse=True) and all(0 <= s < 1 for s in scores)
    assert all(isinstance(s, float) and round(s, 3) == s for s in scores)  # JSON numbers, 3 places


def test_top_and_nothing_found(world, login):
    c = login(world.users["ent_a"])
    assert len(post(c, {"text": "排产、仓库、电费、招工、审批都要管", "top": 5}).json()["scenarios"]) == 5
    assert post(c, {"text": "今天天气不错"}).json() == {"scenarios": []}


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "  \u3000\n "}, {"text": "仓" * 2001}, {}])
def test_blank_or_too_long_text_is_422_naming_text(world, login, body):
    response = post(login(world.users["ent_a"]), body)
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "invalid" and [e["field"] for e in data["errors"]] == ["text"]


def test_bad_top_is_422(world, login):
    response = post(login(world.users["ent_a"]), {"text": "想上MES", "top": 0})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "top"


def test_2000_characters_are_accepted(world, login):
    assert post(login(world.users["ent_a"]), {"text": "仓库" * 1000}).status_code == 200


def test_anonymous_gets_401(db, client):
    response = post(client, {"text": "仓库进出货全靠手写单子"})
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    assert post(client, {}).status_code == 401
