"""Under /api/ every answer is JSON: an unknown path is the 404 envelope, a wrong method the 405 one;
pages elsewhere keep Django's HTML 404."""

from __future__ import annotations

import pytest

ENVELOPE = {"code", "message", "errors"}


@pytest.mark.parametrize("url", [
    "/api/v1/nonexistent",
    "/api/v1/enterprises/xyz/unknown",
    "/api/v1/enterprises/",  # the API has no trailing slashes
    "/api/v1/",
    "/api/v1",
    "/api/",
    "/api/v2/enterprises",
])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_path_is_the_404_envelope(client, url, method):
    response = getattr(client, method)(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert set(data) == ENVELOPE
    assert data["code"] == "not_found" and data["message"] == "接口不存在，请检查请求路径" and data["errors"] == []


def test_unknown_path_is_404_for_signed_in_users_and_token_clients_too(world, login, client):
    from shuzhuan.core.models import ApiToken

    assert login(world.users["city"]).post("/api/v1/nonexistent", data="{}", content_type="application/json").status_code == 404
    client.logout()
    _token, raw = ApiToken.issue(world.users["city"], "t")
    response = client.get("/api/v1/enterprises/xyz/unknown", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize(("method", "url", "allowed"), [
    ("post", "/api/v1/enterprises", "GET"),
    ("delete", "/api/v1/assessment/score", "POST"),
    ("put", "/api/v1/marketplace/classify-need", "POST"),
])
def test_wrong_method_is_the_405_envelope_naming_the_allowed_ones(client, method, url, allowed):
    response = getattr(client, method)(url, data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response["Allow"] == allowed
    data = response.json()
    assert set(data) == ENVELOPE
    assert data["code"] == "method_not_allowed" and method.upper() in data["message"] and "不支持" in data["message"]


def test_known_routes_still_answer(world, login, client):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/enterprises").status_code == 401  # the policy, not the catch-all
    assert login(world.users["city"]).get("/api/v1/enterprises").status_code == 200


def test_pages_keep_the_html_404(client, world, login):
    for c in (client, login(world.users["city"])):
        response = c.get("/no-such-page/")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")
        assert "页面不存在" in response.content.decode()
    # /apis/ is not under /api/
    assert client.get("/apis/x").status_code == 404 and client.get("/apis/x")["Content-Type"].startswith("text/html")
