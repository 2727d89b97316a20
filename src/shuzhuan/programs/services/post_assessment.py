"""The post-transformation on-site assessment (改造后现场评定) a payout rests on."""

from __future__ import annotations

from typing import Any

from shuzhuan.programs.models import (
    Project,
)


def find_post_assessment(project: Project):
    """The enterprise's latest signed on-site post-transformation rating, if any."""
    from shuzhuan.assessment.results import signed_post_rating

    return signed_post_rating(project.enterprise_id)


def _assessment_facts(project: Project, assessment: Any) -> dict[str, Any]:
    from shuzhuan.assessment.results import rating_facts
    from shuzhuan.assessment.services import rater_ineligible

    if assessment is None:
        return {"post_assessment_found": False}
    rating = rating_facts(assessment)
    return {
        "post_assessment_found": True,
        "post_assessment_signed": rating["signed"],
        "post_assessment_onsite": rating["onsite"],
        "post_assessment_kind_post": rating["post"],
        "post_assessment_after_completion": bool(project.completed_on and assessment.assessed_on >= project.completed_on),
        "post_assessment_rater_is_provider": bool(project.provider_id and assessment.rater_organisation_id == project.provider_id),
        "post_assessment_rater_problem": rater_ineligible(assessment.rater_organisation) or "",
        "level_achieved": assessment.level,
    }
