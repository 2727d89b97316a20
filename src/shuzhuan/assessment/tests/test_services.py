"""Use cases of the questionnaire and the on-site rating: drafts, submission, assignment, rating, audit."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shuzhuan.assessment import services
from shuzhuan.assessment.domain.errors import AssessmentInputError
from shuzhuan.assessment.models import Assessment, Evidence, Kind, RaterAssignment, Source, Status
from shuzhuan.assessment.results import official_assessments
from shuzhuan.assessment.tests.sheets import FULL_F, FULL_M, answers, rated
from shuzhuan.core.models import AuditEntry

PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office(member: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, "<xml/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


def level_two_sheet() -> tuple[dict, dict]:
    """50 (F) + 0 (M) + 0 (R) = 50 points; 6 scenarios at 二级 of which 3 约束性 → 二级."""
    return answers(**FULL_F), rated(2, 3, 3)


def submitted(world, user="ent_a", kind=Kind.BASELINE) -> Assessment:
    ent = world.enterprises["a"]
    a = services.start_self_assessment(world.users[user], ent, kind)
    sheet, levels = level_two_sheet()
    services.save_draft(world.users[user], a, answers=sheet, figures={}, scenarios=levels)
    services.submit(world.users[user], a, pledge=True)
    return a


def timeline(world) -> list[str]:
    return list(AuditEntry.objects.filter(organisation_id=world.enterprises["a"].pk).order_by("at", "id")
                .values_list("action", flat=True))


# --- self-assessment --------------------------------------------------------------------------------


def test_start_creates_one_draft_and_audits_it(world):
    user, ent = world.users["ent_a"], world.enterprises["a"]
    a = services.start_self_assessment(user, ent, Kind.BASELINE)
    assert (a.status, a.source, a.kind, a.version) == (Status.DRAFT, Source.SELF, Kind.BASELINE, "2024.1")
    assert services.start_self_assessment(user, ent, Kind.POST).pk == a.pk  # one draft at a time
    assert timeline(world) == ["assessment.start"]
    with pytest.raises(services.ServiceError):
        services.start_self_assessment(user, world.enterprises["b"], "bogus")


def test_partial_save_merges_sections_and_scores_a_subtotal(world):
    user = world.users["ent_a"]
    a = services.start_self_assessment(user, world.enterprises["a"], Kind.BASELINE)
    result = services.save_draft(user, a, answers={"F1": ["B", "C"], "F5": "C"}, figures={}, scenarios={}, label="基础")
    assert result.level is None and result.score == Decimal("9")
    services.save_draft(user, a, answers={"M1": "B"}, figures={}, scenarios={"S01": 2})
    a.refresh_from_db()
    assert a.answers == {"F1": ["B", "C"], "F5": "C", "M1": "B"} and a.scenarios == {"S01": 2}
    assert a.score == Decimal("10.5") and a.level is None and a.status == Status.DRAFT
    services.save_draft(user, a, answers={"F5": None}, figures={}, scenarios={})  # cleared again
    a.refresh_from_db()
    assert "F5" not in a.answers and a.score == Decimal("5.5")
    # every save is audited, but only the first one goes on the enterprise's timeline (issue 10 item 13)
    assert timeline(world).count("assessment.save") == 1
    from shuzhuan.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="assessment.save", target_id=str(a.pk)).count() == 3


def test_figures_decide_the_band(world):
    user = world.users["ent_a"]
    a = services.start_self_assessment(user, world.enterprises["a"], Kind.BASELINE)
    result = services.save_draft(user, a, answers={}, scenarios={},
                                 figures={"production_devices": Decimal("100"), "digital_devices": Decimal("45"),
                                          "networked_devices": Decimal("20")})
    assert result.choices["F2"] == ("D",) and result.choices["F3"] == ("B",)
    assert result.indicators["F2"] == Decimal("4.5") and result.indicators["F3"] == Decimal("1.5")
    a.refresh_from_db()
    assert a.figures == {"production_devices": "100", "digital_devices": "45", "networked_devices": "20"}


def test_invalid_answers_are_named_and_nothing_is_saved(world):
    user = world.users["ent_a"]
    a = services.start_self_assessment(user, world.enterprises["a"], Kind.BASELINE)
    services.save_draft(user, a, answers={"F5": "C"}, figures={}, scenarios={})
    with pytest.raises(AssessmentInputError) as caught:
        services.save_draft(user, a, answers={"F1": ["A", "B"], "F5": "E"}, scenarios={},
                            figures={"production_devices": "10", "digital_devices": "20"})
    fields = {e.field for e in caught.value.errors}
    assert "answers.F1" in fields and "figures.digital_devices" in fields  # 无 with others; 200 % is no band
    a.refresh_from_db()
    assert a.answers == {"F5": "C"} and a.figures == {}


def test_submit_needs_the_pledge_and_a_complete_sheet(world):
    user = world.users["ent_a"]
    a = services.start_self_assessment(user, world.enterprises["a"], Kind.BASELINE)
    services.save_draft(user, a, answers={"F5": "C"}, figures={}, scenarios={})
    with pytest.raises(AssessmentInputError) as caught:
        services.submit(user, a, pledge=False)
    assert [e.field for e in caught.value.errors] == ["pledge"]
    with pytest.raises(AssessmentInputError) as caught:
        services.submit(user, a, pledge=True)
    errors = {e.field: e.message for e in caught.value.errors}
    assert errors["answers.F1"] == "必答题未作答" and "scenarios.S16" in errors and "answers.F5" not in errors
    a.refresh_from_db()
    assert a.status == Status.DRAFT and a.pledge_accepted_at is None


def test_submit_scores_the_level_and_locks_the_sheet(world):
    a = submitted(world)
    a.refresh_from_db()
    assert (a.status, a.score, a.level) == (Status.SUBMITTED, Decimal("50"), 2)
    assert a.pledge_accepted_at and a.submitted_at
    entry = AuditEntry.objects.get(action="assessment.submit")
    assert entry.organisation_id == world.enterprises["a"].pk and "二级" in entry.summary
    assert entry.reason == services.PLEDGE_TEXT
    with pytest.raises(services.ServiceError):
        services.save_draft(world.users["ent_a"], a, answers={"F5": "A"}, figures={}, scenarios={})


# --- assignment ---------------------------------------------------------------------------------------


def test_officers_assign_within_their_scope_only(world):
    a = submitted(world)
    with pytest.raises(services.ServiceError, match="管辖"):
        services.assign_rater(world.users["town_b"], a, organisation=world.orgs["provider_a"])
    with pytest.raises(services.ServiceError, match="市、镇街"):
        services.assign_rater(world.users["provider_a"], a, organisation=world.orgs["provider_a"])
    with pytest.raises(services.ServiceError, match="服务商"):
        services.assign_rater(world.users["town_a"], a, organisation=world.orgs["bank_a"])
    with pytest.raises(services.ServiceError, match="二选一"):
        services.assign_rater(world.users["town_a"], a)
    with pytest.raises(services.ServiceError, match="专家"):
        services.assign_rater(world.users["town_a"], a, user=world.users["ent_a"])
    assignment = services.assign_rater(world.users["town_a"], a, organisation=world.orgs["provider_a"])
    assert assignment.rater_organisation == world.orgs["provider_a"] and assignment.assigned_by == world.users["town_a"]
    # before the rating starts, the city may assign someone else: the same row changes hands
    again = services.assign_rater(world.users["city"], a, user=world.users["expert"])
    assert again.pk == assignment.pk and again.rater_user == world.users["expert"] and again.rater_organisation is None
    assert timeline(world)[-2:] == ["assessment.assign", "assessment.assign"]


def test_drafts_cannot_be_assigned(world):
    a = services.start_self_assessment(world.users["ent_a"], world.enterprises["a"], Kind.BASELINE)
    with pytest.raises(services.ServiceError, match="已提交"):
        services.assign_rater(world.users["city"], a, organisation=world.orgs["provider_a"])


def test_conflict_of_interest_hook_is_asked_and_can_refuse(world, monkeypatch):
    a = submitted(world)
    asked = []

    def conflicts(enterprise, organisation):
        asked.append((enterprise.pk, organisation.pk))
        return "该服务商与企业签有改造合同"

    monkeypatch.setattr(services, "rater_conflicts", conflicts)
    with pytest.raises(services.ServiceError, match="利益冲突"):
        services.assign_rater(world.users["city"], a, organisation=world.orgs["provider_a"])
    assert asked == [(world.enterprises["a"].pk, world.orgs["provider_a"].pk)]
    assert not RaterAssignment.objects.exists()


def test_the_hook_says_no_conflict_while_no_contracts_exist(world):
    assert services.rater_conflicts(world.enterprises["a"], world.orgs["provider_a"]) is None


# --- on-site rating -----------------------------------------------------------------------------------


def rating(world):
    a = submitted(world)
    assignment = services.assign_rater(world.users["town_a"], a, organisation=world.orgs["provider_a"])
    return a, assignment, services.start_onsite(world.users["provider_a"], assignment)


def test_onsite_starts_from_a_copy_of_the_self_assessment(world):
    a, assignment, onsite = rating(world)
    assert (onsite.source, onsite.status, onsite.based_on_id) == (Source.ONSITE, Status.DRAFT, a.pk)
    assert onsite.rater_organisation == world.orgs["provider_a"] and onsite.kind == a.kind
    assert onsite.answers == a.answers and onsite.scenarios == a.scenarios and onsite.changes == {}
    assert services.start_onsite(world.users["provider_a"], assignment).pk == onsite.pk  # resumes
    with pytest.raises(services.ServiceError, match="不能改派"):
        services.assign_rater(world.users["city"], a, user=world.users["expert"])


def test_each_change_needs_a_reason_and_is_recorded(world):
    a, _assignment, onsite = rating(world)
    user = world.users["provider_a"]
    with pytest.raises(AssessmentInputError) as caught:
        services.change_answer(user, onsite, "F5", value="C", reason="  ")
    assert caught.value.errors[0].field == "reason"
    with pytest.raises(AssessmentInputError):
        services.change_answer(user, onsite, "F5", value=a.answers["F5"], reason="核实无误")  # nothing changes
    services.change_answer(user, onsite, "F5", value="C", reason="ERP 仅覆盖采购与财务")
    services.change_answer(user, onsite, "S01", value=1, reason="仅用 CAD 辅助设计")
    onsite.refresh_from_db()
    assert onsite.changes == {
        "F5": {"from": "E", "to": "C", "reason": "ERP 仅覆盖采购与财务"},
        "S01": {"from": 2, "to": 1, "reason": "仅用 CAD 辅助设计"},
    }
    assert onsite.score == Decimal("45")
    services.change_answer(user, onsite, "F5", value="E", reason="补充材料后确认全覆盖")  # changed back
    onsite.refresh_from_db()
    assert set(onsite.changes) == {"S01"}
    entries = AuditEntry.objects.filter(action="assessment.change").order_by("id")
    assert [e.reason for e in entries] == ["ERP 仅覆盖采购与财务", "仅用 CAD 辅助设计", "补充材料后确认全覆盖"]
    assert entries[0].changes == {"F5": ["E", "C"]} and entries[0].organisation_id == world.enterprises["a"].pk


def test_band_questions_change_through_their_figures(world):
    user = world.users["ent_a"]
    a = services.start_self_assessment(user, world.enterprises["a"], Kind.BASELINE)
    sheet, levels = level_two_sheet()
    sheet.pop("F2"), sheet.pop("F3")
    services.save_draft(user, a, answers=sheet, scenarios=levels,
                        figures={"production_devices": "100", "digital_devices": "80", "networked_devices": "70"})
    services.submit(user, a, pledge=True)
    assignment = services.assign_rater(world.users["city"], a, user=world.users["expert"])
    onsite = services.start_onsite(world.users["expert"], assignment)
    services.change_answer(world.users["expert"], onsite, "F2", figures={"production_devices": "200"},
                           reason="现场清点生产设备 200 台")
    onsite.refresh_from_db()
    # 80/200 = 40 % → C; and the shared denominator moves F3 too: 70/200 = 35 % → C
    assert onsite.changes["F2"]["from"] == "E" and onsite.changes["F2"]["to"] == "C"
    assert onsite.changes["F2"]["figures"] == {"production_devices": ["100", "200"]}
    assert onsite.changes["F3"]["to"] == "C" and onsite.changes["F3"]["reason"] == "现场清点生产设备 200 台"


def test_evidence_may_come_with_a_change(world):
    _a, _assignment, onsite = rating(world)
    upload = SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")
    services.change_answer(world.users["provider_a"], onsite, "F5", value="D", reason="见照片", evidence=upload)
    ev = Evidence.objects.get(assessment=onsite)
    assert ev.question == "F5" and ev.content_type == "image/png" and services.evidence_file(ev).read_bytes() == PNG


def test_signing_makes_the_onsite_rating_official(world):
    a, assignment, onsite = rating(world)
    user = world.users["provider_a"]
    services.change_answer(user, onsite, "S01", value=1, reason="仅用 CAD 辅助设计")
    services.change_answer(user, onsite, "S03", value=1, reason="销售台账仍用电子表格")
    result = services.sign(user, onsite)
    onsite.refresh_from_db()
    assignment.refresh_from_db()
    assert result.level == 1 and (onsite.status, onsite.level, onsite.signed_by) == (Status.SIGNED, 1, user)
    assert assignment.done_at is not None
    assert list(official_assessments().values_list("pk", flat=True)) == [onsite.pk]
    with pytest.raises(services.ServiceError):
        services.change_answer(user, onsite, "F5", value="C", reason="签署后")
    with pytest.raises(services.ServiceError, match="已完成现场评定"):
        services.assign_rater(world.users["city"], a, organisation=world.orgs["provider_a"])
    assert timeline(world) == ["assessment.start", "assessment.save", "assessment.submit", "assessment.assign",
                               "assessment.onsite", "assessment.change", "assessment.change", "assessment.sign"]
    sign_entry = AuditEntry.objects.get(action="assessment.sign")
    assert sign_entry.changes == {"score": ["50", "50"], "level": [2, 1]} and "调整 2 项" in sign_entry.summary


def test_an_incomplete_rating_cannot_be_signed(world):
    _a, _assignment, onsite = rating(world)
    services.change_answer(world.users["provider_a"], onsite, "M1", value="B", reason="x")
    Assessment.objects.filter(pk=onsite.pk).update(scenarios={})
    with pytest.raises(AssessmentInputError):
        services.sign(world.users["provider_a"], onsite)
    onsite.refresh_from_db()
    assert onsite.status == Status.DRAFT


# --- evidence ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content"), [
    ("说明.pdf", PDF), ("照片.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20), ("截图.png", PNG),
    ("制度.docx", office("word/document.xml")), ("台账.xlsx", office("xl/workbook.xml")),
])
def test_accepted_evidence_types(world, name, content, settings):
    a = services.start_self_assessment(world.users["ent_a"], world.enterprises["a"], Kind.BASELINE)
    ev = services.add_evidence(world.users["ent_a"], a, "F1", SimpleUploadedFile(name, content))
    path = services.evidence_file(ev)
    assert path.read_bytes() == content and str(path).startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert ev.name == name and ev.size == len(content)
    assert AuditEntry.objects.filter(action="assessment.evidence", organisation_id=a.enterprise_id).exists()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("病毒.exe", b"MZ\x90\x00", "不支持的文件类型"),
    ("伪装.pdf", b"MZ\x90\x00not a pdf", "内容与扩展名"),
    ("伪装.png", PDF, "内容与扩展名"),
    ("压缩包.docx", office("other.txt"), "内容与扩展名"),
    ("表格.xlsx", office("word/document.xml"), "内容与扩展名"),
    ("坏的.docx", b"PK\x03\x04broken", "内容与扩展名"),
    ("空.pdf", b"", "文件为空"),
])
def test_refused_evidence(world, name, content, message):
    a = services.start_self_assessment(world.users["ent_a"], world.enterprises["a"], Kind.BASELINE)
    with pytest.raises(services.ServiceError, match=message):
        services.add_evidence(world.users["ent_a"], a, "F1", SimpleUploadedFile(name, content))
    assert not Evidence.objects.exists()


def test_evidence_size_limit(world, settings):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 1024
    a = services.start_self_assessment(world.users["ent_a"], world.enterprises["a"], Kind.BASELINE)
    with pytest.raises(services.ServiceError, match="文件过大"):
        services.add_evidence(world.users["ent_a"], a, "F1", SimpleUploadedFile("大.pdf", PDF + b"0" * 2000))


def test_no_evidence_changes_after_submission(world):
    a = services.start_self_assessment(world.users["ent_a"], world.enterprises["a"], Kind.BASELINE)
    ev = services.add_evidence(world.users["ent_a"], a, "F1", SimpleUploadedFile("a.pdf", PDF))
    sheet, levels = level_two_sheet()
    services.save_draft(world.users["ent_a"], a, answers=sheet, figures={}, scenarios=levels)
    services.submit(world.users["ent_a"], a, pledge=True)
    with pytest.raises(services.ServiceError):
        services.add_evidence(world.users["ent_a"], a, "F1", SimpleUploadedFile("b.pdf", PDF))
    with pytest.raises(services.ServiceError):
        services.delete_evidence(world.users["ent_a"], ev)


def test_full_marks_reach_the_expected_level(world):
    """A sanity check that the service scores through the shared scorer: 80 points + scenarios → 四级."""
    user = world.users["ent_a"]
    a = services.start_self_assessment(user, world.enterprises["a"], Kind.POST)
    services.save_draft(user, a, answers=answers(**FULL_F, **FULL_M), figures={}, scenarios=rated(4, 6, 4))
    result = services.submit(user, a, pledge=True)
    assert (result.score, result.level) == (Decimal("80"), 4)


def test_a_registered_rater_rule_refuses_assignment_and_signing(world, monkeypatch):
    """Issue 10 item 4: the rules apps register (the marketplace: only providers in the pool) are asked
    when assigning and again when signing; the form lists only the organisations they allow."""
    from django.db.models import Q

    refused = world.orgs["provider_a"]
    monkeypatch.setattr(services, "_RATER_RULES", [])
    services.register_rater_rule(lambda org: "已出池" if org == refused else None, ~Q(pk=refused.pk))
    a = submitted(world)
    with pytest.raises(services.ServiceError, match="已出池"):
        services.assign_rater(world.users["city"], a, organisation=refused)
    assert refused not in services.rater_choices() and world.orgs["provider_b"] in services.rater_choices()
    assignment = services.assign_rater(world.users["city"], a, organisation=world.orgs["provider_b"])
    onsite = services.start_onsite(world.users["city"], assignment)
    monkeypatch.setattr(services, "_RATER_RULES", [])
    services.register_rater_rule(lambda org: "已出池" if org == world.orgs["provider_b"] else None)
    with pytest.raises(services.ServiceError, match="不能签署：已出池"):
        services.sign(world.users["city"], onsite)
