"""Catalogue and pool pages: constant query counts, odd input never breaks a page, every role gets
an answer, and anonymous users see the catalogue but no needs, requests or rating details."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuzhuan.core.models import Organisation, OrganisationKind
from shuzhuan.marketplace.models import (
    Offering,
    OfferingStatus,
    PoolStatus,
    ProviderProfile,
    SolutionCategory,
)
from shuzhuan.registry.domain import make_uscc

pytestmark = pytest.mark.django_db


def fill_pool(n_providers: int, per_provider: int, start: int = 100):
    category = SolutionCategory.objects.first()
    for i in range(n_providers):
        org = Organisation.objects.create(uscc=make_uscc("442000", f"MA{start + i:06d}"), name=f"测试服务商{start + i}",
                                          kind=OrganisationKind.PROVIDER)
        profile = ProviderProfile.objects.create(organisation=org, pool_status=PoolStatus.IN_POOL, stars=Decimal("3") if i % 2 else None)
        for j in range(per_provider):
            Offering.objects.create(provider=profile, kind="solution" if j % 2 else "product", category=category if j % 2 else None,
                                    product_type="" if j % 2 else "management", name=f"方案{start + i}-{j}", summary="测试",
                                    scenarios=["S06", "S07", "S08", "S10"], industries=["38"], price_min=Decimal("1000.00"),
                                    price_max=Decimal("9000.00"), status=OfferingStatus.PUBLISHED)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("url", "pinned"), [("/market/solutions/", 4), ("/market/products/", 3), ("/market/providers/", 3),
                                             ("/market/catalogue/", 7),
                                             ("/market/solutions/?scenario=S07&industry=38&sort=-price", 4)])
def test_catalogue_query_counts_do_not_grow(client, url, pinned):
    fill_pool(2, 2, start=100)
    small = count_queries(client, url)
    fill_pool(10, 4, start=200)
    assert count_queries(client, url) == small, url
    assert small == pinned, url


def test_pool_admin_pages_query_counts_do_not_grow(world, login):
    c = login(world.users["city"])
    fill_pool(2, 2, start=100)
    Offering.objects.update(status=OfferingStatus.PENDING)
    small = {u: count_queries(c, u) for u in ("/market/pool/overview/", "/market/pool/offerings/", "/market/pool/applications/")}
    fill_pool(8, 3, start=200)
    Offering.objects.update(status=OfferingStatus.PENDING)
    for url, n in small.items():
        assert count_queries(c, url) == n, url
    assert small == {'/market/pool/overview/': 10, '/market/pool/offerings/': 5, '/market/pool/applications/': 4}


@pytest.mark.parametrize("query", [
    "?price_from=abc&price_to=-5", "?scenario=S99&industry=zz&category=nope&deployment=moon", "?sort=zzz&page=999",
    "?q=" + "长" * 300, "?page=-1&sort=-days", "?town=99999&scenario=S01",
])
@pytest.mark.parametrize("path", ["/market/solutions/", "/market/products/", "/market/providers/"])
def test_odd_filters_never_break_a_page(client, path, query):
    fill_pool(1, 2)
    assert client.get(path + query).status_code == 200


# Expected answer per role on the workspace pages (the public pages and "/" answer 200 for everyone).
# A provider (or admin) without a provider profile is sent to the workspace home to create one (302).
WORKSPACE = ["/market/provider/", "/market/provider/profile/", "/market/provider/application/",
             "/market/provider/offerings/new/", "/market/pool/overview/", "/market/pool/applications/",
             "/market/pool/offerings/", "/market/pool/reviews/"]
WORKSPACE_STATUS = {
    "admin": [200, 302, 302, 302, 200, 200, 200, 200],
    "city": [403, 403, 403, 403, 200, 200, 200, 403],
    "town_a": [403, 403, 403, 403, 200, 200, 200, 403],
    "town_b": [403, 403, 403, 403, 200, 200, 200, 403],
    "ent_a": [403] * 8,
    "ent_b": [403] * 8,
    "provider_a": [200, 302, 302, 302, 403, 403, 403, 403],
    "bank_a": [403] * 8,
    "expert": [403, 403, 403, 403, 403, 403, 403, 200],
}


def test_every_pool_page_answers_every_role(world, login, client):
    fill_pool(1, 2)
    offering = Offering.objects.first()
    public = ["/market/catalogue/", "/market/solutions/", "/market/products/", "/market/providers/", "/market/notice/",
              f"/market/offerings/{offering.pk}/", f"/market/providers/{offering.provider.organisation.uscc}/", "/"]
    assert set(WORKSPACE_STATUS) == set(world.users)
    for who, expected in WORKSPACE_STATUS.items():
        c = login(world.users[who])
        assert {url: c.get(url).status_code for url in public} == dict.fromkeys(public, 200), who
        got = {url: c.get(url) for url in WORKSPACE}
        assert [r.status_code for r in got.values()] == expected, who
        for response in got.values():
            if response.status_code == 302:
                assert response.url == "/market/provider/", who
    client.logout()
    for url in public[:7]:
        assert client.get(url).status_code == 200, url


def test_anonymous_sees_catalogue_but_no_needs_requests_or_rating_details(world, client):
    fill_pool(1, 2)
    profile = ProviderProfile.objects.first()
    profile.stars, profile.stars_explanation = Decimal("4"), ["满意度 92.0 分 × 50% = 46.00"]
    profile.admission_score = Decimal("88.00")
    profile.contact_phone = "0760-88886666"
    profile.save()
    client.logout()
    page = client.get(f"/market/providers/{profile.organisation.uscc}/").content.decode()
    assert "4 星" in page
    assert "满意度" not in page and "88.00" not in page
    assert profile.contact_phone not in page
    for url in ("/market/needs/", "/market/contacts/", "/market/recommendations/", "/market/pool/overview/", "/market/pool/applications/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url, url


def test_catalogue_home_counts(client):
    fill_pool(3, 2)
    text = client.get("/market/catalogue/").content.decode()
    assert 'id="fig-providers">3' in text and 'id="fig-solutions">3' in text and 'id="fig-products">3' in text


@pytest.mark.parametrize("word", ["库存", "仓库", "仓储"])
def test_catalogue_search_finds_products_by_the_scenario_a_word_means(client, word):
    from shuzhuan.marketplace.needs import scenarios_for_query
    from shuzhuan.marketplace.tests.scope_fixtures_match import offering, provider

    org = Organisation.objects.create(uscc=make_uscc("442000", "MA9X0001"), name="搜索测试服务商", kind=OrganisationKind.PROVIDER)
    profile = provider(org)
    offering(profile, "智能 WMS 云平台", scenarios=("S12",))
    offering(profile, "设备点检 App", scenarios=("S08",))
    assert "S12" in scenarios_for_query(word)
    html = client.get("/market/products/", {"q": word}).content.decode()
    assert "智能 WMS 云平台" in html and "设备点检 App" not in html
    assert scenarios_for_query("库") == []  # one character widens nothing
