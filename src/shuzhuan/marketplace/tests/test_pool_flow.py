"""Pool admission end to end through the pages: a provider applies, an expert scores, the city
starts the notice, the public objects, the city admits after the notice period; offerings are
reviewed before they go public; sanctions take a provider out of the catalogue."""

import datetime as dt
from decimal import Decimal

import pytest
from conftest import make_user
from django.core.files.uploadedfile import SimpleUploadedFile

from shuzhuan.core.models import AuditEntry, Organisation, OrganisationKind
from shuzhuan.marketplace.models import (
    ApplicationStatus,
    Offering,
    OfferingStatus,
    PoolApplication,
    PoolStatus,
    ProviderProfile,
)
from shuzhuan.marketplace.services import pool

pytestmark = pytest.mark.django_db

PROFILE = {"town": "", "address": "古镇中兴大道 1 号", "introduction": "灯饰行业 MES 服务商", "qualifications": "软件企业",
           "staff_count": "40", "engineer_count": "18", "contact_name": "陈工", "contact_phone": "0760-22330000"}
OFFERING = {"kind": "product", "product_type": "manufacturing", "name": "灯饰厂质量追溯", "summary": "扫码追溯每一批灯具",
            "description": "", "price_min": "30000", "price_max": "80000", "pilot_discount": "10", "deployment": "saas",
            "deployment_days": "20", "scenarios": ["S07", "S06"], "industries": ["38"], "min_level": "0", "max_level": "3",
            "case_references": "古镇某灯饰厂"}


def _profile_data(world):
    return {**PROFILE, "town": str(world.towns["a"].pk)}


def _apply(world, login):
    """provider_a creates its profile, fills the application, uploads a document and submits."""
    c = login(world.users["provider_a"])
    assert c.get("/market/provider/").status_code == 200  # the create form: no profile yet
    bad = c.post("/market/provider/", {**_profile_data(world), "engineer_count": "99", "contact_phone": "abc"})
    assert bad.status_code == 200 and "技术人员不能多于员工人数" in bad.content.decode()
    assert c.post("/market/provider/", _profile_data(world)).status_code == 302
    profile = ProviderProfile.objects.get(pk=world.orgs["provider_a"].pk)
    assert profile.pool_status == PoolStatus.APPLICANT
    c.post("/market/provider/application/start/")
    application = PoolApplication.objects.get(provider=profile)
    # submitting early says what is missing
    c.post("/market/provider/application/submit/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    c.post("/market/provider/application/", {"qualifications": "软件企业；ISO 9001", "cases": "三家灯饰厂 MES", "staff": "本地 8 人"})
    wrong = c.post("/market/provider/application/documents/",
                   {"kind": "licence", "file": SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")})
    assert wrong.status_code == 200 and "不支持的文件类型" in wrong.content.decode()
    disguised = c.post("/market/provider/application/documents/",  # checked by content, as evidence uploads are
                       {"kind": "licence", "file": SimpleUploadedFile("营业执照.pdf", b"MZ\x90\x00 not a pdf")})
    assert disguised.status_code == 200 and "文件内容与扩展名 .pdf 不符" in disguised.content.decode()
    assert not application.documents.exists()
    empty_kind = c.post("/market/provider/application/documents/", {"kind": "", "file": SimpleUploadedFile("a.pdf", b"%PDF")})
    assert empty_kind.status_code == 200
    ok = c.post("/market/provider/application/documents/",
                {"kind": "licence", "file": SimpleUploadedFile("营业执照.pdf", b"%PDF-1.4 test", content_type="application/pdf")})
    assert ok.status_code == 302
    assert c.post("/market/provider/application/submit/").status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    return profile, application


def test_admission_end_to_end(world, login, client):
    profile, application = _apply(world, login)
    expert2 = make_user("expert2", "expert")

    # the city assigns one expert; the other expert sees nothing
    c = login(world.users["city"])
    page = c.get(f"/market/pool/applications/{application.pk}/")
    assert page.status_code == 200 and "分配评审专家" in page.content.decode()
    assert c.post(f"/market/pool/applications/{application.pk}/assign/", {}).status_code == 200  # inline error
    c.post(f"/market/pool/applications/{application.pk}/assign/", {"experts": [world.users["expert"].pk]})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assert login(expert2).get(f"/market/pool/applications/{application.pk}/").status_code == 404
    assert login(world.users["town_b"]).get(f"/market/pool/applications/{application.pk}/").status_code == 404
    assert login(world.users["town_a"]).get(f"/market/pool/applications/{application.pk}/").status_code == 200

    # notice cannot start before the expert has scored
    c = login(world.users["city"])
    c.post(f"/market/pool/applications/{application.pk}/decide/", {"decision": "notice"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW

    # the expert scores; bad input stays on the page with an inline error
    e = login(world.users["expert"])
    listing = e.get("/market/pool/reviews/").content.decode()
    assert "数智云服务商甲" in listing
    doc = application.documents.get()
    assert e.get(f"/market/pool/applications/{application.pk}/documents/{doc.pk}/").status_code == 200
    bad = e.post(f"/market/pool/applications/{application.pk}/review/", {"score": "120", "opinion": ""})
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()
    assert e.post(f"/market/pool/applications/{application.pk}/review/", {"score": "86.5", "opinion": "案例扎实"}).status_code == 302

    # the city starts the notice: 5 working days, end exclusive
    c = login(world.users["city"])
    c.post(f"/market/pool/applications/{application.pk}/decide/", {"decision": "notice", "reason": ""})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.NOTICE and application.score == Decimal("86.50")
    calendar = pool.pool_rules().calendar
    assert calendar.count(application.notice_start, application.notice_end) == 5

    # the public notice page lists it with its end date; anyone may object, odd input never breaks it
    client.logout()
    text = client.get("/market/notice/").content.decode()
    last = application.notice_end - dt.timedelta(days=1)
    assert "数智云服务商甲" in text and f"{last:%Y-%m-%d}" in text
    assert client.post(f"/market/notice/{application.pk}/objection/", {f"o{application.pk}-text": ""}).status_code == 200
    # a contact is required (issue 10 item 9)
    assert client.post(f"/market/notice/{application.pk}/objection/",
                       {f"o{application.pk}-text": "案例客户数量存疑", f"o{application.pk}-contact": ""}).status_code == 200
    assert client.post(f"/market/notice/{application.pk}/objection/",
                       {f"o{application.pk}-text": "案例客户数量存疑", f"o{application.pk}-contact": "13800138000"}).status_code == 302
    assert client.get("/market/notice/").content.decode().count("案例客户数量存疑") == 0  # objections are not public

    # admitting is refused during the notice, and while an objection is open
    c = login(world.users["city"])
    c.post(f"/market/pool/applications/{application.pk}/admit/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.NOTICE
    assert len(pool.admit_blockers(application)) == 2
    objection = application.objections.get()
    r = c.post(f"/market/pool/applications/{application.pk}/resolve/",
               {"objection_id": objection.pk, f"r{objection.pk}-upheld": "0", f"r{objection.pk}-resolution": "经核实，案例属实"})
    assert r.status_code == 302
    # time passes: the notice period is over
    PoolApplication.objects.filter(pk=application.pk).update(
        notice_start=application.notice_start - dt.timedelta(days=14), notice_end=application.notice_end - dt.timedelta(days=14))
    assert c.post(f"/market/pool/applications/{application.pk}/admit/").status_code == 302
    profile.refresh_from_db()
    assert profile.pool_status == PoolStatus.IN_POOL and profile.admission_score == Decimal("86.50")
    actions = set(AuditEntry.objects.filter(organisation_id=profile.pk).values_list("action", flat=True))
    assert {"pool.profile_create", "pool.submit", "pool.assign", "pool.review", "pool.notice", "pool.objection",
            "pool.objection_resolve", "pool.admit"} <= actions

    # the provider is public now; anonymous users see no admission score
    client.logout()
    page = client.get(f"/market/providers/{profile.organisation.uscc}/").content.decode()
    assert "数智云服务商甲" in page and "入池评审得分" not in page and "暂无评级" in page


def test_offering_review_and_catalogue(world, login, client):
    ProviderProfile.objects.create(organisation=world.orgs["provider_a"], town=world.towns["a"],
                                             pool_status=PoolStatus.IN_POOL, introduction="灯饰行业服务商")
    c = login(world.users["provider_a"])
    bad = c.post("/market/provider/offerings/new/", {**OFFERING, "product_type": "", "price_min": "9", "price_max": "1"})
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "产品/服务须选择类型" in text and "价格上限不能低于下限" in text
    assert c.post("/market/provider/offerings/new/", OFFERING).status_code == 302
    offering = Offering.objects.get(name="灯饰厂质量追溯")
    assert offering.status == OfferingStatus.DRAFT and offering.scenarios == ["S07", "S06"]
    client.logout()
    assert client.get(f"/market/offerings/{offering.pk}/").status_code == 404  # not public yet
    c = login(world.users["provider_a"])
    c.post(f"/market/offerings/{offering.pk}/submit/")
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.PENDING

    city = login(world.users["city"])
    assert "灯饰厂质量追溯" in city.get("/market/pool/offerings/").content.decode()
    assert city.post(f"/market/offerings/{offering.pk}/review/", {"decision": "return", "note": ""}).status_code == 200
    city.post(f"/market/offerings/{offering.pk}/review/", {"decision": "approve", "note": ""})
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.PUBLISHED

    client.logout()
    for url in ("/market/products/", "/market/products/?scenario=S07", "/market/products/?industry=38",
                "/market/products/?q=追溯&deployment=saas&price_from=50000&price_to=60000&category=manufacturing"):
        assert "灯饰厂质量追溯" in client.get(url).content.decode(), url
    for url in ("/market/products/?scenario=S10", "/market/products/?industry=33", "/market/products/?price_to=1000",
                "/market/products/?category=safety", "/market/solutions/"):
        assert "灯饰厂质量追溯" not in client.get(url).content.decode(), url
    detail = client.get(f"/market/offerings/{offering.pk}/").content.decode()
    assert "S07 质量管理" in detail and "38 电气机械和器材制造业" in detail

    # editing a published offering takes it off the catalogue until approved again
    c = login(world.users["provider_a"])
    c.post(f"/market/offerings/{offering.pk}/edit/", {**OFFERING, "summary": "扫码追溯每一批灯具，支持出口认证"})
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.DRAFT
    # another role gets the detail page, not the form
    assert login(world.users["town_a"]).get(f"/market/offerings/{offering.pk}/edit/").status_code == 302


def test_sanctions_are_audited_and_shown(world, login, client):
    profile = ProviderProfile.objects.create(organisation=world.orgs["provider_a"], town=world.towns["a"],
                                             pool_status=PoolStatus.IN_POOL)
    Offering.objects.create(provider=profile, kind="product", product_type="sales", name="经销商订货小程序", summary="订货",
                            scenarios=["S03"], status=OfferingStatus.PUBLISHED)
    c = login(world.users["city"])
    url = f"/market/providers/{profile.organisation.uscc}/sanction/"
    assert c.post(url, {"kind": "warning", "reason": ""}).status_code == 200  # inline error, nothing recorded
    c.post(url, {"kind": "warning", "reason": "项目逾期未验收"})
    profile.refresh_from_db()
    assert profile.pool_status == PoolStatus.WARNED
    client.logout()
    page = client.get(f"/market/providers/{profile.organisation.uscc}/").content.decode()
    assert "项目逾期未验收" in page and "警示" in page
    assert "经销商订货小程序" in client.get("/market/products/").content.decode()  # a warned provider stays in the pool
    c = login(world.users["city"])  # the same test client: sign in again
    c.post(url, {"kind": "removal", "reason": "考核不合格"})
    profile.refresh_from_db()
    assert profile.pool_status == PoolStatus.REMOVED
    entry = AuditEntry.objects.get(action="pool.removal")
    assert entry.organisation_id == profile.pk and entry.reason == "考核不合格" and entry.target_id == str(profile.pk)
    client.logout()
    assert client.get(f"/market/providers/{profile.organisation.uscc}/").status_code == 404
    assert "经销商订货小程序" not in client.get("/market/products/").content.decode()
    # a sanction the state does not allow is refused with a message
    c = login(world.users["city"])
    assert c.post(url, {"kind": "warning", "reason": "再次"}).status_code == 200


def test_provider_without_profile_of_another_kind_cannot_create_one(world, login):
    bank_like = Organisation.objects.create(uscc="91442000MA4W00990X", name="某协会", kind=OrganisationKind.ASSOCIATION)
    user = make_user("assoc", "provider", organisation=bank_like)
    text = login(user).get("/market/provider/").content.decode()
    assert "不是服务商单位" in text


def test_stars_appear_only_with_data(world, login, client):
    from shuzhuan.marketplace.domain.stars import DeliveryRecord

    profile = ProviderProfile.objects.create(organisation=world.orgs["provider_a"], pool_status=PoolStatus.IN_POOL,
                                             admission_score=Decimal("85"))
    pool.refresh_stars(profile, DeliveryRecord(admission_score=Decimal("85")))
    assert profile.stars is None
    result = pool.refresh_stars(profile, DeliveryRecord(4, Decimal("92"), 5, 4, Decimal("85")))
    assert result.stars == 4 and profile.stars == Decimal("4")
    client.logout()
    page = client.get(f"/market/providers/{profile.organisation.uscc}/").content.decode()
    assert "4 星" in page and "满意度" not in page  # the public sees the stars, never the ratings behind them
    own = login(world.users["provider_a"]).get(f"/market/providers/{profile.organisation.uscc}/").content.decode()
    assert "满意度 92.0 分" in own


def test_anonymous_objections_need_a_contact_and_are_throttled(world, settings):
    """Issue 10 item 9: an anonymous visitor cannot stall admissions with unlimited objections."""
    import datetime as dt

    from django.core.cache import cache

    from shuzhuan.marketplace.models import ApplicationStatus, PoolApplication, ProviderProfile
    from shuzhuan.marketplace.services import pool

    cache.clear()
    settings.OBJECTIONS_PER_ADDRESS_PER_DAY = 2
    profile = ProviderProfile.objects.create(organisation=world.orgs["provider_a"], town=world.towns["a"])
    today = dt.date.today()
    application = PoolApplication.objects.create(provider=profile, status=ApplicationStatus.NOTICE,
                                                 notice_start=today, notice_end=today + dt.timedelta(days=5))
    with pytest.raises(pool.PoolError, match="联系电话或电子邮箱"):
        pool.file_objection(application, "存疑", "", address="10.0.0.1")
    with pytest.raises(pool.PoolError, match="联系电话或电子邮箱"):
        pool.file_objection(application, "存疑", "随便", address="10.0.0.1")
    pool.file_objection(application, "存疑", "13800138000", address="10.0.0.1")
    pool.file_objection(application, "存疑", "a@example.com", address="10.0.0.1")
    with pytest.raises(pool.PoolError, match="过于频繁"):
        pool.file_objection(application, "存疑", "13800138000", address="10.0.0.1")
    pool.file_objection(application, "另一人的异议", "13900139000", address="10.0.0.2")
    assert application.objections.count() == 3
