"""The expert's 待办 queue opens the assigned review; every enterprise page fits a 390 px phone.

Set SZ_SCREENSHOTS=/some/dir to keep the 390 px screenshots.
"""

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reviewed_project(world):
    from shuzhuan.programs import services
    from shuzhuan.programs.domain import workflow as wf
    from shuzhuan.programs.tests.factories import drive, fund, make_programme

    fund(make_programme())
    project = drive(world, wf.TOWN_REVIEWED)
    services.assign_expert(world.users["city"], project, world.users["expert"])
    return project


def test_expert_queue_shows_the_assigned_review_and_opens_it(reviewed_project, live_server, sign_in):
    page = sign_in("expert")
    queue = page.locator("#todo")
    item = queue.locator("li", has_text="项目评审")
    assert item.count() == 1
    item.get_by_role("link", name=reviewed_project.title).click()
    page.wait_for_url(f"{live_server.url}/programs/projects/{reviewed_project.pk}/")
    form = page.locator("#review")
    assert form.get_by_label("建议通过").is_visible()
    assert form.get_by_label("建议不通过").is_visible()
    page.goto(f"{live_server.url}/market/pool/reviews/")
    assert page.locator("#other-reviews").get_by_text(reviewed_project.title).is_visible()
    assert page.get_by_text("暂无分配给您的评审任务").count() == 0


# The elements sticking out to the right, to say in the failure what overflows.
WIDE_ELEMENTS = """() => [...document.querySelectorAll('body *')].filter(el => el.getBoundingClientRect().right > 391)
  .slice(0, 8).map(el => el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))"""

ENTERPRISE_PAGES = ["/", "/enterprises/mine/", "/assessment/", "/market/needs/", "/market/needs/new/",
                    "/market/recommendations/", "/market/contacts/", "/programs/projects/", "/programs/apply/",
                    "/market/catalogue/"]


def test_enterprise_pages_fit_a_390px_phone(world, reviewed_project, live_server, sign_in, tmp_path):
    from shuzhuan.marketplace.models import ContactRequest, Need, ProviderProfile

    ent = world.enterprises["a"]
    need = Need.objects.create(enterprise=ent, text="库存总是对不上，仓库进出库全靠手工记账，想上一套仓储管理系统",
                               scenarios=["S12"], budget="200000.00")
    profile, _ = ProviderProfile.objects.get_or_create(organisation=world.orgs["provider_b"])
    ContactRequest.objects.create(enterprise=ent, need=need, provider=profile, message="请尽快联系，谢谢")
    out = Path(os.environ.get("SZ_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    page = sign_in("ent_a")
    page.set_viewport_size({"width": 390, "height": 844})
    pages = ENTERPRISE_PAGES + [f"/market/needs/{need.pk}/", f"/programs/projects/{reviewed_project.pk}/"]
    too_wide = {}
    for path in pages:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(out / f"phone{path.strip('/').replace('/', '_') or 'home'}.png"), full_page=True)
        if width > 390:
            too_wide[path] = (width, page.evaluate(WIDE_ELEMENTS))
    assert too_wide == {}
