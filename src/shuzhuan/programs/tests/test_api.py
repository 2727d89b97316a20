"""POST /api/v1/programs/subsidy-quote: amounts as strings, every bad field named, any signed-in role."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

URL = "/api/v1/programs/subsidy-quote"
BODY: dict[str, Any] = {"programme": "demo-pilot", "level": 2,
                        "items": [{"category": "software", "amount": "1200000.00"}], "on": "2025-06-01"}


def post(client: Any, body: Any) -> Any:
    return client.post(URL, json.dumps(body), content_type="application/json")


def with_(path: str, value: Any) -> dict[str, Any]:
    """BODY with one value replaced (`items.0.amount`) or, for the value `...`, removed."""
    body = copy.deepcopy(BODY)
    *parents, last = path.split(".")
    node: Any = body
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if value is ...:
        del node[key]
    else:
        node[key] = value
    return body


@pytest.fixture
def city(world: Any, login: Any) -> Any:
    return login(world.users["city"])


def test_quote_happy_path(city: Any) -> None:
    response = post(city, BODY)
    assert response.status_code == 200
    assert response.json() == {
        "programme": "demo-pilot",
        "version": "2024-07-01",
        "amount": "300000.00",
        "by_source": {"central": "100000.00", "provincial": "100000.00", "municipal": "100000.00"},
        "explanation": [
            "可补助费用：软件 1,200,000.00 元",
            "可补助投资 1,200,000.00 元 × 50% = 600,000.00 元",
            "二级上限 300,000.00 元 → 补助 300,000.00 元",
            "按 中央:省级:市级 = 1:1:1 分担：中央 100,000.00 元、省级 100,000.00 元、市级 100,000.00 元",
        ],
    }


def test_integer_amounts_and_remainder_cents(city: Any) -> None:
    body = {**BODY, "level": 3, "items": [{"category": "cloud", "amount": 200000}, {"category": "office_pc", "amount": "0.02"},
                                          {"category": "data_hardware", "amount": "0.02"}]}
    data = post(city, body).json()
    assert data["amount"] == "100000.01"
    assert data["by_source"] == {"central": "33333.34", "provincial": "33333.34", "municipal": "33333.33"}


def test_on_picks_the_version(city: Any) -> None:
    body = {**BODY, "programme": "demo-town-scheme", "level": 3, "items": [{"category": "equipment_upgrade", "amount": "1000000.00"}]}
    old = post(city, {**body, "on": "2025-12-31"}).json()
    new = post(city, {**body, "on": "2026-01-01"}).json()
    assert (old["version"], old["amount"], old["by_source"]) == ("2025-01-01", "200000.00", {"town": "100000.00", "municipal": "100000.00"})
    assert (new["version"], new["amount"]) == ("2026-01-01", "150000.00")


@pytest.mark.parametrize(("today", "status"), [(dt.date(2025, 6, 1), 200), (dt.date(2028, 7, 1), 422)])
def test_on_defaults_to_today(city: Any, monkeypatch: pytest.MonkeyPatch, today: dt.date, status: int) -> None:
    monkeypatch.setattr("shuzhuan.programs.api.timezone.localdate", lambda: today)
    response = post(city, with_("on", ...))
    assert response.status_code == status
    if status == 422:
        assert response.json()["errors"][0]["field"] == "on"
        assert "2028-07-01 不在" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(("path", "value", "field"), [
    ("items.0.category", "hardware", "items.0.category"),
    ("items.0.category", "Software", "items.0.category"),
    ("items.0.amount", "-5", "items.0.amount"),
    ("items.0.amount", -5, "items.0.amount"),
    ("items.0.amount", "1e3", "items.0.amount"),
    ("items.0.amount", "abc", "items.0.amount"),
    ("items.0.amount", "1,200,000.00", "items.0.amount"),
    ("items.0.amount", "1200000.001", "items.0.amount"),
    ("items.0.amount", 1200000.0, "items.0.amount"),
    ("items.0.amount", 1.5, "items.0.amount"),
    ("items.0.amount", True, "items.0.amount"),
    ("items.0.amount", None, "items.0.amount"),
    ("items.0.amount", "99999999999999.00", "items.0.amount"),
    ("items.0.amount", ..., "items.0.amount"),
    ("items.0.colour", "red", "items.0.colour"),
    ("level", 5, "level"),
    ("level", -1, "level"),
    ("level", "2", "level"),
    ("level", 2.0, "level"),
    ("level", True, "level"),
    ("level", ..., "level"),
    ("programme", "no-such-programme", "programme"),
    ("programme", "../demo-pilot", "programme"),
    ("on", "2024-06-30", "on"),
    ("on", "2028-07-01", "on"),
    ("on", "2025-02-30", "on"),
    ("on", "2025/06/01", "on"),
    ("on", 1748736000, "on"),
    ("items", "software", "items"),
    ("items", ..., "items"),
    ("available", "1.00", "available"),
])
def test_bad_input_is_422_naming_the_field(city: Any, path: str, value: Any, field: str) -> None:
    response = post(city, with_(path, value))
    assert response.status_code == 422, response.content
    data = response.json()
    assert data["code"] == "invalid" and data["message"]
    assert [e["field"] for e in data["errors"]] == [field]
    assert all(e["message"] for e in data["errors"])


def test_every_bad_item_is_named_at_once(city: Any) -> None:
    body = {**BODY, "level": 9, "items": [{"category": "software", "amount": "1.00"}, {"category": "x", "amount": "1.00"},
                                          {"category": "y", "amount": "2.00"}]}
    data = post(city, body).json()
    assert [e["field"] for e in data["errors"]] == ["level", "items.1.category", "items.2.category"]
    assert "未知的费用类别 'x'" in data["errors"][1]["message"]


def test_messages_are_in_chinese(city: Any) -> None:
    errors = post(city, {**BODY, "items": [{"category": "software", "amount": 1.5}], "level": "2"}).json()["errors"]
    assert {e["field"]: e["message"] for e in errors} == {
        "level": "等级应为 0–4 的整数（0 表示未达到一级）",
        "items.0.amount": '金额不接受浮点数（JSON 小数会有二进制误差），请写成字符串，如 "1200000.00"',
    }


def test_a_body_that_is_not_json_is_422(city: Any) -> None:
    response = city.post(URL, "not json", content_type="application/json")
    assert response.status_code == 422, response.content
    body = response.json()
    assert set(body) == {"code", "message", "errors"} and body["code"] == "invalid"


def test_anonymous_is_401(client: Any, db: Any) -> None:
    response = post(client, BODY)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("who", ["admin", "city", "town_a", "ent_a", "provider_a", "bank_a", "expert"])
def test_any_signed_in_role_may_quote(world: Any, login: Any, who: str) -> None:
    assert post(login(world.users[who]), BODY).status_code == 200


def test_documented_in_openapi(client: Any, db: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"][URL]["post"]
    assert operation["summary"].startswith("奖补测算")
    item = spec["components"]["schemas"]["ItemIn"]["properties"]["amount"]
    assert {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$"} in item["anyOf"]


@pytest.mark.parametrize("body", [{}, BODY, {"level": "x"}])
def test_anonymous_is_401_whatever_the_body(client: Any, db: Any, body: Any) -> None:
    assert post(client, body).status_code == 401
    bad_token = client.post(URL, json.dumps(BODY), content_type="application/json", HTTP_AUTHORIZATION="Bearer nope")
    assert bad_token.status_code == 401


def test_a_bearer_token_works(world: Any, client: Any) -> None:
    from shuzhuan.core.models import ApiToken

    _token, raw = ApiToken.issue(world.users["ent_a"], "quote")
    response = client.post(URL, json.dumps(BODY), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
