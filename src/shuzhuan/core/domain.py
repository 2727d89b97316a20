"""Pure helpers shared by every app: text normalisation and money. No Django imports."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
# Every money column is DecimalField(max_digits=MONEY_DIGITS, decimal_places=2) unless it says
# otherwise (the registry's yearly revenue and tax hold 16); the largest amount each can hold is
# `max_yuan(digits)`. Amounts above MAX_YUAN are refused before they reach a column.
MONEY_DIGITS = 14
_SPACES = re.compile(r"\s+")


# --- Role groups: the one definition (role codes as `core.models.Role` stores them) ------------------

CITY_WIDE_ROLES: frozenset[str] = frozenset({"admin", "city_officer"})  # see every town
OFFICER_ROLES: frozenset[str] = CITY_WIDE_ROLES | {"town_officer"}  # government officers
ORGANISATION_ROLES: frozenset[str] = frozenset({"enterprise", "provider", "bank"})  # act for an organisation


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (Ａ１，) to half-width; the ideographic space to a space."""
    return unicodedata.normalize("NFKC", text)


def normalise_town_text(text: str) -> str:
    """A town name or code as a lookup key: half-width, no spaces, no 镇/街道/街道办事处 suffix."""
    key = _SPACES.sub("", to_halfwidth(str(text or "")))
    if key.isdigit():
        return key
    for suffix in ("街道办事处", "街道办", "街道", "镇"):
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            key = key[: -len(suffix)]
            break
    if key.startswith("中山市"):
        key = key[3:]
    return key


def yuan(value: Decimal | int | str) -> Decimal:
    """A money amount in yuan with two places (half-up, as accountants round a shown figure)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def yuan_down(value: Decimal) -> Decimal:
    """Two places, rounded down: for shares that must never exceed a cap."""
    return value.quantize(CENT, rounding=ROUND_DOWN)


def max_yuan(digits: int = MONEY_DIGITS) -> Decimal:
    """The largest amount a money column of `digits` digits (two after the point) holds: 14 → 999,999,999,999.99."""
    return Decimal(10) ** (digits - 2) - CENT


MAX_YUAN = max_yuan()


def money_json(value: Decimal | int | str | None) -> str | None:
    """Money as JSON carries it (DESIGN decision 6): a string with two decimals; None stays None."""
    return None if value is None else str(yuan(value))


def format_yuan(value: Decimal | None, unit: str = "元") -> str:
    """1234567.5 → '1,234,567.50' (元) or '123.46' (万元)."""
    if value is None:
        return "—"
    if unit == "万元":
        return f"{(Decimal(value) / 10000).quantize(CENT, rounding=ROUND_HALF_UP):,}"
    return f"{yuan(value):,}"


def to_wan(value: Decimal | None) -> Decimal | None:
    """Yuan → 万元 with two places, half-up (as `format_yuan` shows it), for charts and cards."""
    return None if value is None else (Decimal(value) / 10000).quantize(CENT, rounding=ROUND_HALF_UP)


# --- Background jobs: telling a job whose worker died from one still at work -------------------------

UNFINISHED_JOB_STATUSES = ("queued", "running")
ENDED_TASK_STATUSES = ("FAILED", "SUCCESSFUL")  # django-tasks' TaskResultStatus values

STALE_TASK_ENDED = "task_ended"
STALE_NO_HEARTBEAT = "no_heartbeat"


def job_staleness(status: str, *, now: _dt.datetime, stale_after: _dt.timedelta,
                  last_heartbeat: _dt.datetime | None, task_status: str | None = None) -> str | None:
    """Why a job that still says queued/running will never finish, or None while it may.

    - its task has ended (`task_status` FAILED — or SUCCESSFUL — in the task backend) but the job
      was never closed: the worker died or was stopped before `jobs.run` could record the end;
    - it is running and its last sign of life (`last_heartbeat`: the newest of start, heartbeat and
      progress) is older than `stale_after`. A queued job is only waiting for a worker: no deadline.
    """
    if status not in UNFINISHED_JOB_STATUSES:
        return None
    if task_status in ENDED_TASK_STATUSES:
        return STALE_TASK_ENDED
    if status == "running" and last_heartbeat is not None and now - last_heartbeat > stale_after:
        return STALE_NO_HEARTBEAT
    return None


# --- words, not codes ---------------------------------------------------------------------------------------
_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "公司", "集团", "项目", "系统", "改造", "平台", "工厂", "车间",
             "中心", "方案", "服务", "升级", "建设", "管理")
_PUNCTUATION = set(" ，。、；：（）()[]【】《》,.;:/-—_·")


def _script(ch: str) -> str:
    if ch.isascii() and ch.isalnum():
        return "latin"
    if "\u4e00" <= ch <= "\u9fff":
        return "cjk"
    return "other"


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, with '…' when cut: after punctuation
    or a space, between Chinese and Latin letters or digits (…公司|MES…), or after a word that ends a
    name (有限公司, 项目, 系统 …); a hard cut only when no boundary lies in the second half."""
    text = text or ""
    if len(text) <= limit:
        return text
    best = 0
    for end in range(1, limit + 1):
        before, after = text[end - 1], text[end]
        if (before in _PUNCTUATION or after in _PUNCTUATION or _script(before) != _script(after)
                or any(text[:end].endswith(s) for s in _SUFFIXES)):
            best = end
    cut = best if best >= limit // 2 else limit
    return text[:cut].rstrip(" ，、；：,;:-—（(") + "…"


def percent(value: object, places: int = 0) -> str:
    """0.667 → '67%'; None or junk → '—'."""
    try:
        number = Decimal(str(value)) * 100
    except (ArithmeticError, ValueError):
        return "—"
    return f"{number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"
