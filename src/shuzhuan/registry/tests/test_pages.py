import io
from decimal import Decimal

import pytest
from conftest import make_enterprise
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from shuzhuan.core.models import AuditEntry, Job
from shuzhuan.registry.domain import make_uscc
from shuzhuan.registry.models import Enterprise


@pytest.fixture
def many(world):
    town = world.towns["a"]
    for i in range(30):
        make_enterprise(f"古镇测试灯具{i:02d}有限公司", make_uscc("442000", f"MB{i:06d}"), town,
                        employees=10 + i * 20, revenue=f"{(i + 1) * 1_000_000}.00")
    return world


def test_list_filters_and_sorts(many, login):
    c = login(many.users["city"])
    page = c.get("/enterprises/", {"town": "古镇", "size": "micro"}).content.decode()
    assert "古镇测试灯具00有限公司" in page and "小榄永固" not in page
    page = c.get("/enterprises/", {"sort": "-revenue"}).content.decode()
    assert page.index("古镇明辉灯饰") < page.index("古镇测试灯具29") < page.index("古镇测试灯具00")
    page = c.get("/enterprises/", {"q": "灯具07"}).content.decode()
    assert "共 1 家企业" in page
    page = c.get("/enterprises/", {"above_scale": "1", "industry": "387"}).content.decode()
    assert "古镇测试灯具19有限公司" in page and "古镇测试灯具18有限公司" not in page


def test_list_pages_and_keeps_filters(many, login):
    c = login(many.users["city"])
    page = c.get("/enterprises/", {"town": "古镇"}).content.decode()
    assert "第 1 / 1 页" not in page  # 31 rows fit one page of 50: no pager
    assert "共 31 家企业" in page


def test_list_query_count_does_not_grow_with_rows(many, login):
    c = login(many.users["city"])
    with CaptureQueriesContext(connection) as small:
        c.get("/enterprises/", {"q": "灯具07"})
    with CaptureQueriesContext(connection) as large:
        c.get("/enterprises/")
    assert len(large) == len(small) == 6  # pinned


def test_bad_filter_values_do_not_break_the_page(many, login):
    c = login(many.users["city"])
    response = c.get("/enterprises/", {"town": "火星", "size": "huge", "sort": "drop table", "page": "abc"})
    assert response.status_code == 200


def test_export_is_the_filtered_list(many, login):
    c = login(many.users["town_a"])
    response = c.get("/enterprises/export.xlsx", {"q": "灯具0"})
    data = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0][:2] == ["统一社会信用代码", "企业名称"]
    assert sorted(r[1] for r in rows[1:]) == [f"古镇测试灯具0{i}有限公司" for i in range(10)]


def test_default_sync_export_limit_is_a_few_thousand_rows():
    from django.conf import settings

    assert 1000 <= settings.EXPORT_SYNC_ROWS <= 5000  # the 20,000-row city list is a job


def test_export_reports_progress_as_it_writes(many, tmp_path):
    from shuzhuan.registry.exporting import write_xlsx
    from shuzhuan.registry.models import Enterprise

    calls = []
    written = write_xlsx(Enterprise.objects.all(), tmp_path / "x.xlsx", lambda done, total, msg: calls.append((done, total)))
    assert written >= 31 and len(calls) >= 10 and calls[0][0] < calls[-1][0] <= written


def test_large_export_runs_as_a_job(many, login, settings):
    settings.EXPORT_SYNC_ROWS = 5
    c = login(many.users["town_a"])
    response = c.get("/enterprises/export.xlsx")
    job = Job.objects.get(kind="registry.export")
    assert response.status_code == 302 and response.url == f"/jobs/{job.pk}/"
    assert job.status == "succeeded" and job.done == 31
    download = c.get(f"/jobs/{job.pk}/download/")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(download.streaming_content))).get_sheet_by_index(0).to_python()
    assert len(rows) == 32
    assert "100%" in c.get(f"/jobs/{job.pk}/").content.decode()


def test_profile_shows_years_and_history(world, login):
    c = login(world.users["town_a"])
    ent = world.enterprises["a"]
    c.post(f"/enterprises/{ent.uscc}/edit/", {
        "name": ent.name, "legal_representative": "李四", "town": world.towns["a"].pk, "address": "古镇新址 8 号",
        "industry": "3872", "founded_on": "2008-05-01", "zjtx_tier": "zjtx", "reason": "法人变更",
    })
    c.post(f"/enterprises/{ent.uscc}/years/", {"year": 2025, "employees": 350, "revenue": "25000000", "tax": "900000"})
    ent.refresh_from_db()
    assert ent.legal_representative == "李四" and ent.latest_year == 2025 and ent.size_class == "medium" and ent.above_scale
    page = c.get(f"/enterprises/{ent.uscc}/").content.decode()
    assert "修改企业档案" in page and "法人变更" in page and "新增 2025 年度数据" in page and "李四" in page
    entry = AuditEntry.objects.filter(organisation_id=ent.pk, summary="修改企业档案").get()
    assert entry.changes["legal_representative"] == ["张三", "李四"] and entry.actor == world.users["town_a"]


def test_edit_errors_are_inline_and_nothing_changes(world, login):
    c = login(world.users["town_a"])
    ent = world.enterprises["a"]
    response = c.post(f"/enterprises/{ent.uscc}/years/", {"year": 1800, "employees": -1, "revenue": "abc"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not ent.years.filter(year=1800).exists()


def test_town_officer_cannot_move_an_enterprise_out_of_town(world, login):
    c = login(world.users["town_a"])
    ent = world.enterprises["a"]
    response = c.post(f"/enterprises/{ent.uscc}/edit/", {"name": ent.name, "town": world.towns["b"].pk, "industry": "3872"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    ent.refresh_from_db()
    assert ent.town == world.towns["a"]


def test_enterprise_user_edits_only_contact_fields(world, login):
    c = login(world.users["ent_a"])
    ent = world.enterprises["a"]
    assert c.get("/enterprises/mine/").url == f"/enterprises/{ent.uscc}/"
    c.post(f"/enterprises/{ent.uscc}/edit/", {"contact_name": "王五", "contact_phone": "13900000000",
                                              "name": "改名公司", "zjtx_tier": "little_giant"})
    ent.refresh_from_db()
    assert ent.contact_name == "王五" and ent.organisation.name == "古镇明辉灯饰有限公司" and ent.zjtx_tier == ""


def test_api_list_filters_pages_and_money_as_strings(many, login):
    c = login(many.users["city"])
    data = c.get("/api/v1/enterprises", {"town": "古镇", "sort": "-revenue", "page_size": 5, "page": 2}).json()
    assert data["count"] == 31 and len(data["results"]) == 5
    first = data["results"][0]
    assert isinstance(first["revenue"], str) and first["revenue"].endswith(".00")
    assert set(first) >= {"uscc", "size_class", "above_scale", "town", "industry_code"}


def test_api_detail_has_years(world, login):
    c = login(world.users["ent_a"])
    data = c.get(f"/api/v1/enterprises/{world.enterprises['a'].uscc}").json()
    assert data["years"] == [{"year": 2024, "employees": 120, "revenue": "45000000.00", "tax": "1200000.00"}]
    assert data["size_class"] == "small" and data["above_scale"] is True


@pytest.mark.parametrize("params, field", [
    ({"size": "huge"}, "size"), ({"town": "火星"}, "town"), ({"page_size": 0}, "page_size"), ({"page": "x"}, "page"),
])
def test_api_bad_filters_are_422_with_the_field(world, login, params, field):
    response = login(world.users["city"]).get("/api/v1/enterprises", params)
    body = response.json()
    assert response.status_code == 422 and body["code"] == "invalid"
    assert any(e["field"] == field for e in body["errors"]), body


def test_api_unknown_enterprise_is_404_envelope(world, login):
    response = login(world.users["city"]).get("/api/v1/enterprises/91442000MA4W0009XX")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_openapi_and_docs_are_served(db, client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/enterprises" in spec["paths"] and "/api/v1/enterprises/{uscc}" in spec["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower()


def test_revenue_decimal_roundtrip(world):
    ent = Enterprise.objects.get(pk=world.enterprises["a"].pk)
    assert ent.revenue == Decimal("45000000.00")


def test_an_eighteen_character_name_is_searched_as_a_name(world, login):
    ent = world.enterprises["a"]
    ent.organisation.name = "中山市古镇明辉灯饰照明电器有限公司"  # 18 characters, not a USCC
    ent.organisation.save()
    page = login(world.users["city"]).get("/enterprises/", {"q": ent.organisation.name}).content.decode()
    assert "共 1 家企业" in page


def test_one_bad_filter_keeps_the_others(world, login):
    page = login(world.users["city"]).get("/enterprises/", {"q": "明辉", "size": "bogus"}).content.decode()
    assert "共 1 家企业" in page and "小榄永固" not in page


def test_api_accepts_a_four_digit_industry_class(world, login):
    data = login(world.users["city"]).get("/api/v1/enterprises", {"industry": "3872"}).json()
    assert [e["name"] for e in data["results"]] == [world.enterprises["a"].name]


def test_a_year_before_the_size_rules_is_kept_without_a_class(world, login):
    ent = world.enterprises["a"]
    response = login(world.users["town_a"]).post(f"/enterprises/{ent.uscc}/years/",
                                                 {"year": 2030, "employees": 5, "revenue": "100"})
    assert response.status_code == 302
    from shuzhuan.registry.services import derive

    assert derive(1995, 500, Decimal("50000000")) == ("", False)


def test_an_enterprise_cannot_report_its_own_figures(world, login):
    ent = world.enterprises["a"]
    c = login(world.users["ent_a"])
    response = c.post(f"/enterprises/{ent.uscc}/years/", {"year": 2025, "employees": 5000, "revenue": "900000000"})
    assert response.status_code == 403
    ent.refresh_from_db()
    assert ent.size_class == "small" and "填报年度数据" not in c.get(f"/enterprises/{ent.uscc}/").content.decode()


def test_api_page_beyond_the_end_is_empty_not_an_error(world, login):
    data = login(world.users["city"]).get("/api/v1/enterprises", {"page": 10**18}).json()
    assert data["results"] == [] and data["count"] == 2


def test_a_profile_edit_does_not_undo_newer_yearly_figures(world, login):
    """A profile saved from a stale instance must not write back old derived figures."""
    from shuzhuan.registry import services

    ent = world.enterprises["a"]
    stale = Enterprise.objects.select_related("organisation").get(pk=ent.pk)
    services.set_year(world.users["town_a"], Enterprise.objects.get(pk=ent.pk), 2025, 400, Decimal("30000000"), None)
    services.update_profile(world.users["town_a"], stale, {"address": "新地址"})
    ent.refresh_from_db()
    assert ent.latest_year == 2025 and ent.size_class == "medium" and ent.address == "新地址"


def test_api_detail_query_count_is_pinned(world, client):
    """Bearer detail: the token with its user (one query), the enterprise with organisation, town and
    industry (one), its years (one). The token's last use is written at most once a minute."""
    from shuzhuan.core.models import ApiToken

    _token, raw = ApiToken.issue(world.users["town_a"], "bench")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    url = f"/api/v1/enterprises/{world.enterprises['a'].uscc}"
    assert client.get(url, **auth).status_code == 200  # first use writes last_used_at
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **auth)
    assert response.status_code == 200 and response.json()["years"], response.content
    assert len(ctx.captured_queries) == 3, [q["sql"] for q in ctx.captured_queries]
    other = world.enterprises["b"].uscc  # another town's firm: still scoped, still 3 queries
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/api/v1/enterprises/{other}", **auth).status_code == 404
    assert len(ctx.captured_queries) == 2


def test_api_token_lookup_refuses_inactive_and_marks_use(world, client):
    from datetime import timedelta

    from django.utils import timezone

    from shuzhuan.core.models import ApiToken

    token, raw = ApiToken.issue(world.users["city"], "t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    url = f"/api/v1/enterprises/{world.enterprises['b'].uscc}"
    assert client.get(url, **auth).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    stale = timezone.now() - timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    assert client.get(url, **auth).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > stale  # an old mark is renewed
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}x").status_code == 401
    world.users["city"].is_active = False
    world.users["city"].save(update_fields=["is_active"])
    assert client.get(url, **auth).status_code == 401
