"""Template helpers: money in 元/万元, sortable column headers, query strings that keep filters."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html

from shuzhuan.core.domain import clip as clip_text
from shuzhuan.core.domain import format_yuan
from shuzhuan.core.domain import percent as percent_text

register = template.Library()


@register.filter
def yuan(value: Decimal | None) -> str:
    return format_yuan(value)


@register.filter
def wanyuan(value: Decimal | None) -> str:
    return format_yuan(value, "万元")


@register.filter
def percent(value) -> str:
    """A share (0.667) in words: 67%."""
    return percent_text(value)


@register.filter
def clip(value, limit: int = 30) -> str:
    """Text cut at a word boundary (never mid-word, e.g. not …有限公MES…), the whole text as a tooltip."""
    text = "" if value is None else str(value)
    short = clip_text(text, int(limit))
    if short == text:
        return text
    return format_html('<span title="{}">{}</span>', text, short)


@register.filter
def num(value: int | Decimal | None) -> str:
    """An integer with thousands separators; — when missing."""
    return "—" if value is None or value == "" else f"{value:,}"


@register.simple_tag(takes_context=True)
def query(context, **changes) -> str:
    """The current query string with some parameters changed (None removes one); page resets."""
    params = context["request"].GET.copy()
    if "page" not in changes:
        params.pop("page", None)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sort_th(context, field: str, label: str, css: str = "") -> str:
    """A <th> whose link sorts by `field`, toggling the direction; shows the current direction."""
    current = context["request"].GET.get("sort", "")
    if current == field:
        target, arrow, aria = f"-{field}", " ▲", "ascending"
    elif current == f"-{field}":
        target, arrow, aria = field, " ▼", "descending"
    else:
        target, arrow, aria = field, "", "none"
    href = query(context, sort=target)
    return format_html('<th class="{}" aria-sort="{}"><a href="{}">{}{}</a></th>', css, aria, href, label, arrow)
