"""The project-wide scope walk (tests/test_scope.py), restricted to the matching routes, so that these
routes are proven on their own: side b's needs, requests, consortia and chains stay out of reach."""

from __future__ import annotations

import pytest
from tests.test_scope import (
    OUTSIDERS,
    PARAM,
    api_operations,
    body_text,
    client_for,
    fill,
    owner_for,
    page_routes,
)

from shuzhuan.core.models import AuditEntry
from shuzhuan.core.testing import DENIED_API, DENIED_PAGE, REACHED_PAGE
from shuzhuan.marketplace.tests.scope_fixtures_match import side_b_values_match
from shuzhuan.marketplace.urls.match import urlpatterns as match_patterns

MATCH_NAMES = {p.name for p in match_patterns}


def match_routes():
    return [r for r in page_routes() if r[0].startswith("market/") and r[1] in MATCH_NAMES]


@pytest.fixture
def side_b(world):
    values = {"uscc": world.enterprises["b"].uscc}
    values.update({k: str(v) for k, v in side_b_values_match(world).items()})
    return {"values": values, "name": world.enterprises["b"].name, "uscc": world.enterprises["b"].uscc}


def test_every_matching_route_is_walked():
    assert len(match_routes()) == len(MATCH_NAMES)
    assert all(hasattr(cb, "access") for _r, _n, cb in match_routes())


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_cannot_reach_side_b(world, side_b, client, who):
    values = side_b["values"]
    before = AuditEntry.objects.filter(organisation_id=world.enterprises["b"].pk).count()
    c = client_for(client, world, who)
    for route, _name, _cb in match_routes():
        url = fill(route, values)
        for method in ("get", "post"):
            response = getattr(c, method)(url)
            assert response.status_code < 500, f"{method.upper()} {url} as {who}: {response.status_code}"
            if PARAM.search(route):
                assert response.status_code in DENIED_PAGE, f"{method.upper()} {url} as {who}: {response.status_code}"
                if response.status_code == 302:
                    assert "/login/" in response.url, f"{method.upper()} {url} as {who} → {response.url}"
            elif response.status_code == 200:
                text = body_text(response)
                assert side_b["name"] not in text and side_b["uscc"] not in text, f"{url} as {who} shows side b"
    assert AuditEntry.objects.filter(organisation_id=world.enterprises["b"].pk).count() == before


def test_the_owner_reaches_side_b(world, side_b, client):
    for route, _name, cb in match_routes():
        if PARAM.search(route):
            who = owner_for(world, cb)
            response = client_for(client, world, who).get(fill(route, side_b["values"]))
            assert response.status_code in REACHED_PAGE, f"GET {route} as {who}: {response.status_code}"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_recommendations_api_is_scoped(world, side_b, client, who):
    c = client_for(client, world, who)
    paths = [p for _m, p, _fn in api_operations() if p.startswith("/api/v1/marketplace/recommendations")]
    assert paths
    for path in paths:
        response = c.get(fill(path, side_b["values"]))
        assert response.status_code in DENIED_API - {405, 422}, f"{path} as {who}: {response.status_code}"
        assert {"code", "message", "errors"} <= set(response.json())
    c = client_for(client, world, "town_b")
    response = c.get(fill(paths[0], side_b["values"]))
    assert response.status_code == 200 and response.json()["name"] == side_b["name"]
