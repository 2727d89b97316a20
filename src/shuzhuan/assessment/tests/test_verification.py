"""The city marks an indicator set verified against a named document: stored, audited, and the
diagnosis report states the document instead of the "unverified" note."""

from __future__ import annotations

import pytest

from shuzhuan.assessment import indicator_sets, reports, verification
from shuzhuan.assessment.models import IndicatorSetVerification
from shuzhuan.assessment.tests.test_reports import make_assessment
from shuzhuan.core.models import AuditEntry

pytestmark = pytest.mark.django_db

DOC = "工业和信息化部办公厅关于印发中小企业数字化水平评测指标（2024年版）的通知"


def test_report_says_unverified_until_the_city_names_the_document(world, login):
    s = indicator_sets.load("miit-2024")
    assert s.level_rule.unverified  # the data file says the rule came from secondary sources
    a = make_assessment(world.enterprises["a"])
    before = reports.report_data(a)
    assert any("尚未对照工信部正式文件核实" in n for n in before.notes)

    c = login(world.users["city"])
    response = c.post("/assessment/indicator-sets/", {"indicator_set": "miit-2024", "document": DOC, "article": "附件1"})
    assert response.status_code == 302
    row = IndicatorSetVerification.objects.get()
    assert (row.indicator_set, row.version, row.verified_by) == ("miit-2024", s.version, world.users["city"])
    entry = AuditEntry.objects.get(action="assessment.indicator_set_verified")
    assert DOC in entry.summary and entry.actor == world.users["city"]

    after = reports.report_data(a)
    assert not any("尚未" in n for n in after.notes)
    assert any(DOC in n and "附件1" in n for n in after.notes)
    assert not any("二手资料" in line for line in after.explanation)
    page = c.get(f"/assessment/reports/{a.pk}/").content.decode()
    assert DOC in page and "尚未对照工信部正式文件核实" not in page


def test_only_the_city_verifies_and_a_document_is_required(world, login):
    assert login(world.users["town_a"]).get("/assessment/indicator-sets/").status_code == 403
    with pytest.raises(verification.VerificationError):
        verification.verify(world.users["town_a"], "miit-2024", DOC)
    response = login(world.users["city"]).post("/assessment/indicator-sets/", {"indicator_set": "miit-2024", "document": " "})
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    with pytest.raises(verification.VerificationError, match="请填写"):
        verification.verify(world.users["city"], "miit-2024", "文件")
    response = login(world.users["city"]).post("/assessment/indicator-sets/", {"indicator_set": "../etc", "document": DOC})
    assert response.status_code == 400
    assert not IndicatorSetVerification.objects.exists()


def test_a_new_version_of_the_data_file_needs_a_new_verification(world):
    s = indicator_sets.load("miit-2024")
    IndicatorSetVerification.objects.create(indicator_set="miit-2024", version="older", document=DOC)
    assert verification.current(s) is None
    assert "尚未" in verification.rule_note(s)
