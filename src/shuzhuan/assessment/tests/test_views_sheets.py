"""Questionnaire, result, assignment and on-site rating pages, per role; uploads; scope; query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuzhuan.assessment import services
from shuzhuan.assessment.forms import sections
from shuzhuan.assessment.models import Assessment, Evidence, Kind, RaterAssignment, Source, Status
from shuzhuan.assessment.tests.sheets import FULL_F, MIIT, answers, rated
from shuzhuan.assessment.tests.test_services import PDF, level_two_sheet, submitted


def url(name, *args):
    return reverse(f"assessment:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def draft(world):
    return services.start_self_assessment(world.users["ent_a"], world.enterprises["a"], Kind.BASELINE)


def section_one_post(**extra):
    data = {"F1": ["B", "C"], "fig_production_devices": "100", "fig_digital_devices": "45",
            "fig_networked_devices": "30", "F4": ["B", "C", "D"], "F5": "C", "F6": ["B"], "F7": ["A"], "action": "next"}
    data.update(extra)
    return data


# --- questionnaire ------------------------------------------------------------------------------------


def test_enterprise_starts_and_lands_on_the_first_section(world, login):
    c = login(world.users["ent_a"])
    page = c.get(url("index"))
    assert page.status_code == 200 and "开始自评" in text(page)
    response = c.post(url("start"), {"kind": "post"})
    a = Assessment.objects.get()
    assert (a.kind, a.source, a.status) == (Kind.POST, Source.SELF, Status.DRAFT)
    assert response.url == url("resume", a.pk)
    assert c.get(response.url).url == url("fill", a.pk, 1)
    page = c.get(url("fill", a.pk, 1))
    body = text(page)
    assert "企业网络建设连接情况" in body and "填写说明" in body and "生产设备数量（台）" in body
    assert "第 1/7 部分" in body and "已答 0/15 题" in body
    assert c.get(url("index")).content.decode().count("继续填写") == 1


def test_start_with_a_bad_kind_does_not_fail(world, login):
    c = login(world.users["ent_a"])
    response = c.post(url("start"), {"kind": "nonsense"})
    assert response.status_code == 302 and not Assessment.objects.exists()


def test_sections_cover_every_question_and_scenario_once():
    all_sections = sections(MIIT)
    codes = [c for s in all_sections for c in s.codes]
    assert len(codes) == len(set(codes)) == 15 + 16
    assert [s.title for s in all_sections][:3] == ["数字化基础（50 分）", "数字化管理（30 分）", "数字化成效（20 分）"]


def test_saving_sections_and_resuming_where_they_were(world, login, draft):
    c = login(world.users["ent_a"])
    response = c.post(url("fill", draft.pk, 1), section_one_post())
    assert response.status_code == 302 and response.url == url("fill", draft.pk, 2)
    draft.refresh_from_db()
    assert draft.answers == {"F1": ["B", "C"], "F4": ["B", "C", "D"], "F5": "C", "F6": ["B"], "F7": ["A"]}
    assert draft.figures == {"production_devices": "100", "digital_devices": "45", "networked_devices": "30"}
    assert draft.score == Decimal("4") + Decimal("4.5") + Decimal("3") + Decimal("2.1") + 5 + Decimal("1.25")
    c.post(url("fill", draft.pk, 2), {"M1": "B", "M2": ["B"], "M3": ["A"], "fig_digital_investment": "5",
                                      "fig_revenue_average": "100", "action": "save"})
    # a new sitting: the questionnaire resumes at the first section not yet complete
    c.logout()
    c = login(world.users["ent_a"])
    assert c.get(url("resume", draft.pk)).url == url("fill", draft.pk, 3)
    page = text(c.get(url("fill", draft.pk, 1)))
    assert 'value="45"' in page and "计算结果" in page and "D. (40%,60%]" in page
    assert "已完成 2 部分" in text(c.get(url("fill", draft.pk, 3)))


def test_navigation_buttons_save_first(world, login, draft):
    c = login(world.users["ent_a"])
    response = c.post(url("fill", draft.pk, 1), {"F5": "B", "goto": "5"})
    assert response.url == url("fill", draft.pk, 5)
    draft.refresh_from_db()
    assert draft.answers == {"F5": "B"}
    response = c.post(url("fill", draft.pk, 5), {"S06": "2", "action": "submit"})
    assert response.url == url("submit", draft.pk)
    draft.refresh_from_db()
    assert draft.scenarios == {"S06": 2}


def test_invalid_answers_show_next_to_the_question_and_are_not_saved(world, login, draft):
    c = login(world.users["ent_a"])
    response = c.post(url("fill", draft.pk, 1), section_one_post(F1=["A", "B"], fig_digital_devices="200"))
    body = text(response)
    assert response.status_code == 200
    assert "「无」不能与其他选项同时选择" in body and "不在任何档位内" in body and "本部分有" in body
    assert 'id="q-F1"' in body and "sz-question has-error" in body
    draft.refresh_from_db()
    assert draft.answers == {} and draft.figures == {}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("fig_production_devices", "abc", "请输入数值"), ("fig_production_devices", "-3", "不能小于 0"),
    ("F5", "Z", "Z"), ("F4", ["Q"], "Q"),
])
def test_malformed_input_gets_a_chinese_message_never_a_500(world, login, draft, field, value, message):
    c = login(world.users["ent_a"])
    response = c.post(url("fill", draft.pk, 1), {field: value, "action": "save"})
    assert response.status_code == 200 and message in text(response)


def test_unknown_section_is_404(world, login, draft):
    c = login(world.users["ent_a"])
    assert c.get(url("fill", draft.pk, 99)).status_code == 404
    assert c.get(url("fill", draft.pk, 0)).status_code == 404


def test_live_subtotal_scores_without_saving(world, login, draft):
    c = login(world.users["ent_a"])
    response = c.post(url("subtotal", draft.pk, 1), section_one_post(), HTTP_HX_REQUEST="true")
    body = text(response)
    assert response.status_code == 200 and 'id="subtotal"' in body
    assert "19.85" in body and 'id="band-F2" class="sz-band small mt-2" hx-swap-oob="true"' in body and "45 ÷ 100 × 100 = 45%" in body
    draft.refresh_from_db()
    assert draft.answers == {} and draft.score is None
    bad = text(c.post(url("subtotal", draft.pk, 1), {"F1": ["A", "C"]}, HTTP_HX_REQUEST="true"))
    assert "F1：" in bad and "「无」不能与其他选项同时选择" in bad
    assert c.get(url("subtotal", draft.pk, 1)).status_code == 302


def test_submit_needs_the_pledge_and_lists_what_is_missing(world, login, draft):
    c = login(world.users["ent_a"])
    c.post(url("fill", draft.pk, 1), section_one_post())
    page = text(c.get(url("submit", draft.pk)))
    assert "M1" in page and "必答题未作答" in page and "去填写" in page and services.PLEDGE_TEXT in page
    response = c.post(url("submit", draft.pk), {})
    assert "请阅读并勾选真实性承诺后再提交" in text(response)
    # the check link shows the errors next to the questions of that section
    check = text(c.get(url("fill", draft.pk, 2) + "?check=1"))
    assert "必答题未作答" in check and "has-error" in check
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_complete_submission_shows_score_level_and_explanation(world, login, draft):
    sheet, levels = level_two_sheet()
    services.save_draft(world.users["ent_a"], draft, answers=sheet, figures={}, scenarios=levels)
    c = login(world.users["ent_a"])
    response = c.post(url("submit", draft.pk), {"pledge": "on"})
    assert response.url == url("detail", draft.pk)
    page = text(c.get(response.url))
    assert "二级" in page and 'data-level="2"' in page and "总分 50 分" in page and "正式结果" in page
    assert "距三级" in page  # the explanation names the gap to the next level
    # a submitted sheet can no longer be filled in: the questionnaire sends back to the result
    assert c.get(url("fill", draft.pk, 1)).url == url("detail", draft.pk)
    assert c.post(url("submit", draft.pk), {"pledge": "on"}).url == url("detail", draft.pk)


def test_result_links_the_diagnosis_report(world, login):
    a = submitted(world)
    page = text(login(world.users["ent_a"]).get(url("detail", a.pk)))
    assert f'href="{url("report", a.pk)}"' in page


# --- evidence -------------------------------------------------------------------------------------------


def upload(c, a, name, content, question="F1", htmx=True):
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return c.post(url("evidence_upload", a.pk), {"question": question, "file": SimpleUploadedFile(name, content),
                                                 "back": url("fill", a.pk, 1)}, **extra)


def test_upload_and_download_evidence(world, login, draft):
    c = login(world.users["ent_a"])
    response = upload(c, draft, "网络拓扑.pdf", PDF)
    assert response.status_code == 200 and "网络拓扑.pdf" in text(response)
    ev = Evidence.objects.get()
    assert ev.question == "F1"
    download = c.get(url("evidence", ev.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    assert "网络拓扑.pdf" in text(c.get(url("fill", draft.pk, 1)))
    response = upload(c, draft, "b.pdf", PDF, htmx=False)
    assert response.status_code == 302 and response.url == url("fill", draft.pk, 1)
    response = c.post(url("evidence_delete", ev.pk), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "网络拓扑.pdf" not in text(response)
    assert Evidence.objects.count() == 1


@pytest.mark.parametrize(("name", "content", "message"), [
    ("tool.exe", b"MZ\x00", "不支持的文件类型"),
    ("假的.pdf", b"<html>not a pdf</html>", "内容与扩展名"),
    ("假的.jpg", b"%PDF-1.4", "内容与扩展名"),
])
def test_upload_refuses_wrong_types(world, login, draft, name, content, message):
    response = upload(login(world.users["ent_a"]), draft, name, content)
    assert response.status_code == 200 and message in text(response)
    assert not Evidence.objects.exists()


def test_upload_size_limit(world, login, draft, settings):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 100
    response = upload(login(world.users["ent_a"]), draft, "大.pdf", PDF + b"x" * 200)
    assert "文件过大" in text(response) and not Evidence.objects.exists()


def test_upload_without_a_file(world, login, draft):
    response = login(world.users["ent_a"]).post(url("evidence_upload", draft.pk), {"question": "F1"},
                                                HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "请选择要上传的文件" in text(response)


def test_evidence_is_served_only_within_scope(world, client, draft):
    ev = services.add_evidence(world.users["ent_a"], draft, "F1", SimpleUploadedFile("a.pdf", PDF))
    expected = {"ent_a": 200, "town_a": 200, "city": 200, "ent_b": 404, "town_b": 404, "provider_a": 404,
                "expert": 404, "bank_a": 403}
    for who, status in expected.items():
        client.force_login(world.users[who])
        assert client.get(url("evidence", ev.pk)).status_code == status, who
    # an on-site assignment opens it to the assigned provider
    sheet, levels = level_two_sheet()
    services.save_draft(world.users["ent_a"], draft, answers=sheet, figures={}, scenarios=levels)
    services.submit(world.users["ent_a"], draft, pledge=True)
    services.assign_rater(world.users["town_a"], draft, organisation=world.orgs["provider_a"])
    client.force_login(world.users["provider_a"])
    assert client.get(url("evidence", ev.pk)).status_code == 200
    client.logout()
    assert client.get(url("evidence", ev.pk)).status_code == 302


def test_others_cannot_upload_or_delete(world, client, draft):
    ev = services.add_evidence(world.users["ent_a"], draft, "F1", SimpleUploadedFile("a.pdf", PDF))
    client.force_login(world.users["town_a"])
    assert upload(client, draft, "x.pdf", PDF).status_code == 302
    assert client.post(url("evidence_delete", ev.pk)).status_code == 302
    client.force_login(world.users["ent_b"])
    assert upload(client, draft, "x.pdf", PDF).status_code == 404
    assert client.post(url("evidence_delete", ev.pk)).status_code == 404
    assert Evidence.objects.count() == 1


# --- scope of the pages ---------------------------------------------------------------------------------


def test_pages_of_another_enterprise_are_404(world, client, draft):
    routes = [url("detail", draft.pk), url("fill", draft.pk, 1), url("resume", draft.pk), url("submit", draft.pk),
              url("rate", draft.pk), url("assign", draft.pk)]
    for who in ("ent_b", "town_b", "provider_a", "expert"):
        client.force_login(world.users[who])
        for route in routes:
            assert client.get(route).status_code == 404, (who, route)
            assert client.post(route, {"pledge": "on"}).status_code == 404, (who, route)
    client.force_login(world.users["bank_a"])
    assert client.get(url("detail", draft.pk)).status_code == 403


def test_lists_show_own_scope(world, login):
    a = submitted(world)
    b = services.start_self_assessment(world.users["ent_b"], world.enterprises["b"], Kind.BASELINE)
    assert b.pk != a.pk
    town_a = text(login(world.users["town_a"]).get(url("index")))
    assert "古镇明辉灯饰有限公司" in town_a and "小榄永固五金制品有限公司" not in town_a and "指派评定" in town_a
    city = text(login(world.users["city"]).get(url("index")))
    assert "古镇明辉灯饰有限公司" in city and "小榄永固五金制品有限公司" in city
    unassigned = text(login(world.users["city"]).get(url("index") + "?view=unassigned"))
    assert "古镇明辉灯饰有限公司" in unassigned and "小榄永固五金制品有限公司" not in unassigned
    assert login(world.users["provider_a"]).get(url("index")).status_code == 403
    assert "暂无指派" in text(login(world.users["provider_a"]).get(url("tasks")))


def test_town_officer_opening_the_questionnaire_sees_the_result_page(world, login, draft):
    c = login(world.users["town_a"])
    assert c.get(url("fill", draft.pk, 1)).url == url("detail", draft.pk)
    assert c.post(url("fill", draft.pk, 1), {"F5": "E"}).url == url("detail", draft.pk)
    draft.refresh_from_db()
    assert draft.answers == {}


# --- assignment and on-site rating ------------------------------------------------------------------------


def test_town_officer_assigns_a_provider(world, login):
    a = submitted(world)
    c = login(world.users["town_a"])
    page = text(c.get(url("assign", a.pk)))
    assert "数智云服务商甲" in page and "expert" in page
    assert "二选一" in text(c.post(url("assign", a.pk), {}))
    response = c.post(url("assign", a.pk), {"organisation": world.orgs["provider_a"].pk})
    assert response.url == url("detail", a.pk)
    assert RaterAssignment.objects.get().rater_organisation == world.orgs["provider_a"]
    assert "已指派现场评定" in text(c.get(url("detail", a.pk)))
    # a bank is not a provider: the form refuses it
    assert "选择一个有效的选项" in text(c.post(url("assign", a.pk), {"organisation": world.orgs["bank_a"].pk})) \
        or "Select a valid choice" in text(c.post(url("assign", a.pk), {"organisation": world.orgs["bank_a"].pk}))


def test_a_conflict_is_shown_on_the_form(world, login, monkeypatch):
    a = submitted(world)
    monkeypatch.setattr(services, "rater_conflicts", lambda enterprise, organisation: "签有改造合同")
    page = text(login(world.users["city"]).post(url("assign", a.pk), {"organisation": world.orgs["provider_a"].pk}))
    assert "存在利益冲突，不能指派：签有改造合同" in page and not RaterAssignment.objects.exists()


def test_provider_rates_on_site_changes_answers_and_signs(world, login):
    a = submitted(world)
    services.assign_rater(world.users["town_a"], a, organisation=world.orgs["provider_a"])
    c = login(world.users["provider_a"])
    tasks = text(c.get(url("tasks")))
    assert "古镇明辉灯饰有限公司" in tasks and "待开始" in tasks
    assert "开始现场评定" in text(c.get(url("detail", a.pk)))
    response = c.post(url("onsite_start", a.pk))
    onsite = Assessment.objects.get(source=Source.ONSITE)
    assert response.url == url("rate", onsite.pk)
    page = text(c.get(response.url))
    assert "企业网络建设连接情况" in page and "签署评定结果" in page and "S16" in page
    no_reason = c.post(url("rate", onsite.pk), {"code": "F5", "F5-F5": "C", "F5-reason": ""})
    assert "请填写调整理由" in text(no_reason)
    response = c.post(url("rate", onsite.pk), {"code": "F5", "F5-F5": "C", "F5-reason": "仅采购与财务上线 ERP",
                                               "F5-evidence": SimpleUploadedFile("系统截图.png", b"\x89PNG\r\n\x1a\n....")})
    assert response.status_code == 302
    response = c.post(url("rate", onsite.pk), {"code": "S01", "S01-S01": "1", "S01-reason": "只用 CAD 辅助"})
    assert response.status_code == 302
    bad = c.post(url("rate", onsite.pk), {"code": "F2", "F2-fig_production_devices": "0",
                                          "F2-fig_digital_devices": "5", "F2-reason": "x"})
    assert "分母不能为 0" in text(bad)
    partial = c.post(url("rate", onsite.pk), {"code": "F2", "F2-fig_production_devices": "10", "F2-reason": "x"})
    assert "档位题需填写完整数据" in text(partial)
    assert c.post(url("rate", onsite.pk), {"code": "ZZ"}).status_code == 302
    assert "请勾选确认" in text(c.post(url("sign", onsite.pk), {}, follow=True))
    response = c.post(url("sign", onsite.pk), {"confirm": "on"})
    assert response.url == url("detail", onsite.pk)
    onsite.refresh_from_db()
    assert onsite.status == Status.SIGNED and onsite.level == 1 and set(onsite.changes) == {"F5", "S01"}
    # the enterprise sees the official on-site level, and the difference to its self-assessment
    page = text(login(world.users["ent_a"]).get(url("detail", onsite.pk)))
    assert "与企业自评的差异" in page and "仅采购与财务上线 ERP" in page and "调整了 2 项答案" in page
    assert "系统截图.png" in page and 'id="official-mark"' in page and 'data-level="1"' in page
    self_page = text(login(world.users["ent_a"]).get(url("detail", a.pk)))
    assert "正式等级以现场评定为准" in self_page
    assert "已签署" in text(login(world.users["provider_a"]).get(url("tasks")))


def test_only_the_assigned_rater_may_rate(world, login):
    a = submitted(world)
    assignment = services.assign_rater(world.users["town_a"], a, organisation=world.orgs["provider_a"])
    onsite = services.start_onsite(world.users["provider_a"], assignment)
    # the expert has no assignment: the enterprise is out of scope
    assert login(world.users["expert"]).get(url("rate", onsite.pk)).status_code == 404
    # the enterprise and the town officer see the rating, but may not change it
    for who in ("ent_a", "town_a"):
        c = login(world.users[who])
        assert c.get(url("rate", onsite.pk)).url == url("detail", onsite.pk)
        assert c.post(url("rate", onsite.pk), {"code": "F5", "F5-F5": "A", "F5-reason": "x"}).status_code == 302
        assert c.post(url("sign", onsite.pk), {"confirm": "on"}).url == url("detail", onsite.pk)
    onsite.refresh_from_db()
    assert onsite.changes == {} and onsite.status == Status.DRAFT


def test_an_expert_rates_through_an_assignment(world, login):
    a = submitted(world)
    services.assign_rater(world.users["city"], a, user=world.users["expert"])
    c = login(world.users["expert"])
    assert "古镇明辉灯饰有限公司" in text(c.get(url("tasks")))
    onsite_url = c.post(url("onsite_start", a.pk)).url
    assert c.get(onsite_url).status_code == 200


# --- the profile's history ------------------------------------------------------------------------------


def make_final(world, kind, score_answers, levels, source=Source.SELF, based_on=None):
    from shuzhuan.assessment.results import apply_score

    row = Assessment(enterprise=world.enterprises["a"], kind=kind, source=source, status=Status.SUBMITTED,
                     answers=score_answers, scenarios=levels, based_on=based_on)
    if source == Source.ONSITE:
        row.status = Status.SIGNED
    apply_score(row)
    row.save()
    return row


def profile(c, world):
    return c.get(reverse("registry:detail", args=[world.enterprises["a"].uscc]))


def test_profile_shows_history_and_before_after(world, login):
    make_final(world, Kind.BASELINE, answers(), rated(1, 3, 3))
    make_final(world, Kind.POST, answers(**FULL_F), rated(2, 3, 3))
    page = text(profile(login(world.users["ent_a"]), world))
    assert 'id="assessment-history"' in page and "数字化水平评测" in page
    assert 'id="before-after"' in page and "改造前后对比" in page and "+50" in page
    assert "一级" in page and "二级" in page and "正式结果" in page


def test_profile_without_assessments(world, login):
    page = text(profile(login(world.users["town_a"]), world))
    assert "暂无评测记录" in page and 'id="before-after"' not in page


def test_profile_query_count_does_not_grow_with_assessments(world, login):
    c = login(world.users["town_a"])
    base = make_final(world, Kind.BASELINE, answers(), rated(1, 3, 3))
    make_final(world, Kind.POST, answers(**FULL_F), rated(2, 3, 3))
    with CaptureQueriesContext(connection) as few:
        assert profile(c, world).status_code == 200
    for _ in range(5):
        make_final(world, Kind.PERIODIC, answers(F5="C"), rated(1, 3, 3))
    make_final(world, Kind.BASELINE, answers(F5="E"), rated(2, 3, 3), source=Source.ONSITE, based_on=base)
    with CaptureQueriesContext(connection) as many:
        page = text(profile(c, world))
    assert len(many.captured_queries) == len(few.captured_queries) == 10  # pinned
    assert page.count("定期评测") >= 5
