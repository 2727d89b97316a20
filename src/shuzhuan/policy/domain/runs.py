"""免申即享 runs, the pure part: what changed since the previous run, and what may still be paid.

A benefit is identified by (policy, subject, period): a run never pays a key that an earlier run
already confirmed, approved or paid (the database enforces it too), and it reports every subject
that is new, dropped or changed since the previous run of the same policies and period.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

NEW, DROPPED, CHANGED, UNCHANGED = "new", "dropped", "changed", "unchanged"
CHANGE_LABELS = {NEW: "新增", DROPPED: "不再符合", CHANGED: "金额变化", UNCHANGED: "无变化"}

Key = tuple[str, str]  # (policy, subject) within one period


@dataclass(frozen=True)
class Change:
    policy: str
    subject: str
    kind: str
    before: Decimal | None
    after: Decimal | None


def compare(previous: Mapping[Key, Decimal], current: Mapping[Key, Decimal]) -> dict[Key, Change]:
    """Every key of either run, labelled new / dropped / changed / unchanged."""
    changes: dict[Key, Change] = {}
    for key, after in current.items():
        before = previous.get(key)
        kind = NEW if before is None else (UNCHANGED if before == after else CHANGED)
        changes[key] = Change(key[0], key[1], kind, before, after)
    for key, before in previous.items():
        if key not in current:
            changes[key] = Change(key[0], key[1], DROPPED, before, None)
    return changes


def settled(keys: Iterable[Key], already: Iterable[Key]) -> set[Key]:
    """The keys an earlier run already settled (confirmed, approved or paid): never paid again."""
    done = set(already)
    return {key for key in keys if key in done}


def summary(changes: Mapping[Key, Change]) -> dict[str, int]:
    counts = {kind: 0 for kind in CHANGE_LABELS}
    for change in changes.values():
        counts[change.kind] += 1
    return counts


# --- the entitlement's life: town review → offer → the enterprise confirms → the city approves → paid --

ENTITLED, EXCLUDED, OFFERED, CONFIRMED, APPROVED, PAID = "entitled", "excluded", "offered", "confirmed", "approved", "paid"
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "exclude": ((ENTITLED, OFFERED), EXCLUDED),
    "restore": ((EXCLUDED,), ENTITLED),
    "offer": ((ENTITLED,), OFFERED),
    "confirm": ((OFFERED,), CONFIRMED),
    "approve": ((CONFIRMED,), APPROVED),
    "pay": ((APPROVED,), PAID),
}
_ACCOUNT = re.compile(r"^\d{8,30}$")


class TransitionError(ValueError):
    """A step the entitlement's state does not allow, or bad input for it (message in Chinese)."""


def next_status(action: str, status: str) -> str:
    allowed, target = TRANSITIONS[action]
    if status not in allowed:
        raise TransitionError(f"当前状态不能执行此操作（{action}）")
    return target


def clean_account(value: str) -> str:
    """A bank account number: digits only (spaces and dashes removed), 8–30 long."""
    digits = re.sub(r"[\s-]", "", str(value or ""))
    if not _ACCOUNT.match(digits):
        raise TransitionError("收款账号应为 8–30 位数字")
    return digits


def mask_account(value: str) -> str:
    """6222 **** **** 1234: the first four and the last four digits only."""
    if not value:
        return ""
    return f"{value[:4]} **** **** {value[-4:]}" if len(value) > 8 else "****" + value[-4:]
