"""Scoped access, proven for every route and every role.

Walks every page URL pattern and every API operation. Each must declare its access policy. Then,
for each role, records of *another* town / enterprise / provider / bank / user ("side b") must be
neither listed, nor retrievable, nor editable. New routes are covered automatically; a new URL
parameter must be added to `foreign_values` below, or this test fails and says so.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from shuzhuan.api.api import api
from shuzhuan.core.models import ApiToken, AuditEntry, Job
from shuzhuan.core.testing import DENIED_API, DENIED_PAGE, REACHED_PAGE

# Users that must never see side b's records (the 'a' side and roles with no relationship to b).
OUTSIDERS = ["anon", "town_a", "ent_a", "provider_a", "bank_a", "expert"]
SKIP_PREFIXES = ("admin/", "api/v1/", "static/")
PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>")


def page_routes():
    """(route string, pattern name, callback) for every page URL, namespaces flattened."""

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                yield route, p.name, p.callback

    return [r for r in walk(get_resolver().url_patterns) if not r[0].startswith(SKIP_PREFIXES)]


def api_operations():
    """(method, path template, view function) for every API operation."""
    ops = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                for method in op.methods:
                    ops.append((method, f"/api/v1{prefix.rstrip('/')}{path}", op.view_func))
    return ops


@pytest.fixture
def side_b(world):
    """Records that belong to side b, one per kind of URL parameter.

    Each app may add its own in `shuzhuan/<app>/tests/scope_fixtures*.py`: functions named
    `side_b_values*(world) -> dict[str, str]` mapping URL parameter names to side b's records
    (an enterprise b's assessment for `assessment_id`, …). The owner `town_b` must reach each.
    """
    from openpyxl import Workbook

    from shuzhuan.core.jobs import private_path

    job = Job.objects.create(owner=world.users["town_b"], kind="test", title="小榄的任务", status="succeeded",
                             output_file="exports/side-b.xlsx")
    wb = Workbook()
    wb.active.append([world.enterprises["b"].name, world.enterprises["b"].uscc])
    wb.save(private_path(job.output_file))
    token, _raw = ApiToken.issue(world.users["town_b"], "b-token")
    values = {"uscc": world.enterprises["b"].uscc, "job_id": str(job.pk), "token_id": str(token.pk)}
    for module in app_scope_fixtures():
        for name in dir(module):
            if not name.startswith("side_b_values"):
                continue
            for key, value in getattr(module, name)(world).items():
                assert key not in values, f"URL parameter {key} is declared twice ({module.__name__}.{name})"
                values[key] = str(value)
    return {"values": values, "name": world.enterprises["b"].name, "uscc": world.enterprises["b"].uscc}


def app_scope_fixtures():
    import importlib
    import pkgutil

    import shuzhuan

    modules = []
    for app in pkgutil.iter_modules(shuzhuan.__path__):
        tests_dir = Path(shuzhuan.__path__[0]) / app.name / "tests"
        for path in sorted(tests_dir.glob("scope_fixtures*.py")):
            modules.append(importlib.import_module(f"shuzhuan.{app.name}.tests.{path.stem}"))
    return modules


def foreign_values(side_b) -> dict[str, str]:
    return side_b["values"]


def fill(route: str, values: dict[str, str]) -> str:
    def sub(match):
        name = match.group("name")
        assert name in values, f"scope test: say how to build an out-of-scope value for URL parameter '{name}'"
        return values[name]

    route = PARAM.sub(sub, route)
    route = re.sub(r"\{(\w+)\}", lambda m: sub(re.match(r"<(?P<name>\w+)>", f"<{m.group(1)}>")), route)
    return "/" + route.lstrip("/")


def body_text(response) -> str:
    """What a user would read in a response: HTML/JSON text, or every cell of an XLSX download."""
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    if data[:2] == b"PK":  # XLSX
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return "\n".join(str(c) for name in wb.sheet_names for row in wb.get_sheet_by_name(name).to_python() for c in row)
    return data.decode("utf-8", errors="replace")


def client_for(client, world, who):
    client.logout()
    if who != "anon":
        client.force_login(world.users[who])
    return client


def test_every_page_route_declares_access():
    missing = [route for route, _name, cb in page_routes() if not hasattr(cb, "access")]
    assert not missing, f"routes without @page_access: {missing}"


def test_every_api_operation_declares_and_enforces_access():
    from shuzhuan.api.auth import PolicyAuth

    ops = api_operations()
    assert ops, "no API operations found"
    missing = [f"{m} {p}" for m, p, fn in ops if not hasattr(fn, "access")]
    assert not missing, f"API operations without @api_access: {missing}"
    from shuzhuan.api.auth import all_operations

    for op in all_operations(api):
        assert [type(cb) for cb in op.auth_callbacks] == [PolicyAuth], f"{op.path} is not enforced"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_cannot_reach_side_b_pages(world, side_b, client, who):
    values = foreign_values(side_b)
    before = AuditEntry.objects.filter(organisation_id=world.enterprises["b"].pk).count()
    c = client_for(client, world, who)
    checked = 0
    for route, _name, _cb in page_routes():
        url = fill(route, values)
        for method in ("get", "post"):
            response = getattr(c, method)(url)
            assert response.status_code < 500, f"{method.upper()} {url} as {who}: {response.status_code}"
            if PARAM.search(route):
                # A route naming side b's record: 404 / 403 / login / not allowed, never the record.
                assert response.status_code in DENIED_PAGE, f"{method.upper()} {url} as {who}: {response.status_code}"
                if response.status_code == 302:
                    assert "/login/" in response.url, f"{method.upper()} {url} as {who} redirected to {response.url}"
            elif response.status_code == 200:
                text = body_text(response)
                assert side_b["name"] not in text and side_b["uscc"] not in text, f"{url} as {who} shows side b"
            checked += 1
    assert checked > 10
    assert AuditEntry.objects.filter(organisation_id=world.enterprises["b"].pk).count() == before, "side b was changed"
    world.enterprises["b"].refresh_from_db()
    assert world.enterprises["b"].organisation.name == side_b["name"]


def owner_for(world, view) -> str:
    """Who owns side b's records for this route: its town officer, or the city for city-only routes."""
    return "town_b" if view.access.allows(world.users["town_b"]) else "city"


def test_the_owners_do_reach_side_b_pages(world, side_b, client):
    """Positive control: the values above are real, so the 404s above mean scope, not typos. Side b's
    town officer reaches each record; a route only the city may use is checked as the city officer."""
    values = foreign_values(side_b)
    checked = set()
    for route, _name, cb in page_routes():
        if not PARAM.search(route):
            continue
        who = owner_for(world, cb)
        response = client_for(client, world, who).get(fill(route, values))
        assert response.status_code in REACHED_PAGE, f"GET {route} as {who}: {response.status_code}"
        checked.add(who)
    assert "town_b" in checked


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_cannot_reach_side_b_through_the_api(world, side_b, client, who):
    values = foreign_values(side_b)
    c = client_for(client, world, who)
    for method, path, fn in api_operations():
        url = fill(path, values)
        response = c.generic(method, url, data="{}", content_type="application/json")
        assert response.status_code < 500, f"{method} {url} as {who}: {response.status_code}"
        if "{" in path:
            assert response.status_code in DENIED_API, f"{method} {url} as {who}: {response.status_code}"
        if response.status_code >= 400:
            assert {"code", "message", "errors"} <= set(response.json()), f"{method} {url}: not the error envelope"
        if response.status_code == 200:
            text = response.content.decode()
            assert side_b["name"] not in text and side_b["uscc"] not in text, f"{method} {url} as {who} shows side b"
        if who == "anon" and not fn.access.public:
            assert response.status_code == 401, f"{method} {url} as anonymous: {response.status_code}"


def test_api_positive_control(world, side_b, client):
    c = client_for(client, world, "town_b")
    response = c.get(fill("/api/v1/enterprises/{uscc}", foreign_values(side_b)))
    assert response.status_code == 200 and response.json()["name"] == side_b["name"]


def test_list_pages_show_own_scope(world, login):
    """A town officer's list shows its town only; a city officer's shows both."""
    c = login(world.users["town_a"])
    text = c.get("/enterprises/").content.decode()
    assert world.enterprises["a"].name in text and world.enterprises["b"].name not in text
    c = login(world.users["city"])
    text = c.get("/enterprises/").content.decode()
    assert world.enterprises["a"].name in text and world.enterprises["b"].name in text


def test_several_relationships_give_one_row_per_enterprise(world, client):
    """Two contact requests and an assignment from one firm: the provider sees it once, and its page works."""
    from shuzhuan.assessment.models import Assessment, RaterAssignment
    from shuzhuan.marketplace.models import ContactRequest, ProviderProfile

    ent = world.enterprises["a"]
    provider = ProviderProfile.objects.create(organisation=world.orgs["provider_a"], pool_status="in_pool")
    for text in ("第一次", "第二次"):
        ContactRequest.objects.create(enterprise=ent, provider=provider, message=text)
    sheet = Assessment.objects.create(enterprise=ent, status="submitted")
    RaterAssignment.objects.create(enterprise=ent, assessment=sheet, rater_organisation=world.orgs["provider_a"])
    c = client_for(client, world, "provider_a")
    listing = c.get("/api/v1/enterprises").json()
    assert listing["count"] == 1 and [e["uscc"] for e in listing["results"]] == [ent.uscc]
    assert c.get(f"/api/v1/enterprises/{ent.uscc}").status_code == 200
