"""POST /api/v1/assessment/score through Django's test client."""

from __future__ import annotations

import pytest

from shuzhuan.assessment.tests.sheets import FULL_F, FULL_M, answers, rated

URL = "/api/v1/assessment/score"


def body(**extra):
    return {"indicator_set": "miit-2024", "answers": answers(**FULL_F, **FULL_M), "scenarios": rated(4, 6, 4), **extra}


@pytest.mark.django_db
def test_anonymous_gets_401(client):
    r = client.post(URL, body(), content_type="application/json")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("role", ["ent_a", "town_a", "provider_a", "expert", "city"])
def test_signed_in_user_scores(world, login, role):
    r = login(world.users[role]).post(URL, body(), content_type="application/json")
    assert r.status_code == 200, r.content
    data = r.json()
    assert (data["indicator_set"], data["version"], data["score"], data["level"]) == ("miit-2024", "2024.1", 80, 4)
    assert data["dimensions"] == {"F": 50, "M": 30, "R": 0}
    assert data["indicators"]["M2"] == 7.5 and data["second_levels"]["F.equipment"] == 20
    assert data["scenario_levels"]["S01"] == 4 and data["scenario_levels"]["S16"] == 0
    assert any(line.startswith("评定等级：四级") for line in data["explanation"])


def test_exact_decimals_travel_as_numbers(world, login):
    r = login(world.users["ent_a"]).post(URL, body(answers=answers(M2=["B"], F4=["B", "O"])), content_type="application/json")
    data = r.json()
    assert data["indicators"]["M2"] == 1.875 and data["indicators"]["F4"] == 1.6 and data["score"] == 3.475
    assert b'"score": 3.475' in r.content or b'"score":3.475' in r.content


@pytest.mark.parametrize(
    "change, field",
    [
        ({"answers": answers(F7=["A", "B"])}, "answers.F7"),
        ({"answers": answers(F2="Z")}, "answers.F2"),
        ({"answers": {**answers(), "Q1": "A"}}, "answers.Q1"),
        ({"scenarios": {**rated(1, 3, 3), "S03": 5}}, "scenarios.S03"),
        ({"answers": {k: v for k, v in answers().items() if k != "R2"}}, "answers.R2"),
        ({"indicator_set": "miit-2099"}, "indicator_set"),
        ({"kind": "yearly"}, "kind"),
        ({"answers": ["F1"]}, "answers"),
    ],
)
def test_invalid_input_is_422_naming_the_field(world, login, change, field):
    r = login(world.users["ent_a"]).post(URL, body(**change), content_type="application/json")
    assert r.status_code == 422, r.content
    data = r.json()
    assert data["code"] == "invalid"
    assert field in [e["field"] for e in data["errors"]]


def test_partial_draft(world, login):
    r = login(world.users["ent_a"]).post(URL, {"answers": {"F1": ["B"]}, "partial": True}, content_type="application/json")
    assert r.status_code == 200
    assert (r.json()["score"], r.json()["level"], r.json()["partial"]) == (2, None, True)


def test_figures_compute_the_band(world, login):
    sheet = body(answers={**answers(**FULL_F, **FULL_M), "F3": None}, figures={"production_devices": 50, "networked_devices": 20})
    r = login(world.users["ent_a"]).post(URL, sheet, content_type="application/json")
    assert r.json()["indicators"]["F3"] == 3  # 20 / 50 = 40 % → (20,40] → C


def test_2022_result_only(world, login):
    r = login(world.users["city"]).post(URL, {"indicator_set": "miit-2022", "score": 61.5}, content_type="application/json")
    assert r.status_code == 200
    assert (r.json()["score"], r.json()["level"], r.json()["version"]) == (61.5, 3, "2022.1")
    r = login(world.users["city"]).post(URL, {"indicator_set": "miit-2022"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "score"


def test_route_declares_its_access():
    from shuzhuan.assessment.api import score_sheet

    assert score_sheet.access.roles and not score_sheet.access.public
