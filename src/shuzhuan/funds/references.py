"""Ledger references in words: `project:46` is shown as the project's title with a link.

The ledger stores a business reference as `<kind>:<id>`; the app that owns the kind registers a
describer in its AppConfig.ready() (funds imports no higher app):
`register("project", fn)` where `fn(ids: list[str]) -> {id: (label, url)}`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

Describer = Callable[[list[str]], dict[str, tuple[str, str]]]
_DESCRIBERS: dict[str, Describer] = {}


def register(kind: str, describer: Describer) -> None:
    _DESCRIBERS[kind] = describer


def describe(references: Iterable[str]) -> dict[str, tuple[str, str]]:
    """reference → (label, url) for those a registered describer knows (one call per kind)."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for ref in references:
        kind, _sep, ident = (ref or "").partition(":")
        if ident and kind in _DESCRIBERS:
            by_kind[kind].append(ident)
    found: dict[str, tuple[str, str]] = {}
    for kind, ids in by_kind.items():
        for ident, value in _DESCRIBERS[kind](sorted(set(ids))).items():
            found[f"{kind}:{ident}"] = value
    return found
