"""Use cases of API tokens: issue and revoke, each one transaction with an audit entry.

The raw token is shown once and never stored or written to the audit trail (only its prefix)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from shuzhuan.core import audit
from shuzhuan.core.models import ApiToken, User


@transaction.atomic
def issue(actor: Any, user: User, name: str = "cli") -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with the raw value (to show once)."""
    token, raw = ApiToken.issue(user, name)
    audit.record(actor, "core.token.issue", token, f"为 {user} 生成 API 令牌「{token.name}」（{token.prefix}…）",
                 changes={"user": user.username, "name": token.name, "prefix": token.prefix})
    return token, raw


@transaction.atomic
def revoke(actor: Any, token: ApiToken) -> bool:
    """Revoke a token; False if it was already revoked (nothing written)."""
    now = timezone.now()
    if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        return False
    token.revoked_at = now
    audit.record(actor, "core.token.revoke", token, f"作废 {token.user} 的 API 令牌「{token.name}」（{token.prefix}…）",
                 changes={"user": token.user.username, "name": token.name, "prefix": token.prefix})
    return True
