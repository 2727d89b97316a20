"""Write audit entries. Every state change in the platform goes through `record`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from shuzhuan.core.models import AuditEntry, Organisation


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return value


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [old, new]} with JSON-friendly values."""
    return {k: [_jsonable(old.get(k)), _jsonable(v)] for k, v in new.items() if old.get(k) != v}


def actor_label(actor: Any) -> str:
    if actor is None:
        return "系统"
    return str(actor)


def entry(
    actor: Any,
    action: str,
    target: models.Model,
    summary: str,
    *,
    organisation: Organisation | int | None = None,
    changes: dict | None = None,
    reason: str = "",
) -> AuditEntry:
    """An unsaved entry (for bulk_create in batch work)."""
    org_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label(actor),
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        organisation_id=org_id,
        summary=summary[:300],
        changes=changes or {},
        reason=reason,
    )


def record(actor: Any, action: str, target: models.Model, summary: str, **kwargs: Any) -> AuditEntry:
    item = entry(actor, action, target, summary, **kwargs)
    item.save()
    return item
