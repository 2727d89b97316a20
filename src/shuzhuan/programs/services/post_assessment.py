"""The post-transformation on-site assessment (改造后现场评定) a payout rests on."""

from __future__ import annotations

from typing import Any

from shuzhuan.programs.models import (
    Project,
)


def find_post_assessment(project: Project):
    """The enterprise's latest signed on-site post-transformation rating, if any."""
    from shuzhuan.assessment.models import Assessment, Kind, Source, Status

    return (Assessment.objects.filter(enterprise_id=project.enterprise_id, kind=Kind.POST, source=Source.ONSITE,
                                      status=Status.SIGNED)
            .order_by("-assessed_on", "-id").first())


def _assessment_facts(project: Project, assessment: Any) -> dict[str, Any]:
    from shuzhuan.assessment.models import Kind, Source, Status
    from shuzhuan.assessment.services import rater_ineligible

    if assessment is None:
        return {"post_assessment_found": False}
    return {
        "post_assessment_found": True,
        "post_assessment_signed": assessment.status == Status.SIGNED,
        "post_assessment_onsite": assessment.source == Source.ONSITE,
        "post_assessment_kind_post": assessment.kind == Kind.POST,
        "post_assessment_after_completion": bool(project.completed_on and assessment.assessed_on >= project.completed_on),
        "post_assessment_rater_is_provider": bool(project.provider_id and assessment.rater_organisation_id == project.provider_id),
        "post_assessment_rater_problem": rater_ineligible(assessment.rater_organisation) or "",
        "level_achieved": assessment.level,
    }
