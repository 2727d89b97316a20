"""Expert review of a project: assignment and the expert's opinion."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shuzhuan.core import audit
from shuzhuan.core.models import Role, User
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.models import (
    ExpertOpinion,
    Project,
)
from shuzhuan.programs.services.common import ServiceError, _role
from shuzhuan.programs.services.projects import _locked
from shuzhuan.programs.services.transitions import transition


@transaction.atomic
def assign_expert(actor: Any, project: Project, expert: User) -> Project:
    row = _locked(project)
    if _role(actor) not in wf.CITY_ROLES:
        raise ServiceError(gettext("只有市工信局可以指派评审专家"))
    if row.state != wf.TOWN_REVIEWED:
        raise ServiceError(gettext("镇街初审通过后才能指派评审专家"))
    if expert.role != Role.EXPERT or not expert.is_active:
        raise ServiceError(gettext("请选择评审专家账号"))
    row.expert = expert
    row.updated_at = timezone.now()
    row.save()
    audit.record(actor, "programs.project.assign_expert", row, f"指派评审专家 {expert}", organisation=row.enterprise_id)
    return row


@transaction.atomic
def submit_expert_opinion(actor: Any, project: Project, score: Decimal, recommend: bool, opinion: str) -> Project:
    """The assigned expert scores and gives an opinion; the project moves to expert_reviewed."""
    row = _locked(project)
    if not (_role(actor) == wf.EXPERT and row.expert_id == actor.pk):
        raise ServiceError(gettext("只有被指派评审该项目的专家可以提交评审意见"))
    if row.state != wf.TOWN_REVIEWED:
        raise ServiceError(gettext("项目当前状态为「%(state)s」，不能提交评审意见") % {"state": row.state_label})
    if not (Decimal("0") <= score <= Decimal("100")):
        raise ServiceError(gettext("评分应在 0–100 之间"))
    if not opinion.strip():
        raise ServiceError(gettext("请填写评审意见"))
    ExpertOpinion.objects.create(project=row, expert=actor, score=score, recommend=recommend, opinion=opinion.strip())
    return transition(actor, row, "expert_review",
                      reason=f"评分 {score}，{'建议通过' if recommend else '建议不通过'}：{opinion.strip()}")
