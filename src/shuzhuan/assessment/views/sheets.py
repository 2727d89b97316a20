"""Pages: the enterprise's questionnaire, results, rater assignment and the on-site rating.

Every assessment is fetched through `Assessment.objects.visible_to(user)` (404 otherwise). A user who
may see an assessment but not act on it (e.g. a town officer opening the questionnaire) is sent to
its result page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuzhuan.assessment import forms as sheet_forms
from shuzhuan.assessment import indicator_sets, services
from shuzhuan.assessment.domain.errors import AssessmentInputError, FieldError
from shuzhuan.assessment.domain.model import IndicatorSet, QuestionType, format_points
from shuzhuan.assessment.domain.scoring import Sheet, validate
from shuzhuan.assessment.models import Assessment, Evidence, RaterAssignment, Source, Status
from shuzhuan.assessment.results import official_assessments
from shuzhuan.core.access import page_access
from shuzhuan.core.models import Role, is_officer
from shuzhuan.registry.models import Enterprise

VIEWERS = (Role.ADMIN, Role.CITY_OFFICER, Role.TOWN_OFFICER, Role.ENTERPRISE, Role.PROVIDER, Role.EXPERT)
PAGE_SIZE = 50


# --- helpers ----------------------------------------------------------------------------------------


def _get(request, assessment_id: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.visible_to(request.user).select_related(
            "enterprise__organisation", "enterprise__town", "based_on", "rater_organisation", "signed_by"),
        pk=assessment_id,
    )


def _is_officer(user) -> bool:
    return is_officer(user)


def _sheet(assessment: Assessment) -> Sheet:
    try:
        return services.resolved(assessment)
    except AssessmentInputError:
        return Sheet({}, {}, {})


def _full_errors(assessment: Assessment, iset: IndicatorSet) -> tuple[FieldError, ...]:
    try:
        validate(iset, assessment.answers, assessment.scenarios, partial=False, figures=assessment.figures)
    except AssessmentInputError as exc:
        return exc.errors
    return ()


def _error_code(iset: IndicatorSet, field: str, section: sheet_forms.Section | None = None) -> str:
    """'answers.F2' / 'scenarios.S03' / 'figures.production_devices' → the question or scenario code."""
    kind, _dot, key = field.partition(".")
    if kind == "figures":
        if section is not None and key in section.figure_owner:
            return section.figure_owner[key]
        return next((q.code for q in iset.questions if q.measure and key in q.measure.keys()), key)
    return key or field


def _progress(iset: IndicatorSet, sheet: Sheet) -> dict[str, Any]:
    rows = []
    for s in sheet_forms.sections(iset.id):
        done = sum(1 for q in s.questions if q.code in sheet.choices) + sum(
            1 for sc in s.scenarios if sc.code in sheet.scenario_levels)
        rows.append({"section": s, "done": done, "total": len(s.codes), "complete": done == len(s.codes)})
    complete = sum(r["complete"] for r in rows)
    return {
        "sections": rows, "complete": complete, "count": len(rows),
        "questions": sum(1 for q in iset.questions if q.code in sheet.choices), "questions_total": len(iset.questions),
        "scenarios": len(sheet.scenario_levels), "scenarios_total": len(iset.scenarios),
        "percent": int(100 * complete / len(rows)) if rows else 0,
        "first_open": next((r["section"].number for r in rows if not r["complete"]), None),
    }


def answer_text(iset: IndicatorSet, code: str, value: Any) -> str:
    """A stored answer in words: 'C. 多个业务环节（2个及以上）', 'B、D', '二级'."""
    if value is None or value == [] or value == "":
        return _("未答")
    scenario = iset.scenario(code)
    if scenario is not None:
        return iset.scenario_level_labels.get(int(value), str(value))
    question = iset.question(code)
    letters = sheet_forms._letters(value)
    if question is None:
        return ",".join(letters)
    if len(letters) == 1:
        option = question.option(letters[0])
        return f"{letters[0]}. {option.text}" if option else letters[0]
    return "、".join(letters)


def report_url(assessment: Assessment) -> str:
    """The diagnosis report (built in urls_reports), when that page exists."""
    try:
        return reverse("assessment:report", args=[assessment.pk])
    except NoReverseMatch:
        return ""


def _evidence_by_code(assessment: Assessment) -> dict[str, list[Evidence]]:
    found: dict[str, list[Evidence]] = {}
    for ev in assessment.evidence.all():
        found.setdefault(ev.question, []).append(ev)
    return found


# --- list and start -----------------------------------------------------------------------------------


@page_access(Role.ADMIN, Role.CITY_OFFICER, Role.TOWN_OFFICER, Role.ENTERPRISE)
def index(request):
    user = request.user
    base = Assessment.objects.visible_to(user).select_related("enterprise__organisation", "enterprise__town")
    queryset = base.annotate(
        open_assignment=Exists(RaterAssignment.objects.filter(assessment=OuterRef("pk"), done_at__isnull=True)),
    )
    if user.role == Role.ENTERPRISE:
        ent = Enterprise.objects.visible_to(user).select_related("organisation").first()
        draft = queryset.filter(source=Source.SELF, status=Status.DRAFT).first()
        return render(request, "assessment/index_enterprise.html", {
            "ent": ent, "rows": list(queryset), "draft": draft, "form": sheet_forms.StartForm(),
        })
    view = request.GET.get("view", "")
    if view == "unassigned":
        queryset = queryset.filter(source=Source.SELF, status=Status.SUBMITTED, open_assignment=False).exclude(
            onsite_ratings__status=Status.SIGNED)
    elif view == "rating":
        queryset = queryset.filter(Q(open_assignment=True) | Q(source=Source.ONSITE, status=Status.DRAFT))
    elif view == "official":
        queryset = queryset.filter(is_official=True)
    else:
        view = ""
    page = Paginator(queryset.order_by("-assessed_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessment/index.html", {"page": page, "view": view})


@page_access(Role.ENTERPRISE)
@require_POST
def start(request):
    ent = Enterprise.objects.visible_to(request.user).first()
    if ent is None:
        raise Http404
    form = sheet_forms.StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择评测类型"))
        return redirect("assessment:index")
    assessment = services.start_self_assessment(request.user, ent, form.cleaned_data["kind"])
    return redirect("assessment:resume", assessment_id=assessment.pk)


# --- the questionnaire --------------------------------------------------------------------------------


@page_access(*VIEWERS)
def resume(request, assessment_id: int):
    assessment = _get(request, assessment_id)
    if not services.can_fill(request.user, assessment):
        return redirect("assessment:detail", assessment_id=assessment.pk)
    iset = indicator_sets.load(assessment.indicator_set)
    first_open = _progress(iset, _sheet(assessment))["first_open"]
    if first_open is None:
        return redirect("assessment:submit", assessment_id=assessment.pk)
    return redirect("assessment:fill", assessment_id=assessment.pk, step=first_open)


def _section(iset: IndicatorSet, step: int) -> sheet_forms.Section:
    all_sections = sheet_forms.sections(iset.id)
    if not 1 <= step <= len(all_sections):
        raise Http404
    return all_sections[step - 1]


def _blocks(form: sheet_forms.SectionForm, iset: IndicatorSet, section: sheet_forms.Section, sheet: Sheet,
            indicators: dict[str, Any], errors: dict[str, list[str]], evidence: dict[str, list[Evidence]]) -> list[dict]:
    """What the template renders per group and question: fields, computed band, points, errors, files."""
    groups = []
    for group in section.groups:
        items = []
        for q in group.questions:
            fields = [form[name] for name in form.by_code.get(q.code, [])]
            shared = [sheet_forms.figure_label(iset, k) for k in (q.measure.keys() if q.measure else ())
                      if section.figure_owner.get(k) != q.code]
            none_letter = next((o.letter for o in q.options if o.none), "") if q.type is QuestionType.MULTI else ""
            items.append({"code": q.code, "question": q, "fields": fields, "shared": shared, "none_letter": none_letter,
                          "band": _band(q, sheet), "points": indicators.get(q.code), "max": format_points(q.points),
                          "errors": errors.get(q.code, []), "evidence": evidence.get(q.code, [])})
        for s in group.scenarios:
            items.append({"code": s.code, "scenario": s, "fields": [form[s.code]], "errors": errors.get(s.code, []),
                          "evidence": evidence.get(s.code, [])})
        groups.append({"title": group.title, "items": items})
    return groups


def _band(question, sheet: Sheet) -> dict | None:
    if question.type is not QuestionType.BAND:
        return None
    found = sheet.derived.get(question.code)
    if found is None:
        return {"pending": True}
    option = question.option(found.letter)
    return {"text": found.text, "letter": found.letter, "option": option.text if option else "",
            "points": format_points(option.points) if option else ""}


def _sheet_dict(assessment: Assessment) -> dict[str, Any]:
    return {"answers": assessment.answers, "figures": assessment.figures, "scenarios": assessment.scenarios}


def _fill_context(request, assessment, iset, section, form, sheet, result_score, indicators, errors, dimensions):
    progress = _progress(iset, _sheet(assessment))
    return {
        "a": assessment, "iset": iset, "section": section, "form": form, "progress": progress,
        "groups": _blocks(form, iset, section, sheet, indicators, errors, _evidence_by_code(assessment)),
        "subtotal": _subtotal(iset, result_score, dimensions, sheet),
        "evidence_form": sheet_forms.EvidenceForm(), "accept": services.EVIDENCE_ACCEPT,
        "max_mb": services.evidence_max_bytes() // (1024 * 1024),
        "previous": section.number - 1 if section.number > 1 else None,
        "next": section.number + 1 if section.number < progress["count"] else None,
        "section_errors": sum(len(v) for v in errors.values()),
    }


def _subtotal(iset: IndicatorSet, score: Any, dimensions: dict[str, Any], sheet: Sheet) -> dict[str, Any]:
    return {
        "score": score if score is not None else 0,
        "max": format_points(iset.max_points),
        "dimensions": [{"name": d.name, "points": dimensions.get(d.code, "0"), "max": format_points(d.points)}
                       for d in iset.dimensions],
        "questions": len(sheet.choices), "questions_total": len(iset.questions),
        "scenarios": len(sheet.scenario_levels), "scenarios_total": len(iset.scenarios),
    }


def _grouped_errors(iset, errors, section=None) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for e in errors:
        found.setdefault(_error_code(iset, e.field, section), []).append(e.message)
    return found


@page_access(*VIEWERS)
def fill(request, assessment_id: int, step: int):
    assessment = _get(request, assessment_id)
    if not services.can_fill(request.user, assessment):
        return redirect("assessment:detail", assessment_id=assessment.pk)
    iset = indicator_sets.load(assessment.indicator_set)
    section = _section(iset, step)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = sheet_forms.SectionForm(iset, section, _sheet_dict(assessment), request.POST)
        if form.is_valid():
            try:
                services.save_draft(request.user, assessment, **form.values(), label=section.title)
            except AssessmentInputError as exc:
                errors = _grouped_errors(iset, exc.errors, section)
            except services.ServiceError as exc:
                messages.error(request, str(exc))
                return redirect("assessment:detail", assessment_id=assessment.pk)
            else:
                return _after_save(request, assessment, iset, section)
        for name, field_errors in form.errors.items():
            code = _error_code(iset, f"figures.{name[len(sheet_forms.FIGURE_PREFIX):]}", section) \
                if name.startswith(sheet_forms.FIGURE_PREFIX) else name
            errors.setdefault(code, []).extend(f"{form.fields[name].label}：{m}" if name in form.fields else m
                                               for m in field_errors)
        sheet = _sheet(assessment)
        try:
            result, sheet = services.preview(assessment, **form.values()) if form.is_valid() else (None, sheet)
        except AssessmentInputError:
            result = None
        score = result.score if result else assessment.score
        dims = dict(result.dimensions) if result else assessment.dimensions
        indicators = dict(result.indicators) if result else assessment.indicators
    else:
        form = sheet_forms.SectionForm(iset, section, _sheet_dict(assessment))
        sheet = _sheet(assessment)
        if request.GET.get("check"):
            codes = set(section.codes)
            errors = {k: v for k, v in _grouped_errors(iset, _full_errors(assessment, iset), section).items() if k in codes}
        score, dims, indicators = assessment.score, assessment.dimensions, assessment.indicators
    context = _fill_context(request, assessment, iset, section, form, sheet, score, indicators, errors, dims)
    return render(request, "assessment/fill.html", context, status=200)


def _after_save(request, assessment, iset, section):
    count = len(sheet_forms.sections(iset.id))
    goto = request.POST.get("goto", "")
    if goto.isdigit() and 1 <= int(goto) <= count:
        return redirect("assessment:fill", assessment_id=assessment.pk, step=int(goto))
    if request.POST.get("action") == "next":
        if section.number < count:
            return redirect("assessment:fill", assessment_id=assessment.pk, step=section.number + 1)
        return redirect("assessment:submit", assessment_id=assessment.pk)
    if request.POST.get("action") == "submit":
        return redirect("assessment:submit", assessment_id=assessment.pk)
    messages.success(request, _("已保存草稿，可随时回来继续填写。"))
    return redirect("assessment:fill", assessment_id=assessment.pk, step=section.number)


@page_access(*VIEWERS)
def subtotal(request, assessment_id: int, step: int):
    """HTMX: the live subtotal for the section's current (unsaved) inputs, and the computed bands."""
    assessment = _get(request, assessment_id)
    if request.method != "POST" or not services.can_fill(request.user, assessment):
        return redirect("assessment:detail", assessment_id=assessment.pk)
    iset = indicator_sets.load(assessment.indicator_set)
    section = _section(iset, step)
    form = sheet_forms.SectionForm(iset, section, _sheet_dict(assessment), request.POST)
    problems: list[str] = []
    result, sheet = None, _sheet(assessment)
    if form.is_valid():
        try:
            result, sheet = services.preview(assessment, **form.values())
        except AssessmentInputError as exc:
            problems = [f"{_error_code(iset, e.field, section)}：{e.message}" for e in exc.errors]
    else:
        problems = [f"{form.fields[n].label}：{m}" for n, ms in form.errors.items() if n in form.fields for m in ms]
    bands = [{"code": q.code, "band": _band(q, sheet)} for q in section.questions if q.type is QuestionType.BAND]
    return render(request, "assessment/_subtotal.html", {
        "subtotal": _subtotal(iset, result.score if result else assessment.score,
                              dict(result.dimensions) if result else assessment.dimensions, sheet),
        "problems": problems, "bands": bands, "oob": True,
        "points": [{"code": q.code, "points": (dict(result.indicators) if result else {}).get(q.code)}
                   for q in section.questions] if result else [],
    })


@page_access(*VIEWERS)
def submit(request, assessment_id: int):
    assessment = _get(request, assessment_id)
    if not services.can_fill(request.user, assessment):
        return redirect("assessment:detail", assessment_id=assessment.pk)
    iset = indicator_sets.load(assessment.indicator_set)
    form = sheet_forms.PledgeForm(request.POST if request.method == "POST" else None)
    errors = _full_errors(assessment, iset)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit(request.user, assessment, pledge=True)
        except AssessmentInputError as exc:
            errors = exc.errors
        except services.ServiceError as exc:
            messages.error(request, str(exc))
            return redirect("assessment:detail", assessment_id=assessment.pk)
        else:
            messages.success(request, _("已提交。以下是本次自评的得分与等级。"))
            return redirect("assessment:detail", assessment_id=assessment.pk)
    missing = []
    for e in errors:
        code = _error_code(iset, e.field)
        section = sheet_forms.section_of(iset.id, code)
        item = iset.question(code) or iset.scenario(code)
        missing.append({"code": code, "text": getattr(item, "text", None) or getattr(item, "name", ""),
                        "message": e.message, "section": section})
    return render(request, "assessment/submit.html", {
        "a": assessment, "iset": iset, "form": form, "missing": missing, "progress": _progress(iset, _sheet(assessment)),
        "tried": request.method == "POST",
    })


# --- evidence -------------------------------------------------------------------------------------------


@page_access(*VIEWERS)
def evidence_upload(request, assessment_id: int):
    assessment = _get(request, assessment_id)
    if request.method != "POST" or not services.can_add_evidence(request.user, assessment):
        return redirect("assessment:detail", assessment_id=assessment.pk)
    form = sheet_forms.EvidenceForm(request.POST, request.FILES)
    code = request.POST.get("question", "")
    error = ""
    if form.is_valid():
        try:
            services.add_evidence(request.user, assessment, form.cleaned_data["question"], form.cleaned_data["file"])
        except services.ServiceError as exc:
            error = str(exc)
    else:
        error = "；".join(m for ms in form.errors.values() for m in ms)
    if request.headers.get("HX-Request"):
        items = list(assessment.evidence.filter(question=code))
        return render(request, "assessment/_evidence_list.html", {
            "a": assessment, "code": code, "items": items, "error": error, "can_delete": True},
            status=200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("已上传支撑材料。"))
    return redirect(request.POST.get("back") if str(request.POST.get("back", "")).startswith("/assessment/")
                    else reverse("assessment:detail", args=[assessment.pk]))


@page_access(*VIEWERS)
def evidence_download(request, evidence_id: int):
    evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=evidence_id)
    path = services.evidence_file(evidence)
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=evidence.name, content_type=evidence.content_type)


@page_access(*VIEWERS)
@require_POST
def evidence_delete(request, evidence_id: int):
    evidence = get_object_or_404(Evidence.objects.visible_to(request.user).select_related("assessment"), pk=evidence_id)
    assessment = evidence.assessment
    code = evidence.question
    if not services.can_add_evidence(request.user, assessment):
        return redirect("assessment:detail", assessment_id=assessment.pk)
    error = ""
    try:
        services.delete_evidence(request.user, evidence)
    except services.ServiceError as exc:
        error = str(exc)
    if request.headers.get("HX-Request"):
        return render(request, "assessment/_evidence_list.html", {
            "a": assessment, "code": code, "items": list(assessment.evidence.filter(question=code)),
            "error": error, "can_delete": True})
    if error:
        messages.error(request, error)
    return redirect("assessment:detail", assessment_id=assessment.pk)


# --- result page -----------------------------------------------------------------------------------------


def _result_tables(assessment: Assessment, iset: IndicatorSet) -> dict[str, Any]:
    dimensions = [{"name": d.name, "points": assessment.dimensions.get(d.code), "max": format_points(d.points),
                   "seconds": [{"name": s.name, "points": assessment.second_levels.get(s.code), "max": format_points(s.points)}
                               for s in iset.second_levels if s.dimension == d.code]}
                  for d in iset.dimensions]
    scenarios = [{"code": s.code, "name": s.name, "mandatory": s.mandatory, "level": assessment.scenarios.get(s.code),
                  "label": answer_text(iset, s.code, assessment.scenarios.get(s.code))}
                 for s in iset.scenarios]
    return {"dimensions": dimensions, "scenario_rows": scenarios}


def _changes(assessment: Assessment, iset: IndicatorSet, evidence: dict[str, list[Evidence]]) -> list[dict]:
    rows = []
    for code, change in (assessment.changes or {}).items():
        item = iset.question(code) or iset.scenario(code)
        figures = [{"label": sheet_forms.figure_label(iset, k), "from": pair[0], "to": pair[1]}
                   for k, pair in (change.get("figures") or {}).items()]
        rows.append({"code": code, "text": getattr(item, "text", None) or getattr(item, "name", code),
                     "from": answer_text(iset, code, change.get("from")), "to": answer_text(iset, code, change.get("to")),
                     "reason": change.get("reason", ""), "figures": figures, "evidence": evidence.get(code, [])})
    return rows


@page_access(*VIEWERS)
def detail(request, assessment_id: int):
    assessment = _get(request, assessment_id)
    user = request.user
    iset = indicator_sets.load(assessment.indicator_set)
    evidence = _evidence_by_code(assessment)
    official = official_assessments(Assessment.objects.filter(enterprise_id=assessment.enterprise_id)).first()
    onsite = None
    if assessment.source == Source.SELF:
        onsite = Assessment.objects.filter(based_on=assessment, source=Source.ONSITE).first()
    base = assessment.based_on if assessment.source == Source.ONSITE else None
    assignment = None
    if assessment.source == Source.SELF:
        assignment = (RaterAssignment.objects.filter(assessment=assessment)
                      .select_related("rater_organisation", "rater_user").first())
    context = {
        "a": assessment, "iset": iset, "official": official, "onsite": onsite, "base": base,
        "evidence": [ev for items in evidence.values() for ev in items],
        "changes": _changes(assessment, iset, evidence) if base else [],
        "base_evidence": list(base.evidence.all()) if base else [],
        "assignment": assignment,
        "can_fill": services.can_fill(user, assessment),
        "can_assign": _is_officer(user) and services.assignable(assessment) and not (onsite and onsite.status != Status.DRAFT),
        "rater": services.rater_assignment(user, assessment) if user.role in (Role.PROVIDER, Role.EXPERT) else None,
        "report_url": report_url(assessment) if assessment.status != Status.DRAFT else "",
        "level_name": services.level_label(assessment.indicator_set, assessment.level),
        **_result_tables(assessment, iset),
    }
    if base is not None:
        context["score_delta"] = (assessment.score - base.score) if assessment.score is not None and base.score is not None else None
    return render(request, "assessment/detail.html", context)


# --- on-site rating ---------------------------------------------------------------------------------------


@page_access(*VIEWERS)
def assign(request, assessment_id: int):
    assessment = _get(request, assessment_id)
    if not _is_officer(request.user) or not services.assignable(assessment):
        return redirect("assessment:detail", assessment_id=assessment.pk)
    form = sheet_forms.AssignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_rater(request.user, assessment, organisation=form.cleaned_data["organisation"],
                                  user=form.cleaned_data["expert"])
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已指派现场评定。"))
            return redirect("assessment:detail", assessment_id=assessment.pk)
    current = RaterAssignment.objects.filter(assessment=assessment, done_at__isnull=True).select_related(
        "rater_organisation", "rater_user").first()
    return render(request, "assessment/assign.html", {"a": assessment, "form": form, "current": current})


@page_access(Role.PROVIDER, Role.EXPERT)
def tasks(request):
    assignments = list(RaterAssignment.objects.visible_to(request.user)
                       .select_related("enterprise__organisation", "enterprise__town", "assessment"))
    ratings = {a.based_on_id: a for a in Assessment.objects.filter(
        based_on_id__in=[x.assessment_id for x in assignments], source=Source.ONSITE)}
    rows = [{"assignment": x, "onsite": ratings.get(x.assessment_id)} for x in assignments]
    return render(request, "assessment/tasks.html", {"rows": rows})


@page_access(*VIEWERS)
def onsite_start(request, assessment_id: int):
    assessment = _get(request, assessment_id)
    assignment = services.rater_assignment(request.user, assessment) if assessment.source == Source.SELF else None
    if request.method != "POST" or assignment is None:
        return redirect("assessment:detail", assessment_id=assessment.pk)
    try:
        onsite = services.start_onsite(request.user, assignment)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("assessment:detail", assessment_id=assessment.pk)
    return redirect("assessment:rate", assessment_id=onsite.pk)


def _rate_rows(onsite: Assessment, iset: IndicatorSet, forms_by_code: dict, base_sheet: Sheet, sheet: Sheet,
               evidence: dict[str, list[Evidence]]) -> list[dict]:
    changes = onsite.changes or {}
    groups = []
    for section in sheet_forms.sections(iset.id):
        items = []
        for q in section.questions:
            form = forms_by_code[q.code]
            items.append({"code": q.code, "text": q.text, "band": q.type is QuestionType.BAND,
                          "fields": [form[n] for n in form.names], "is_scenario": False,
                          "none_letter": next((o.letter for o in q.options if o.none), "") if q.type is QuestionType.MULTI else "",
                          "self": answer_text(iset, q.code, services.shown(base_sheet.choices.get(q.code), q.type)),
                          "now": answer_text(iset, q.code, services.shown(sheet.choices.get(q.code), q.type)),
                          "change": changes.get(q.code), "form": forms_by_code[q.code],
                          "evidence": evidence.get(q.code, [])})
        for s in section.scenarios:
            form = forms_by_code[s.code]
            items.append({"code": s.code, "text": s.name + (_("（约束性）") if s.mandatory else ""),
                          "fields": [form[n] for n in form.names], "is_scenario": True, "none_letter": "",
                          "self": answer_text(iset, s.code, base_sheet.scenario_levels.get(s.code)),
                          "now": answer_text(iset, s.code, sheet.scenario_levels.get(s.code)),
                          "change": changes.get(s.code), "form": forms_by_code[s.code],
                          "evidence": evidence.get(s.code, [])})
        groups.append({"section": section, "items": items})
    return groups


@page_access(*VIEWERS)
def rate(request, assessment_id: int):
    onsite = _get(request, assessment_id)
    if onsite.source != Source.ONSITE or onsite.status != Status.DRAFT or services.rater_assignment(request.user, onsite) is None:
        return redirect("assessment:detail", assessment_id=onsite.pk)
    iset = indicator_sets.load(onsite.indicator_set)
    sheet_values = _sheet_dict(onsite)
    forms_by_code = {code: sheet_forms.ChangeForm(iset, code, sheet_values, prefix=code)
                     for code in [q.code for q in iset.questions] + [s.code for s in iset.scenarios]}
    open_code = ""
    if request.method == "POST":
        code = request.POST.get("code", "")
        if code not in forms_by_code:
            messages.error(request, _("未知的题号"))
            return redirect("assessment:rate", assessment_id=onsite.pk)
        form = sheet_forms.ChangeForm(iset, code, sheet_values, request.POST, request.FILES, prefix=code)
        forms_by_code[code], open_code = form, code
        if form.is_valid():
            try:
                services.change_answer(request.user, onsite, code, **form.change(), reason=form.cleaned_data["reason"],
                                       evidence=form.cleaned_data.get("evidence") or None)
            except AssessmentInputError as exc:
                for e in exc.errors:
                    form.add_error("reason" if e.field == "reason" else None, e.message)
            except services.ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已记录对 %(code)s 的调整。") % {"code": code})
                return redirect(reverse("assessment:rate", args=[onsite.pk]) + f"#row-{code}")
    base = onsite.based_on
    context = {
        "a": onsite, "base": base, "iset": iset, "open_code": open_code,
        "groups": _rate_rows(onsite, iset, forms_by_code, _sheet(base), _sheet(onsite), _evidence_by_code(onsite)),
        "sign_form": sheet_forms.SignForm(), "missing": _full_errors(onsite, iset),
        "level_name": services.level_label(base.indicator_set, base.level),
    }
    return render(request, "assessment/rate.html", context)


@page_access(*VIEWERS)
def sign(request, assessment_id: int):
    onsite = _get(request, assessment_id)
    if (request.method != "POST" or onsite.source != Source.ONSITE
            or services.rater_assignment(request.user, onsite) is None):
        return redirect("assessment:detail", assessment_id=onsite.pk)
    form = sheet_forms.SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请勾选确认后再签署"))
        return redirect("assessment:rate", assessment_id=onsite.pk)
    try:
        services.sign(request.user, onsite)
    except AssessmentInputError as exc:
        iset = indicator_sets.load(onsite.indicator_set)
        messages.error(request, _("评定不完整，不能签署：") + "；".join(
            f"{_error_code(iset, e.field)} {e.message}" for e in exc.errors[:10]))
        return redirect("assessment:rate", assessment_id=onsite.pk)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("现场评定已签署，成为该企业的正式评测结果。"))
    return redirect("assessment:detail", assessment_id=onsite.pk)
