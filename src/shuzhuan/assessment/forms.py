"""Questionnaire forms built from the indicator set's data: sections, one field per answer.

Sections: one per scored dimension (its second-level indicators as headings), then the scenarios
by group. Band questions ask for their raw figures; the scorer computes the band. A figure read by
several questions in one section (e.g. the number of production devices) is asked once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhuan.assessment import indicator_sets, services
from shuzhuan.assessment.domain.model import IndicatorSet, Question, QuestionType, Scenario
from shuzhuan.assessment.models import Kind
from shuzhuan.core.forms import BootstrapMixin
from shuzhuan.core.models import Organisation, Role, User

RADIO = {"class": "form-check-input"}
FIGURE_PREFIX = "fig_"


@dataclass(frozen=True)
class Group:
    title: str
    questions: tuple[Question, ...] = ()
    scenarios: tuple[Scenario, ...] = ()


@dataclass(frozen=True)
class Section:
    number: int
    title: str
    groups: tuple[Group, ...]
    questions: tuple[Question, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    figure_owner: Mapping[str, str] = field(default_factory=dict)  # figure key → the question asking it

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(q.code for q in self.questions) + tuple(s.code for s in self.scenarios)


@cache
def sections(set_id: str) -> tuple[Section, ...]:
    iset = indicator_sets.load(set_id)
    result: list[Section] = []
    for dim in iset.dimensions:
        groups = tuple(
            Group(f"{sl.name}（{_points(sl.points)} 分）", tuple(q for q in iset.questions if q.second_level == sl.code))
            for sl in iset.second_levels if sl.dimension == dim.code
        )
        questions = tuple(q for g in groups for q in g.questions)
        if not questions:
            continue
        owner: dict[str, str] = {}
        for q in questions:
            for key in q.measure.keys() if q.measure else ():
                owner.setdefault(key, q.code)
        result.append(Section(len(result) + 1, f"{dim.name}（{_points(dim.points)} 分）", groups, questions,
                              figure_owner=owner))
    names: list[str] = []
    for s in iset.scenarios:
        if s.group not in names:
            names.append(s.group)
    for name in names:
        scenarios = tuple(s for s in iset.scenarios if s.group == name)
        result.append(Section(len(result) + 1, name, (Group(name, scenarios=scenarios),), scenarios=scenarios))
    return tuple(result)


def _points(milli: int) -> str:
    from shuzhuan.assessment.domain.model import format_points

    return format_points(milli)


def section_of(set_id: str, code: str) -> Section | None:
    return next((s for s in sections(set_id) if code in s.codes or code in s.figure_owner), None)


def figure_label(iset: IndicatorSet, key: str) -> str:
    fig = next((f for f in iset.figures if f.key == key), None)
    if fig is None:
        return key
    return f"{fig.label}（{fig.unit}）" if fig.unit else fig.label


def figure_keys(q: Question) -> tuple[str, ...]:
    """The figures a band question asks for, the whole before the part ("生产设备数量" before "其中数字化的")."""
    if q.measure is None:
        return ()
    current = q.measure.current
    if q.measure.kind == "ratio" and current.denominator is not None:
        return (current.denominator, current.numerator)
    return q.measure.keys()


def _letters(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [p for p in raw.replace("，", ",").replace(" ", "").upper().split(",") if p]
    return [str(p).upper() for p in raw]


def add_question_fields(form: forms.Form, iset: IndicatorSet, q: Question, sheet: Mapping[str, Any],
                        skip_figures: set[str] | None = None) -> list[str]:
    """Fields for one question (named by its code; figures `fig_<key>`); returns their names."""
    answers, figures = sheet.get("answers", {}), sheet.get("figures", {})
    choices = [(o.letter, f"{o.letter}. {o.text}") for o in q.options]
    if q.type is QuestionType.SINGLE:
        form.fields[q.code] = forms.ChoiceField(label=q.text, required=False, choices=choices,
                                                widget=forms.RadioSelect(attrs=RADIO))
        form.initial.setdefault(q.code, (_letters(answers.get(q.code)) or [None])[0])
        return [q.code]
    if q.type is QuestionType.MULTI:
        form.fields[q.code] = forms.MultipleChoiceField(label=q.text, required=False, choices=choices,
                                                        widget=forms.CheckboxSelectMultiple(attrs=RADIO))
        form.initial.setdefault(q.code, _letters(answers.get(q.code)))
        return [q.code]
    names = []
    for key in figure_keys(q):
        if skip_figures is not None and key in skip_figures:
            continue
        name = FIGURE_PREFIX + key
        form.fields[name] = forms.DecimalField(
            label=figure_label(iset, key), required=False, min_value=0, max_digits=18, decimal_places=4,
            widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "decimal", "step": "any", "min": "0"}),
            error_messages={"invalid": _("请输入数值"), "min_value": _("不能小于 0"),
                            "max_decimal_places": _("最多 4 位小数"), "max_digits": _("数值过大")},
        )
        form.initial.setdefault(name, figures.get(key))
        names.append(name)
        if skip_figures is not None:
            skip_figures.add(key)
    return names


def add_scenario_field(form: forms.Form, iset: IndicatorSet, s: Scenario, sheet: Mapping[str, Any]) -> str:
    labels = iset.scenario_level_labels
    choices = [(str(level), f"{labels.get(level, level)}" + (f"：{s.levels[level]}" if level in s.levels else ""))
               for level in range(iset.scenario_level_min, iset.scenario_level_max + 1)]
    form.fields[s.code] = forms.TypedChoiceField(label=s.name, required=False, choices=choices, coerce=int,
                                                 empty_value=None, widget=forms.RadioSelect(attrs=RADIO))
    current = sheet.get("scenarios", {}).get(s.code)
    form.initial.setdefault(s.code, None if current is None else str(current))
    return s.code


def _values(form: forms.Form, iset: IndicatorSet, codes: list[str]) -> dict[str, dict[str, Any]]:
    """Cleaned data → {answers, figures, scenarios} with None for empty answers."""
    data = form.cleaned_data
    answers: dict[str, Any] = {}
    figures: dict[str, Any] = {}
    scenarios: dict[str, Any] = {}
    for name in codes:
        value = data.get(name)
        if name.startswith(FIGURE_PREFIX):
            figures[name[len(FIGURE_PREFIX):]] = value
        elif name in iset.scenario_index:
            scenarios[name] = value
        else:
            q = iset.question_index[name]
            answers[name] = (list(value) or None) if q.type is QuestionType.MULTI else (value or None)
    return {"answers": answers, "figures": figures, "scenarios": scenarios}


class SectionForm(forms.Form):
    """One section of the questionnaire, initial values from the sheet."""

    def __init__(self, iset: IndicatorSet, section: Section, sheet: Mapping[str, Any], *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.iset, self.section = iset, section
        self.names: list[str] = []
        self.by_code: dict[str, list[str]] = {}
        asked: set[str] = set()
        for q in section.questions:
            names = add_question_fields(self, iset, q, sheet, skip_figures=asked)
            self.by_code[q.code] = names
            self.names += names
        for s in section.scenarios:
            self.by_code[s.code] = [add_scenario_field(self, iset, s, sheet)]
            self.names.append(s.code)
        for q in section.questions:  # band questions leave their letter to the figures
            if q.type is QuestionType.BAND:
                self.by_code.setdefault(q.code, [])

    def values(self) -> dict[str, dict[str, Any]]:
        values = _values(self, self.iset, self.names)
        for q in self.section.questions:
            if q.type is QuestionType.BAND:
                values["answers"][q.code] = None
        return values


class ChangeForm(forms.Form):
    """The on-site rater changes one answer (or a band question's figures), with a reason."""

    reason = forms.CharField(label=_("调整理由"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                             error_messages={"required": _("请填写调整理由")})
    evidence = forms.FileField(label=_("支撑材料（可选）"), required=False,
                               widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": services.EVIDENCE_ACCEPT}))

    def __init__(self, iset: IndicatorSet, code: str, sheet: Mapping[str, Any], *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.iset, self.code = iset, code
        question, scenario = iset.question(code), iset.scenario(code)
        if question is not None:
            self.names = add_question_fields(self, iset, question, sheet)
        elif scenario is not None:
            self.names = [add_scenario_field(self, iset, scenario, sheet)]
        else:
            self.names = []
        self.order_fields(self.names + ["reason", "evidence"])

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload:
            try:
                services.check_evidence_file(upload)
            except services.ServiceError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return upload

    def change(self) -> dict[str, Any]:
        values = _values(self, self.iset, self.names)
        question = self.iset.question(self.code)
        if question is not None and question.type is QuestionType.BAND:
            return {"figures": values["figures"]}
        return {"value": {**values["answers"], **values["scenarios"]}.get(self.code)}


class EvidenceForm(forms.Form):
    question = forms.CharField(max_length=8, required=False, widget=forms.HiddenInput)
    file = forms.FileField(label=_("支撑材料"), error_messages={"required": _("请选择要上传的文件")},
                           widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm",
                                                                  "accept": services.EVIDENCE_ACCEPT}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            services.check_evidence_file(upload)
        except services.ServiceError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


class StartForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("评测类型"), choices=Kind.choices, initial=Kind.BASELINE,
                             help_text=_("改造前（基线）：开始数字化改造之前；改造后：改造项目完成后；定期评测：日常复评。"))


class PledgeForm(forms.Form):
    pledge = forms.BooleanField(label=services.PLEDGE_TEXT, required=True,
                                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                                error_messages={"required": _("请阅读并勾选真实性承诺后再提交")})


class SignForm(forms.Form):
    confirm = forms.BooleanField(label=_("本人已到企业现场核实，确认以上评定结果，并对评定结论负责。"), required=True,
                                 widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                                 error_messages={"required": _("请勾选确认后再签署")})


class AssignForm(BootstrapMixin, forms.Form):
    organisation = forms.ModelChoiceField(label=_("评定服务商"), required=False, queryset=Organisation.objects.none(),
                                          empty_label=_("— 选择服务商 —"))
    expert = forms.ModelChoiceField(label=_("或评定专家"), required=False, queryset=User.objects.none(),
                                    empty_label=_("— 选择专家 —"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        from shuzhuan.assessment.services import rater_choices

        self.fields["organisation"].queryset = rater_choices()
        self.fields["expert"].queryset = User.objects.filter(role=Role.EXPERT, is_active=True).order_by("display_name", "username")

    def clean(self):
        data = super().clean()
        if bool(data.get("organisation")) == bool(data.get("expert")):
            raise forms.ValidationError(_("请选择一家服务商或一位专家（二选一）"))
        return data
