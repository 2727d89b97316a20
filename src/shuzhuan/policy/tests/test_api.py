"""POST /api/v1/policy/evaluate: given facts or an enterprise's records within scope; every bad
field named in the one envelope."""

from __future__ import annotations

import json
from typing import Any

import pytest

URL = "/api/v1/policy/evaluate"
RETROFIT = {"policy": "zs-retrofit", "date": "2024-05-01",
            "facts": {"equipment_investment": "1000000.00", "software_investment": "500000.00"}}


def post(client: Any, body: Any) -> Any:
    return client.post(URL, json.dumps(body), content_type="application/json")


def test_anonymous_can_evaluate_with_given_facts(client, db) -> None:
    response = post(client, RETROFIT)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["eligible"], body["amount"], body["version"], body["reasons"]) == (True, "300000.00", "2022-02-15", [])
    assert "金额：（设备投资 1,000,000.00 元 ＋ 软件投资 500,000.00 元） × 奖补比例 20% = 300,000.00 元" in body["explanation"]


def test_difference_rule_over_the_api(client, db) -> None:
    body = post(client, {"policy": "zs-demo-factory", "date": "2024-05-01",
                         "facts": {"approved_amount": "6000000.00", "workshop_award_received": "2000000.00"}}).json()
    assert body["amount"] == "3000000.00" and body["eligible"] is True


def test_not_eligible_is_zero_with_reasons(client, db) -> None:
    body = post(client, {"policy": "zs-demo-workshop", "date": "2024-05-01",
                         "facts": {"approved_amount": "1000000.00", "workshops_awarded_before": 1}}).json()
    assert (body["eligible"], body["amount"]) == (False, "0.00")
    assert body["reasons"] == ["每家企业只能获评一个示范车间，该企业已获评过"]


def test_outside_every_version(client, db) -> None:
    body = post(client, {**RETROFIT, "date": "2030-01-01"}).json()
    assert (body["eligible"], body["amount"], body["version"]) == (False, "0.00", "")
    assert "不在政策有效期内" in body["reasons"][0]


@pytest.mark.parametrize(("body", "field"), [
    ({**RETROFIT, "policy": "no-such-policy"}, "policy"),
    ({**RETROFIT, "facts": {"equipment_investment": "1000000.00"}}, "facts.software_investment"),
    ({**RETROFIT, "facts": {**RETROFIT["facts"], "software_investment": "-1.00"}}, "facts.software_investment"),
    ({**RETROFIT, "facts": {**RETROFIT["facts"], "software_investment": "1,000"}}, "facts.software_investment"),
    ({**RETROFIT, "facts": {**RETROFIT["facts"], "software_investment": 1.5}}, "facts.software_investment"),
    ({**RETROFIT, "facts": {**RETROFIT["facts"], "software_investment": "1.005"}}, "facts.software_investment"),
    ({**RETROFIT, "facts": {**RETROFIT["facts"], "software_investment": True}}, "facts.software_investment"),
    ({**RETROFIT, "facts": {**RETROFIT["facts"], "unknown": 1}}, "facts.unknown"),
    ({"policy": "zs-demo-workshop", "date": "2024-05-01",
      "facts": {"approved_amount": "1.00", "workshops_awarded_before": "1"}}, "facts.workshops_awarded_before"),
    ({"policy": "zs-platform-capability", "date": "2024-05-01",
      "facts": {"approved_amount": "1.00", "years_awarded_before": 0, "is_benchmark_platform": "yes"}},
     "facts.is_benchmark_platform"),
    ({**RETROFIT, "date": "2024-13-01"}, "date"),
    ({**RETROFIT, "date": "2024/05/01"}, "date"),
    ({k: v for k, v in RETROFIT.items() if k != "facts"}, "facts"),
    ({**RETROFIT, "extra": 1}, "extra"),
])
def test_bad_input_names_the_field(client, db, body: dict, field: str) -> None:
    response = post(client, body)
    assert response.status_code == 422, response.content
    payload = response.json()
    assert payload["code"] == "invalid"
    assert field in [e["field"] for e in payload["errors"]], payload


def test_subject_facts_come_from_records_within_scope(world, login) -> None:
    a, b = world.enterprises["a"], world.enterprises["b"]
    body = {"policy": "zs-demo-workshop", "date": "2024-05-01", "subject": a.organisation.uscc}
    client = login(world.users["town_a"])
    undecided = post(client, body).json()  # records hold the recognitions, not the approved amount
    assert (undecided["eligible"], undecided["amount"]) == (False, "0.00")
    assert undecided["missing"] == ["approved_amount"]
    assert "事实「已获示范车间数」= 0" in undecided["explanation"]
    supplemented = post(client, {**body, "facts": {"approved_amount": "1500000.00"}})
    assert supplemented.json()["amount"] == "1500000.00"
    from shuzhuan.policy.models import Recognition

    Recognition.objects.create(organisation=a.organisation, kind="demo_workshop", year=2023, award="800000.00")
    again = post(client, {**body, "facts": {"approved_amount": "1500000.00", "workshops_awarded_before": 0}}).json()
    assert (again["eligible"], again["reasons"]) == (False, ["每家企业只能获评一个示范车间，该企业已获评过"])  # records win
    for user, uscc in (("town_a", b.organisation.uscc), ("ent_a", b.organisation.uscc), ("anon", a.organisation.uscc)):
        other = login(world.users[user]) if user != "anon" else client
        if user == "anon":
            client.logout()
        response = post(other, {**body, "subject": uscc})
        assert response.status_code == 404, (user, response.content)
        assert response.json()["code"] == "not_found"


def test_subject_only_for_enterprise_policies(world, login) -> None:
    response = post(login(world.users["city"]), {"policy": "zs-park-pilot", "date": "2024-05-01",
                                                 "subject": world.enterprises["a"].organisation.uscc})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "subject"


def test_list_policies(client, db) -> None:
    body = client.get("/api/v1/policy/policies").json()
    retrofit = next(p for p in body if p["code"] == "zs-retrofit")
    assert retrofit["subject"] == "project"
    assert retrofit["versions"][0]["facts"] == [
        {"key": "equipment_investment", "label": "设备投资", "type": "money"},
        {"key": "software_investment", "label": "软件投资", "type": "money"}]
