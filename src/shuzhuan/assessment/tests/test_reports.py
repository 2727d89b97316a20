"""Diagnosis report: content as data, web page, PDF (Chinese text rendered) and DOCX; scope."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse

from shuzhuan.assessment import reports
from shuzhuan.assessment.models import Assessment, Kind, RaterAssignment, Source, Status
from shuzhuan.assessment.results import apply_score
from shuzhuan.assessment.tests.sheets import answers, full_answers, rated

# 二级 sheet: 43.625 points; six scenarios at 二级 of which three mandatory → 二级
MID = answers(F1=["B", "C"], F2="C", F3="C", F4=["B", "C", "D", "E", "F"], F5="C", F6=["B", "C"], F7=["B", "C"],
              M1="D", M2=["B", "C"], M3=["B", "C"], M4="B", R1="B", R2="B")


def make_assessment(ent, *, answers_=None, scenarios_=None, source=Source.SELF, status=Status.SUBMITTED, **extra):
    a = Assessment(enterprise=ent, kind=Kind.BASELINE, source=source, status=status,
                   answers=answers_ if answers_ is not None else MID,
                   scenarios=scenarios_ if scenarios_ is not None else rated(2, 3, 3, base=1), **extra)
    apply_score(a)
    a.save()
    return a


@pytest.fixture
def assessed(world):
    return {"a": make_assessment(world.enterprises["a"]), "b": make_assessment(world.enterprises["b"])}


def test_report_data_level_gap_and_recommendations(assessed):
    data = reports.report_data(assessed["a"])
    assert data.level == 2 and data.level_words == "二级（规范级）"
    assert data.score == Decimal("43.625")
    assert [b.name for b in data.second_levels][:2] == ["设备系统", "数据采集"]
    assert len(data.scenarios) == 16 and sum(s.mandatory for s in data.scenarios) == 10
    # 三级 needs 60 points and 8 scenarios at 三级 (5 mandatory): the gap in the scorer's words
    assert data.gap[0] == "距三级：基础 + 管理 + 成效 得分需再提高 16.375 分；还差 8 个场景达到三级，其中至少 5 个约束性场景"
    first = data.recommendations[:5]
    assert all(r.mandatory for r in first) and len(data.recommendations) == 8
    # mandatory ones that are closest (二级 → 三级) come before those at 一级
    assert first[0].current == "二级" and first[0].target == "三级"
    assert data.improvements and "提升空间" in data.improvements[0]
    assert any("计分" in line or "总分" in line for line in data.explanation)


def test_top_level_and_result_only(world):
    top = make_assessment(world.enterprises["a"], answers_=full_answers(), scenarios_=rated(4, 10, 6))
    data = reports.report_data(top)
    assert data.level == 4 and data.recommendations == [] and "已达到最高等级" in data.gap[0]
    only = Assessment.objects.create(enterprise=world.enterprises["b"], source=Source.RESULT_ONLY, status=Status.SUBMITTED,
                                     score=Decimal("45"), level=2, version="2024.1")
    data = reports.report_data(only)
    assert data.result_only and not data.scenarios and data.level_words.startswith("二级")
    assert "没有场景等级" in " ".join(data.gap)


def test_onsite_changes_are_listed(world, assessed):
    base = assessed["a"]
    rating = make_assessment(world.enterprises["a"], answers_={**MID, "F5": "B"}, source=Source.ONSITE, status=Status.SIGNED,
                             based_on=base, changes={"F5": {"from": "C", "to": "B", "reason": "现场仅见单个业务环节"}})
    data = reports.report_data(rating)
    assert data.changes[0].code == "F5" and data.changes[0].reason == "现场仅见单个业务环节"
    assert data.self_assessment["score_delta"] == Decimal("-2.5")


def test_web_page_shows_report(login, world, assessed):
    c = login(world.users["town_a"])
    response = c.get(reverse("assessment:report", args=[assessed["a"].pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "数字化水平诊断报告" in text and "二级（规范级）" in text and "echarts.min.js" in text
    assert 'id="radar-data"' in text and "距三级" in text


def test_scope_town_and_provider(login, world, assessed):
    c = login(world.users["town_a"])
    assert c.get(reverse("assessment:report", args=[assessed["b"].pk])).status_code == 404
    assert c.get(reverse("assessment:report_pdf", args=[assessed["b"].pk])).status_code == 404
    provider = login(world.users["provider_a"])
    assert provider.get(reverse("assessment:report", args=[assessed["a"].pk])).status_code == 404
    RaterAssignment.objects.create(enterprise=world.enterprises["a"], assessment=assessed["a"],
                                   rater_organisation=world.orgs["provider_a"])
    assert provider.get(reverse("assessment:report", args=[assessed["a"].pk])).status_code == 200
    assert provider.get(reverse("assessment:report", args=[assessed["b"].pk])).status_code == 404
    ent = login(world.users["ent_b"])
    assert ent.get(reverse("assessment:report", args=[assessed["b"].pk])).status_code == 200
    assert ent.get(reverse("assessment:report", args=[assessed["a"].pk])).status_code == 404


def test_draft_has_no_report(login, world):
    draft = Assessment.objects.create(enterprise=world.enterprises["a"], status=Status.DRAFT)
    assert login(world.users["city"]).get(reverse("assessment:report", args=[draft.pk])).status_code == 404


def test_radar_svg_renders_to_png(assessed):
    svg = reports.radar_svg(reports.report_data(assessed["a"]))
    assert svg.startswith("<svg") and "设备系统" in svg
    assert reports.svg_png(svg).startswith(b"\x89PNG")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed (make system-deps)")
def test_pdf_renders_chinese(login, world, assessed, tmp_path):
    response = login(world.users["city"]).get(reverse("assessment:report_pdf", args=[assessed["a"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    assert response.content.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    for words in ("古镇明辉灯饰有限公司", "数字化水平诊断报告", "二级（规范级）", "距三级", "建议优先提升的场景"):
        assert words in text
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page*.png"))


def test_docx_has_chinese_headings_with_east_asian_font(login, world, assessed):
    from docx import Document
    from docx.oxml.ns import qn

    response = login(world.users["city"]).get(reverse("assessment:report_docx", args=[assessed["a"].pk]))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert "古镇明辉灯饰有限公司 数字化水平诊断报告" in headings
    assert "一、总分与等级" in headings and "六、建议优先提升的场景" in headings
    fonts = document.styles["Heading 1"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == reports.DOCX_HEADING_FONT
    run = next(r for p in document.paragraphs if p.style.name == "Normal" for r in p.runs if "等级" in r.text)
    assert run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == reports.DOCX_BODY_FONT
    assert len(document.inline_shapes) == 1  # the radar chart
