"""The 待办 queue on each role's home, the expert's review list, and the grouped left menu."""

from __future__ import annotations

import datetime as dt

import pytest

from shuzhuan.core import todo
from shuzhuan.programs import services
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.tests import factories
from shuzhuan.programs.tests.factories import drive, fund, make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(world):
    programme = make_programme()
    fund(programme)
    return programme


def _queue(response) -> str:
    html = response.content.decode()
    assert 'id="todo"' in html
    return html.split('id="todo"', 1)[1].split("</ol>", 1)[0]


def test_the_assigned_expert_sees_the_project_review_in_the_queue_and_on_my_reviews(world, programme, login):
    project = drive(world, wf.TOWN_REVIEWED)
    services.assign_expert(world.users["city"], project, world.users["expert"])
    c = login(world.users["expert"])
    queue = _queue(c.get("/"))
    assert "项目评审" in queue and f"/programs/projects/{project.pk}/" in queue
    reviews = c.get("/market/pool/reviews/").content.decode()
    assert "暂无分配给您的评审任务" not in reviews
    assert f"/programs/projects/{project.pk}/" in reviews
    # another expert has nothing waiting
    from conftest import make_user

    other = make_user("expert2", "expert")
    assert "项目评审" not in _queue(login(other).get("/"))


def test_each_role_sees_its_own_next_steps(world, programme, login):
    project = drive(world, wf.POST_ASSESSED)
    town_queue = _queue(login(world.users["town_a"]).get("/"))
    assert "项目镇街初审" in town_queue and project.title in town_queue
    assert "项目镇街初审" not in _queue(login(world.users["town_b"]).get("/"))  # another town's project
    services.transition(world.users["town_a"], project, "town_review")
    city_queue = _queue(login(world.users["city"]).get("/"))
    assert "待指派专家" in city_queue
    factories.lighting_firm(world, "b")
    draft = drive(world, wf.DRAFT, side="b")
    ent_queue = _queue(login(world.users["ent_b"]).get("/"))
    assert "项目待备案" in ent_queue and f"/programs/projects/{draft.pk}/" in ent_queue


def test_the_enterprise_sees_which_acceptance_documents_are_missing(world, programme, login):
    drive(world, wf.COMPLETED)
    queue = _queue(login(world.users["ent_a"]).get("/"))
    assert "项目待申请验收" in queue and "验收材料：缺少「验收档案」" in queue


def test_queue_puts_overdue_and_due_items_before_undated_ones():
    today = dt.date(2026, 1, 10)
    items = [todo.TodoItem("a", "undated old", "/a", since=dt.date(2025, 1, 1)),
             todo.TodoItem("b", "due later", "/b", since=dt.date(2025, 12, 1), due=dt.date(2026, 2, 1)),
             todo.TodoItem("c", "overdue", "/c", since=dt.date(2026, 1, 1), due=dt.date(2026, 1, 5)),
             todo.TodoItem("d", "undated newer", "/d", since=dt.date(2025, 6, 1))]
    ordered = [i.title for i in sorted(items, key=todo.sort_key)]
    assert ordered == ["overdue", "due later", "undated old", "undated newer"]
    assert items[2].overdue(today) and not items[1].overdue(today)


def test_home_replaces_the_menu_copy_with_the_queue_and_the_menu_has_headings(world, login):
    html = login(world.users["city"]).get("/").content.decode()
    assert "常用功能" not in html
    assert 'id="todo"' in html
    for heading in ("企业档案", "数字化评测", "资源池与供需对接", "试点与改造项目"):
        assert f'aria-level="2">{heading}</div>' in html


def test_enterprise_menu_hides_jobs_and_tokens_and_shows_the_self_assessment(world, login):
    html = login(world.users["ent_a"]).get("/").content.decode()
    sidebar = html.split('id="sz-nav"', 1)[1].split("</aside>", 1)[0]
    assert "后台任务" not in sidebar and "API 令牌" not in sidebar
    assert "/assessment/" in sidebar and "数字化水平自评" in sidebar
    city_sidebar = login(world.users["city"]).get("/").content.decode().split('id="sz-nav"', 1)[1]
    assert "后台任务" in city_sidebar.split("</aside>", 1)[0]


def test_review_conclusion_radios_render_as_labelled_checks_not_empty_pills(world, programme, login):
    import re

    project = drive(world, wf.TOWN_REVIEWED)
    services.assign_expert(world.users["city"], project, world.users["expert"])
    html = login(world.users["expert"]).get(f"/programs/projects/{project.pk}/").content.decode()
    form = html.split('id="review"', 1)[1].split("</form>", 1)[0]
    radios = re.findall(r'<input type="radio"[^>]*>', form)
    assert len(radios) == 2
    assert all("form-check-input" in r and "form-control" not in r for r in radios)
    for radio in radios:
        radio_id = re.search(r'id="([^"]+)"', radio).group(1)
        assert re.search(rf'<label class="form-check-label" for="{radio_id}">(建议通过|建议不通过)</label>', form)
    assert "<legend" in form and "评审结论" in form


def test_the_ledger_names_the_project_and_the_programme_not_their_codes(world, programme, login):
    project = drive(world, wf.CITY_APPROVED)
    html = login(world.users["city"]).get("/funds/ledger/").content.decode()
    table = html.split('id="ledger-table"', 1)[1]
    assert f"项目「{project.title}」" in table and f'href="/programs/projects/{project.pk}/"' in table
    assert f">{project.reference}<" not in table  # the code stays only as a tooltip
    from shuzhuan.programs import programmes

    assert programmes.load(programme.code).title in table
    assert f">{programme.code}<" not in table


def test_home_open_needs_card_agrees_with_the_list_it_opens(world, login):
    import re

    from shuzhuan.marketplace.models import Need, NeedStatus

    for i, status in enumerate([NeedStatus.OPEN, NeedStatus.OPEN, NeedStatus.MATCHING, NeedStatus.CLOSED]):
        Need.objects.create(enterprise=world.enterprises["a" if i % 2 else "b"], text=f"需求{i}", status=status)
    c = login(world.users["city"])
    html = c.get("/").content.decode()
    card = re.search(r'href="([^"]+)"><div class="sz-card">\s*<div class="sz-label">待对接需求</div>\s*'
                     r'<div class="sz-figure">([\d,]+)', html)
    assert card, "the 待对接需求 card"
    url, value = card.group(1).replace("&amp;", "&"), int(card.group(2).replace(",", ""))
    listed = c.get(url).context["page"].paginator.count
    assert value == listed == 2


def test_archive_dates_are_local_time(world, programme, login):
    import io
    import zipfile

    from shuzhuan.programs.models import ProjectDocument

    project = drive(world, wf.ACCEPTANCE_APPLIED)
    late_evening_utc = dt.datetime(2026, 12, 9, 20, 30, tzinfo=dt.UTC)  # 2026-12-10 04:30 in 中山
    ProjectDocument.objects.filter(project=project).update(uploaded_at=late_evening_utc)
    data = login(world.users["town_a"]).get(f"/programs/projects/{project.pk}/archive.zip").content
    archive = zipfile.ZipFile(io.BytesIO(data))
    summary = archive.read("项目摘要.txt").decode()
    assert "（2026-12-10）" in summary and "（2026-12-09）" not in summary
    members = [i for i in archive.infolist() if i.filename != "项目摘要.txt"]
    assert members and all(i.date_time[:4] == (2026, 12, 10, 4) for i in members)


def test_pool_application_list_shows_the_notice_last_day(world, login):
    from shuzhuan.marketplace.models import ApplicationStatus, PoolApplication, ProviderProfile

    profile = ProviderProfile.objects.create(organisation=world.orgs["provider_a"])
    PoolApplication.objects.create(provider=profile, status=ApplicationStatus.NOTICE, notice_start=dt.date(2026, 12, 3),
                                   notice_end=dt.date(2026, 12, 10), submitted_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    html = login(world.users["city"]).get("/market/pool/applications/").content.decode()
    assert "2026-12-03 – 2026-12-09" in html  # the notice ends with 12-09; from 12-10 admission may be confirmed
