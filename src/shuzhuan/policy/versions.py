"""Publishing a what-if as a new dated version (stored as a `VersionOverride`, audited) and adding the
published versions after the YAML file's versions when a policy is loaded."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, transaction
from django.utils.translation import gettext

from shuzhuan.core.audit import record
from shuzhuan.core.models import is_city_wide
from shuzhuan.policy.domain.model import Citation, Policy
from shuzhuan.policy.domain.reform import reformed
from shuzhuan.policy.domain.values import FactInputError, FieldError
from shuzhuan.policy.models import Reform, ReformStatus, VersionOverride


def _rows(codes: list[str]) -> dict[str, list[VersionOverride]]:
    found: dict[str, list[VersionOverride]] = {}
    try:
        for row in VersionOverride.objects.filter(policy__in=codes).select_related("reform"):
            found.setdefault(row.policy, []).append(row)
    except (DatabaseError, RuntimeError):  # before the migrations ran, or no database (pure tests, tools)
        return {}
    return found


def apply_all(policies: list[Policy]) -> list[Policy]:
    """Every policy with its published versions, in one query."""
    rows = _rows([p.code for p in policies])
    return [_apply(p, rows.get(p.code, [])) for p in policies]


def apply(policy: Policy) -> Policy:
    return _apply(policy, _rows([policy.code]).get(policy.code, []))


def _apply(policy: Policy, rows: list[VersionOverride]) -> Policy:
    """The policy with its published versions: each starts on its date and ends where the version it
    changes ended; that version now ends on the date (its content, and results under it, unchanged)."""
    from shuzhuan.policy import facts
    versions = list(policy.versions)
    for row in rows:
        index = next((i for i, v in enumerate(versions) if v.covers(row.effective_from)), None)
        if index is None:
            continue
        base = versions[index]
        source = Citation(f"政策测算「{row.reform.title}」发布（{row.effective_from.isoformat()}）", verified=False,
                          note="经平台测算后发布的新版本")
        new = reformed(base, row.changes, facts.catalog(), {int(k): v for k, v in row.conditions.items()}, source=source)
        new = dataclasses.replace(new, effective_from=row.effective_from, effective_until=base.effective_until,
                                  note=f"由政策测算「{row.reform.title}」发布")
        versions[index:index + 1] = [dataclasses.replace(base, effective_until=row.effective_from), new]
    return dataclasses.replace(policy, versions=tuple(versions)) if rows else policy


@transaction.atomic
def publish(actor: Any, reform: Reform, effective_from: dt.date) -> VersionOverride:
    """A new dated version from the reform's diff, starting `effective_from` (after the base version
    started, within a version in force). Audited; the old versions stay as they were."""
    from shuzhuan.policy import library

    if not is_city_wide(actor):
        raise PermissionDenied
    if reform.status == ReformStatus.PUBLISHED:
        raise FactInputError([FieldError("reform", gettext("该测算已发布"))])
    policy = library.load(reform.policy)
    covering = policy.version_on(effective_from)
    if covering is None or covering.effective_from >= effective_from:
        raise FactInputError([FieldError("effective_from", gettext("生效日期应晚于所在版本的起始日期，且在政策有效期内"))])
    try:
        with transaction.atomic():
            row = VersionOverride.objects.create(
                policy=reform.policy, effective_from=effective_from, base_version=covering.label,
                changes=reform.changes, conditions=reform.conditions, reform=reform,
                published_by=actor if getattr(actor, "pk", None) else None)
    except IntegrityError:
        raise FactInputError([FieldError("effective_from", gettext("该日期已有发布的版本"))]) from None
    Reform.objects.filter(pk=reform.pk).update(status=ReformStatus.PUBLISHED, published_from=effective_from)
    library.load(reform.policy)  # checks the published version compiles (raises FactInputError → rollback)
    record(actor, "policy.publish", row, f"发布「{policy.title}」新版本，{effective_from.isoformat()} 起施行"
                                          f"（来自政策测算「{reform.title}」）",
           changes={"changes": reform.changes, "conditions": reform.conditions, "base_version": covering.label})
    return row
