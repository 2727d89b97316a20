"""Badges for levels and states (colour and words), and the profile's assessment section.

The registry's profile page includes "assessment/_profile_section.html", which asks
`assessment_history` for its data: the registry never imports this app.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from shuzhuan.assessment import indicator_sets
from shuzhuan.assessment.models import Assessment, Kind, Source, Status
from shuzhuan.assessment.results import official_assessments
from shuzhuan.core.models import Role

register = template.Library()

LEVEL_CSS = {0: "text-bg-secondary", 1: "text-bg-warning", 2: "text-bg-info", 3: "text-bg-primary", 4: "text-bg-success"}
STATUS_CSS = {Status.DRAFT: "text-bg-light border", Status.SUBMITTED: "text-bg-primary", Status.SIGNED: "text-bg-success"}


def level_name(set_id: str, level: int | None) -> str:
    from shuzhuan.assessment.services import level_label

    return level_label(set_id, level)


@register.simple_tag
def level_text(level: int | None, set_id: str = indicator_sets.DEFAULT) -> str:
    """`{% level_text 0 %}` → the indicator set's name for the level (translated)."""
    return level_name(set_id, level)


@register.simple_tag
def level_badge(level: int | None, set_id: str = indicator_sets.DEFAULT) -> str:
    css = "text-bg-light border" if level is None else LEVEL_CSS.get(level, "text-bg-dark")
    return format_html('<span class="badge {} sz-level" data-level="{}">{}</span>', css,
                       "" if level is None else level, level_name(set_id, level))


@register.simple_tag
def status_badge(assessment: Assessment) -> str:
    label = assessment.get_status_display()
    if assessment.status == Status.DRAFT and assessment.source == Source.ONSITE:
        label = _("评定中")
    return format_html('<span class="badge {}">{}</span>', STATUS_CSS.get(assessment.status, "text-bg-light"), label)


@register.filter
def points(value: Any) -> str:
    """'62.500' → '62.5'; None → '—'."""
    if value is None or value == "":
        return "—"
    text = str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _comparison(before: Assessment, after: Assessment) -> dict[str, Any]:
    iset = indicator_sets.load(after.indicator_set)
    scenarios = []
    for s in iset.scenarios:
        b, a = before.scenarios.get(s.code), after.scenarios.get(s.code)
        scenarios.append({"code": s.code, "name": s.name, "mandatory": s.mandatory, "before": b, "after": a,
                          "before_label": iset.scenario_level_labels.get(b, "—") if b is not None else "—",
                          "after_label": iset.scenario_level_labels.get(a, "—") if a is not None else "—",
                          "delta": (a - b) if a is not None and b is not None else None})
    delta = after.score - before.score if after.score is not None and before.score is not None else None
    return {"before": before, "after": after, "scenarios": scenarios, "delta": delta}


@register.simple_tag(takes_context=True)
def assessment_history(context, enterprise) -> dict[str, Any]:
    """The enterprise's assessments the user may see, its official result and the before/after
    comparison (latest final baseline vs latest final post-transformation). A fixed number of queries."""
    user = context["request"].user
    mine = Assessment.objects.visible_to(user).filter(enterprise_id=enterprise.pk)
    only = ("id", "enterprise_id", "kind", "source", "status", "indicator_set", "assessed_on", "score", "level",
            "scenarios")
    rows = list(mine.only(*only).order_by("-assessed_on", "-id"))
    official = official_assessments(mine).values_list("pk", flat=True).first()
    before = official_assessments(mine.filter(kind=Kind.BASELINE)).only(*only).first()
    after = official_assessments(mine.filter(kind=Kind.POST)).only(*only).first()
    return {
        "rows": rows, "official": official,
        "comparison": _comparison(before, after) if before and after else None,
        "can_start": user.role == Role.ENTERPRISE and user.organisation_id == enterprise.pk,
    }


@register.filter
def label_head(label: str) -> str:
    """'二级：应用信息化系统……' → '二级'."""
    return str(label).partition("：")[0]


@register.filter
def label_tail(label: str) -> str:
    return str(label).partition("：")[2]
