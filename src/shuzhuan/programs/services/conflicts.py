"""Conflict of interest for on-site raters (DESIGN decision 3)."""

from __future__ import annotations

from shuzhuan.core.models import Organisation
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.models import (
    Project,
)
from shuzhuan.registry.models import Enterprise


def contracted_providers(enterprise: Enterprise | int) -> set[int]:
    """Organisation ids of the providers contracted by this enterprise on any project still alive."""
    enterprise_id = enterprise if isinstance(enterprise, int) else enterprise.pk
    return set(Project.objects.filter(enterprise_id=enterprise_id, provider__isnull=False)
               .exclude(state__in=[wf.WITHDRAWN, wf.REJECTED]).values_list("provider_id", flat=True))


def rater_conflict(enterprise: Enterprise | int, organisation: Organisation | int | None) -> str | None:
    """Why this organisation may not rate the enterprise on site, or None."""
    if organisation is None:
        return None
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    if org_id in contracted_providers(enterprise):
        return "该服务商是企业改造项目的签约服务商，不能担任其现场评定机构"
    return None
