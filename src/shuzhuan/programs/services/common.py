"""Shared pieces of the programme services: the error, the actor's role, today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from shuzhuan.core.models import User
from shuzhuan.programs.domain import workflow as wf


class ServiceError(Exception):
    """A use case refused; the message (in Chinese) is meant for the user."""


def _funds():
    from shuzhuan.funds import services as funds

    return funds


def _role(actor: Any) -> str:
    """The actor's role for the guards; None (the system, e.g. the demo generator) acts as admin."""
    if actor is None:
        return wf.ADMIN
    if getattr(actor, "is_superuser", False):
        return wf.ADMIN
    return getattr(actor, "role", "") or ""


def _user(actor: Any) -> User | None:
    return actor if getattr(actor, "pk", None) else None


def _today() -> dt.date:
    return timezone.localdate()
