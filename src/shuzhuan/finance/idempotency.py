"""Idempotency-Key on the bank API's POSTs: a replay (same user, key and body) returns the first answer;
the same key with another body or on another operation is a 409. Only successful answers are kept."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shuzhuan.core.api_errors import ApiError
from shuzhuan.finance.models import IdempotencyRecord

HEADER = "Idempotency-Key"


def _hash(request: Any) -> str:
    try:
        body = json.dumps(json.loads(request.body or b"{}"), sort_keys=True, ensure_ascii=False)
    except ValueError:
        body = request.body.decode("utf-8", "replace")
    return hashlib.sha256(body.encode()).hexdigest()


def _replay(record: IdempotencyRecord, operation: str, body_hash: str) -> dict[str, Any]:
    if record.operation != operation or record.body_hash != body_hash:
        raise ApiError(409, "idempotency_conflict", _("%(header)s 已用于另一请求（请求内容不同）") % {"header": HEADER},
                       [{"field": HEADER, "message": _("同一键只能用于同一请求")}])
    return record.response


def run(request: Any, operation: str, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        return compute()
    if len(key) > 200:
        raise ApiError(422, "invalid", _("请求参数有误"), [{"field": HEADER, "message": _("不超过 200 个字符")}])
    body_hash = _hash(request)
    found = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
    if found is not None:
        return _replay(found, operation, body_hash)
    try:
        with transaction.atomic():
            answer = compute()
            IdempotencyRecord.objects.create(user=request.user, key=key, operation=operation, body_hash=body_hash,
                                             response=json.loads(json.dumps(answer, default=str)))
    except IntegrityError:
        found = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if found is None:
            raise
        return _replay(found, operation, body_hash)
    return answer
