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


# --- changes in words (the timeline shows 地址, not `address`; 场景 S06 生产管控, not ['S06']) ---------------------
_VALUE_FORMATS: dict[str, Any] = {}  # field name → fn(value) -> str, registered by the app that knows the values
_FIELD_LABELS: dict[str, str] = {}  # field name → label, for fields no model declares (e.g. figures in JSON)


def register_value_format(field: str, fn: Any) -> None:
    _VALUE_FORMATS[field] = fn


def register_field_label(field: str, label: str) -> None:
    _FIELD_LABELS[field] = label


def _model_label(target_type: str, field: str) -> str | None:
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    try:
        model = apps.get_model(target_type)
        name = model._meta.get_field(field).verbose_name
    except (LookupError, ValueError, FieldDoesNotExist, AttributeError):
        return None
    return str(name) if name and str(name) != field.replace("_", " ") else None


def _value(field: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    fn = _VALUE_FORMATS.get(field)
    if fn is not None:
        try:
            return str(fn(value))
        except Exception:  # a formatter never breaks the timeline: show the stored value
            pass
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return str(value)


def describe_changes(item: AuditEntry) -> list[tuple[str, str, str]]:
    """An entry's changes as (label, before, after) in words."""
    rows = []
    for field, pair in (item.changes or {}).items():
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        label = _model_label(item.target_type, field) or _FIELD_LABELS.get(field) or field
        rows.append((label, _value(field, old), _value(field, new)))
    return rows
