"""The diagnosis report (诊断报告) of one assessment: its content as data, and its PDF and DOCX renderings.

`report_data(assessment)` builds everything the report says — header, total and level, second-level
subtotals (the radar), the scenario grid, strengths, the precise gap to the next level, recommended
scenarios, on-site changes, the scorer's explanation — from the stored result and the indicator
set it was scored with. The web page, the PDF (WeasyPrint) and the DOCX (python-docx) all render
this one object. Charts for PDF and DOCX are drawn here as SVG and turned into PNG with cairosvg
(ECharts runs only in the browser).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.template.loader import render_to_string
from django.utils import timezone

from shuzhuan.assessment import indicator_sets
from shuzhuan.assessment import rules as assessment_rules
from shuzhuan.assessment.domain import levels as lv
from shuzhuan.assessment.domain.errors import AssessmentInputError
from shuzhuan.assessment.domain.model import MILLI, IndicatorSet, format_points
from shuzhuan.assessment.domain.scoring import score
from shuzhuan.assessment.models import Assessment, Source

FONT = "Noto Sans CJK SC"  # Debian fonts-noto-cjk: WeasyPrint and cairosvg find it through fontconfig
DOCX_BODY_FONT, DOCX_HEADING_FONT = "宋体", "黑体"  # what Word on a government PC has; LibreOffice maps them
# Scenario levels 0–4: background and text colour. Always shown with the level's words, never colour alone.
LEVEL_COLOURS = {0: ("#eceff3", "#333333"), 1: ("#d6e6f7", "#17324f"), 2: ("#a9c9ee", "#0d2740"),
                 3: ("#5b93d6", "#ffffff"), 4: ("#0b4f9c", "#ffffff")}
# a second-level indicator at ≥ 60 % of its points counts as a strength (data/rules/statistics.yaml)
STRENGTH_SHARE = assessment_rules.rules().strength_share


@dataclass(frozen=True)
class Bar:
    code: str
    name: str
    points: Decimal
    maximum: Decimal

    @property
    def share(self) -> Decimal:
        return self.points / self.maximum if self.maximum else Decimal(0)

    @property
    def percent(self) -> int:
        return int((self.share * 100).to_integral_value())

    @property
    def points_text(self) -> str:
        return format_points(_milli(self.points))

    @property
    def maximum_text(self) -> str:
        return format_points(_milli(self.maximum))

    @property
    def room(self) -> Decimal:
        return self.maximum - self.points


@dataclass(frozen=True)
class ScenarioCell:
    code: str
    name: str
    group: str
    mandatory: bool
    level: int | None
    label: str
    description: str
    background: str
    colour: str


@dataclass(frozen=True)
class Recommendation:
    code: str
    name: str
    mandatory: bool
    current: str
    target: str
    description: str
    reason: str


@dataclass(frozen=True)
class Change:
    code: str
    label: str
    before: str
    after: str
    reason: str


@dataclass
class Report:
    assessment: Assessment
    enterprise: dict[str, str]
    facts: list[tuple[str, str]]
    set_title: str
    version: str
    score: Decimal | None
    max_score: Decimal
    level: int | None
    level_name: str
    level_title: str
    result_only: bool
    dimensions: list[Bar] = field(default_factory=list)
    second_levels: list[Bar] = field(default_factory=list)
    scenarios: list[ScenarioCell] = field(default_factory=list)
    strengths: list[str] = field(default_factory=list)
    gap: list[str] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    improvements: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    self_assessment: dict[str, Any] | None = None
    explanation: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    generated_at: Any = None

    @property
    def level_words(self) -> str:
        if self.level is None:
            return "未评定"
        return f"{self.level_name}（{self.level_title}）" if self.level_title else self.level_name

    @property
    def score_text(self) -> str:
        return format_points(_milli(self.score)) if self.score is not None else "—"

    @property
    def title(self) -> str:
        return f"{self.enterprise['name']} 数字化水平诊断报告"

    def radar_json(self) -> dict[str, Any]:
        return {
            "indicators": [{"name": b.name, "max": float(b.maximum)} for b in self.second_levels],
            "values": [float(b.points) for b in self.second_levels],
        }

    def grid_json(self) -> dict[str, Any]:
        return {
            "codes": [f"{s.code}{'★' if s.mandatory else ''}" for s in self.scenarios],
            "names": [s.name for s in self.scenarios],
            "levels": [s.level for s in self.scenarios],
            "labels": [s.label for s in self.scenarios],
        }


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def _milli(value: Decimal) -> int:
    return int(value * MILLI)


def _letters(value: Any) -> str:
    if value is None or value == "":
        return "（未答）"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _enterprise(assessment: Assessment) -> dict[str, str]:
    ent = assessment.enterprise
    industry = f"{ent.industry_id} {ent.industry.name}" if ent.industry_id else "—"
    return {
        "name": ent.organisation.name, "uscc": ent.organisation.uscc, "town": str(ent.town), "industry": industry,
        "size": ent.get_size_class_display() or "—", "above_scale": "规模以上" if ent.above_scale else "规模以下",
    }


def _scenario_levels(assessment: Assessment, indicator_set: IndicatorSet) -> dict[str, int]:
    levels = {}
    for s in indicator_set.scenarios:
        raw = (assessment.scenarios or {}).get(s.code)
        if isinstance(raw, int) and not isinstance(raw, bool):
            levels[s.code] = raw
    return levels


def _explanation(assessment: Assessment, indicator_set: IndicatorSet) -> list[str]:
    """The scorer's own words: stored ones, or the sheet scored again (rows written by the batch engine)."""
    if assessment.explanation:
        return [str(line) for line in assessment.explanation]
    if assessment.source == Source.RESULT_ONLY or not indicator_set.questions or not assessment.answers:
        return []
    try:
        result = score(indicator_set, assessment.answers, assessment.scenarios or {}, figures=assessment.figures or None,
                       kind=assessment.kind)
    except AssessmentInputError:
        return []
    return list(result.explanation)


def _gap(indicator_set: IndicatorSet, level: int, gate: int, levels: dict[str, int], result_only: bool) -> tuple[list[str], lv.Gap | None]:
    following = indicator_set.level_rule.requirement(level + 1)
    if following is None:
        return [f"已达到最高等级{indicator_set.level_name(level)}，保持各场景水平即可"], None
    g = lv.gap(indicator_set, following, gate, levels)
    if result_only and indicator_set.level_rule.needs_scenarios:
        lines = []
        if g.points:
            lines.append(f"距{following.name}：{lv.gate_label(indicator_set)}需再提高 {format_points(g.points)} 分")
        lines.append(
            f"该记录只有总分和等级（来自外部系统），没有场景等级：{following.name}还要求至少 {following.min_scenarios} 个场景达到"
            f"{indicator_set.level_name(following.scenario_level)}（其中约束性 {following.min_mandatory} 个），请以完整答卷评测后再诊断"
        )
        return lines, None
    lines = [lv.describe_gap(indicator_set, g)] if not g.closed else []
    req = f"{following.name}的条件：{lv.describe_requirement(indicator_set, following, gate, levels)}"
    return lines + [req], g


def _recommend(indicator_set: IndicatorSet, levels: dict[str, int], level: int, g: lv.Gap | None) -> list[Recommendation]:
    """Mandatory scenarios that unlock the next level first, then the cheapest gaps (fewest levels to climb)."""
    if g is None or not g.scenarios:
        return []
    req = indicator_set.level_rule.requirement(g.level)
    assert req is not None
    target = req.scenario_level
    below = [s for s in indicator_set.scenarios if levels.get(s.code, 0) < target]
    below.sort(key=lambda s: (target - levels.get(s.code, 0), s.code))
    chosen = [s for s in below if s.mandatory][: g.mandatory]
    rest = [s for s in below if s not in chosen][: max(0, g.scenarios - len(chosen))]
    label = indicator_set.scenario_level_labels
    result = []
    for s in chosen + rest:
        current = levels.get(s.code, 0)
        steps = target - current
        if s in chosen:
            reason = f"约束性场景：{req.name}要求至少 {req.min_mandatory} 个约束性场景达到{label.get(target, target)}"
        else:
            reason = f"差距最小：只需提升 {steps} 级"
        if s in chosen and steps == 1:
            reason += "，只需提升 1 级"
        result.append(Recommendation(
            s.code, s.name, s.mandatory, label.get(current, str(current)), label.get(target, str(target)),
            s.levels.get(target, ""), reason,
        ))
    return result


def _changes(assessment: Assessment, indicator_set: IndicatorSet) -> list[Change]:
    result = []
    for code, change in sorted((assessment.changes or {}).items()):
        if not isinstance(change, dict):
            continue
        question, scenario = indicator_set.question(code), indicator_set.scenario(code)
        label = question.text if question else scenario.name if scenario else code
        if scenario is not None:
            labels = indicator_set.scenario_level_labels
            before = labels.get(change.get("from"), _letters(change.get("from")))
            after = labels.get(change.get("to"), _letters(change.get("to")))
        else:
            before, after = _letters(change.get("from")), _letters(change.get("to"))
        result.append(Change(code, label, before, after, str(change.get("reason", ""))))
    return result


def report_data(assessment: Assessment) -> Report:
    """Everything the diagnosis report says about one (final) assessment."""
    indicator_set = indicator_sets.load(assessment.indicator_set)
    result_only = assessment.source == Source.RESULT_ONLY or not indicator_set.questions
    level = assessment.level
    req = indicator_set.level_rule.requirement(level) if level else None
    report = Report(
        assessment=assessment, enterprise=_enterprise(assessment),
        facts=[
            ("评测类型", assessment.get_kind_display()), ("来源", assessment.get_source_display()),
            ("状态", assessment.get_status_display()), ("评测日期", assessment.assessed_on.isoformat()),
        ],
        set_title=indicator_set.title, version=assessment.version or indicator_set.version, score=assessment.score,
        max_score=Decimal(format_points(indicator_set.max_points)), level=level,
        level_name=indicator_set.level_name(level) if level is not None else "",
        level_title=req.title if req else (indicator_set.level_name(0) if level == 0 else ""), result_only=result_only,
        generated_at=timezone.localtime(),
    )
    if assessment.rater_organisation_id:
        report.facts.append(("评定机构", assessment.rater_organisation.name))
    if assessment.version and assessment.version != indicator_set.version:
        report.notes.append(f"本结果按指标体系 {assessment.version} 版计算；当前数据文件为 {indicator_set.version} 版，差距与建议按当前版本给出")
    from shuzhuan.assessment.verification import rule_note

    note = rule_note(indicator_set)  # the verifying document once the city has named one, else the warning
    if note:
        report.notes.append(note)
    dims, seconds = assessment.dimensions or {}, assessment.second_levels or {}
    report.dimensions = [
        Bar(d.code, d.name, _decimal(dims.get(d.code)), Decimal(format_points(d.points))) for d in indicator_set.dimensions
    ]
    report.second_levels = [
        Bar(s.code, s.name, _decimal(seconds.get(s.code)), Decimal(format_points(s.points))) for s in indicator_set.second_levels
    ] if not result_only else []
    levels = _scenario_levels(assessment, indicator_set)
    labels = indicator_set.scenario_level_labels
    if not result_only:
        for s in indicator_set.scenarios:
            at = levels.get(s.code)
            background, colour = LEVEL_COLOURS.get(at if at is not None else 0, LEVEL_COLOURS[0])
            report.scenarios.append(ScenarioCell(
                s.code, s.name, s.group, s.mandatory, at, labels.get(at, "未填") if at is not None else "未填",
                s.levels.get(at, "") if at else "未实施", background, colour,
            ))
    report.strengths = _strengths(report)
    if level is not None and assessment.score is not None:
        gate_dims = indicator_set.level_rule.score_dimensions
        gate = sum(_milli(_decimal(dims.get(d))) for d in gate_dims) if gate_dims and dims else _milli(assessment.score)
        report.gap, g = _gap(indicator_set, level, gate, levels, result_only)
        report.recommendations = _recommend(indicator_set, levels, level, g)
        if g is not None and g.points:
            worst = sorted(report.second_levels, key=lambda b: (-b.room, b.code))[:3]
            report.improvements = [
                f"{b.name}：{format_points(_milli(b.points))}/{format_points(_milli(b.maximum))} 分，还有 {format_points(_milli(b.room))} 分提升空间"
                for b in worst if b.room > 0
            ]
    report.explanation = _explanation(assessment, indicator_set)
    if note and not note.startswith("等级规则取自二手资料"):  # verified: the scorer's stored caveat is answered
        report.explanation = [line for line in report.explanation if "等级规则取自二手资料" not in line]
    if result_only and not report.explanation and assessment.score is not None:
        report.explanation = [
            f"仅有结果的记录：总分 {format_points(_milli(assessment.score))} 分，等级 {report.level_words}（{assessment.get_source_display()}，未附答卷）"
        ]
    report.changes = _changes(assessment, indicator_set)
    base = assessment.based_on
    if assessment.source == Source.ONSITE and base is not None:
        report.self_assessment = {
            "score": base.score, "level": indicator_set.level_name(base.level) if base.level is not None else "未评定",
            "assessed_on": base.assessed_on, "score_delta": (assessment.score - base.score)
            if assessment.score is not None and base.score is not None else None,
        }
        s = report.self_assessment
        s["score_text"] = format_points(_milli(s["score"])) if s["score"] is not None else "—"
        delta = s["score_delta"]
        s["delta_text"] = (("+" if delta > 0 else "") + format_points(_milli(delta))) if delta is not None else ""
    return report


def _strengths(report: Report) -> list[str]:
    lines = []
    best = sorted((b for b in report.second_levels if b.points and b.share >= STRENGTH_SHARE),
                  key=lambda b: (-b.share, -b.points, b.code))[:3]
    for b in best:
        lines.append(f"{b.name} {format_points(_milli(b.points))}/{format_points(_milli(b.maximum))} 分（{b.percent}%）")
    rated = [s for s in report.scenarios if s.level]
    if rated:
        top = max(s.level or 0 for s in rated)
        if top >= 2:
            names = "、".join(f"{s.name}{'（约束性）' if s.mandatory else ''}" for s in rated if s.level == top)
            label = next(s.label for s in rated if s.level == top)
            lines.append(f"场景达到{label}：{names}")
    return lines


# --- charts: SVG drawn here, PNG through cairosvg -------------------------------------------------------


def radar_svg(report: Report, size: int = 520) -> str:
    """The second-level indicators as a radar: each axis is points ÷ maximum, labelled with both."""
    bars = report.second_levels
    n = len(bars)
    cx, cy, radius = size / 2, size / 2 + 6, size * 0.32
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
             f'font-family="{FONT}" font-size="13">', f'<rect width="{size}" height="{size}" fill="#ffffff"/>']
    if n < 3:
        parts.append(f'<text x="{cx}" y="{cy}" text-anchor="middle" fill="#667">无二级指标数据</text></svg>')
        return "".join(parts)

    def point(i: int, r: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    for ring in (0.2, 0.4, 0.6, 0.8, 1.0):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, radius * ring) for i in range(n)))
        parts.append(f'<polygon points="{pts}" fill="none" stroke="#d5dbe3" stroke-width="1"/>')
    for i, bar in enumerate(bars):
        x, y = point(i, radius)
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#d5dbe3"/>')
        lx, ly = point(i, radius + 34)
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        parts.append(f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" fill="#222">{escape(bar.name)}</text>')
        detail = f"{format_points(_milli(bar.points))}/{format_points(_milli(bar.maximum))}"
        parts.append(f'<text x="{lx:.1f}" y="{ly + 16:.1f}" text-anchor="{anchor}" fill="#555" font-size="11">{detail}</text>')
    values = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, radius * float(b.share)) for i, b in enumerate(bars)))
    parts.append(f'<polygon points="{values}" fill="#0b4f9c" fill-opacity="0.25" stroke="#0b4f9c" stroke-width="2"/>')
    for i, b in enumerate(bars):
        x, y = point(i, radius * float(b.share))
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#0b4f9c"/>')
    for ring in (0.2, 0.6, 1.0):
        parts.append(f'<text x="{cx + 3:.1f}" y="{cy - radius * ring - 2:.1f}" fill="#99a" font-size="10">{int(ring * 100)}%</text>')
    parts.append("</svg>")
    return "".join(parts)


def svg_png(svg: str, scale: float = 2.0) -> bytes:
    import cairosvg

    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale)


def png_data_uri(png: bytes) -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# --- PDF ------------------------------------------------------------------------------------------------


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    radar = png_data_uri(svg_png(radar_svg(report))) if report.second_levels else ""
    footer = "".join(ch for ch in report.enterprise["name"] if ch not in '"\\<>&')
    html = render_to_string("assessment/pdf/report.html", {"report": report, "radar": radar, "font": FONT, "footer": footer})
    return HTML(string=html).write_pdf()


# --- DOCX -----------------------------------------------------------------------------------------------


def _east_asian(rpr_owner: Any, name: str) -> None:
    """Set the East Asian font on a style or run: w:rFonts/@w:eastAsia, theme fonts removed (they would win)."""
    from docx.oxml.ns import qn

    rpr = rpr_owner._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), name)
    fonts.set(qn("w:hAnsi"), name)


def _shade(cell: Any, colour: str) -> None:
    from docx.oxml.ns import qn

    tcpr = cell._tc.get_or_add_tcPr()
    shd = tcpr.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): colour.lstrip("#")})
    tcpr.append(shd)


def _run(paragraph: Any, text: str, bold: bool = False, colour: str | None = None, size: float | None = None) -> Any:
    from docx.shared import Pt, RGBColor

    run = paragraph.add_run(text)
    run.bold = bold
    _east_asian(run, DOCX_BODY_FONT)
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour.lstrip("#").upper())
    if size:
        run.font.size = Pt(size)
    return run


def _table(document: Any, header: list[str], rows: list[list[str]]) -> Any:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _run(cell.paragraphs[0], text, bold=True)
        _shade(cell, "#eef4fc")
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = ""
            _run(cell.paragraphs[0], text)
    return table


def _heading(document: Any, text: str, level: int) -> Any:
    heading = document.add_heading(text, level=level)
    for run in heading.runs:
        _east_asian(run, DOCX_HEADING_FONT)
    return heading


def render_docx(report: Report) -> bytes:
    from docx import Document
    from docx.shared import Cm, Pt

    document = Document()
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        style = document.styles[style_name]
        _east_asian(style, DOCX_HEADING_FONT if style_name.startswith(("Heading", "Title")) else DOCX_BODY_FONT)
    document.styles["Normal"].font.size = Pt(10.5)
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2)

    _heading(document, report.title, 0)
    p = document.add_paragraph()
    e = report.enterprise
    _run(p, f"统一社会信用代码 {e['uscc']} · {e['town']} · {e['industry']} · {e['size']} · {e['above_scale']}")
    p = document.add_paragraph()
    _run(p, " · ".join(f"{k}：{v}" for k, v in report.facts))
    p = document.add_paragraph()
    _run(p, f"指标体系：{report.set_title}（{report.version} 版）")

    _heading(document, "一、总分与等级", 1)
    p = document.add_paragraph()
    score_text = format_points(_milli(report.score)) if report.score is not None else "—"
    _run(p, f"总分 {score_text} / {format_points(_milli(report.max_score))} 分，等级：", size=12)
    _run(p, report.level_words, bold=True, colour="#0b4f9c", size=12)
    if report.dimensions:
        _table(document, ["维度", "得分", "满分", "得分率"],
               [[b.name, format_points(_milli(b.points)), format_points(_milli(b.maximum)), f"{b.percent}%"] for b in report.dimensions])
    for note in report.notes:
        _run(document.add_paragraph(), f"注：{note}", colour="#666666", size=9)

    if report.second_levels:
        _heading(document, "二、二级指标得分（雷达图）", 1)
        document.add_picture(io.BytesIO(svg_png(radar_svg(report))), width=Cm(11))
        _table(document, ["二级指标", "得分", "满分", "得分率"],
               [[b.name, format_points(_milli(b.points)), format_points(_milli(b.maximum)), f"{b.percent}%"] for b in report.second_levels])

    if report.scenarios:
        _heading(document, "三、数字化经营场景（★ 为约束性场景）", 1)
        table = document.add_table(rows=0, cols=4)
        table.style = "Table Grid"
        for start in range(0, len(report.scenarios), 4):
            cells = table.add_row().cells
            for cell, s in zip(cells, report.scenarios[start:start + 4], strict=False):
                cell.text = ""
                _run(cell.paragraphs[0], f"{s.code}{'★' if s.mandatory else ''} {s.name}", bold=True, colour=s.colour)
                _run(cell.add_paragraph(), s.label, colour=s.colour)
                _shade(cell, s.background)

    _heading(document, "四、优势", 1)
    for line in report.strengths or ["暂无突出优势项"]:
        _run(document.add_paragraph(style="List Bullet"), line)
    _heading(document, "五、距下一等级的差距", 1)
    for line in report.gap or ["—"]:
        _run(document.add_paragraph(style="List Bullet"), line)
    for line in report.improvements:
        _run(document.add_paragraph(style="List Bullet"), line)
    if report.recommendations:
        _heading(document, "六、建议优先提升的场景", 1)
        _table(document, ["场景", "当前", "目标", "理由", "目标等级的要求"],
               [[f"{r.code}{'★' if r.mandatory else ''} {r.name}", r.current, r.target, r.reason, r.description]
                for r in report.recommendations])
    if report.changes or report.self_assessment:
        _heading(document, "七、现场评定相对自评的调整", 1)
        if report.self_assessment:
            s = report.self_assessment
            base = format_points(_milli(s["score"])) if s["score"] is not None else "—"
            _run(document.add_paragraph(), f"自评（{s['assessed_on']}）：{base} 分，{s['level']}；现场评定：{score_text} 分，{report.level_words}")
        if report.changes:
            _table(document, ["题号", "内容", "自评", "评定", "理由"],
                   [[c.code, c.label, c.before, c.after, c.reason] for c in report.changes])
    if report.explanation:
        _heading(document, "附：计分说明", 1)
        for line in report.explanation:
            _run(document.add_paragraph(), line, size=9)
    p = document.add_paragraph()
    _run(p, f"生成时间 {report.generated_at:%Y-%m-%d %H:%M}", colour="#888888", size=8)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
