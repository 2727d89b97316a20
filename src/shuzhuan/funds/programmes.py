"""What the ledger knows about programmes: the catalogue a higher app registers in its `ready()`.

The ledger sits below the programmes (`core` ← `registry` ← `funds` ← … ← `programs`), so it
never imports them. It needs, per programme code, the title, the dated versions with their fund
sources (code, label, weight) and the purpose rule; `shuzhuan.programs` registers its loader with
`register_catalogue(available, load)`. The shapes below are what the ledger reads, as protocols.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Protocol

from shuzhuan.core.money import PurposeRule


class FundSourceSpec(Protocol):
    code: str
    label: str
    weight: Decimal


class FundedVersion(Protocol):
    effective_from: dt.date
    fund_sources: tuple[FundSourceSpec, ...]
    purpose_rule: PurposeRule | None

    @property
    def shares(self) -> dict[str, Decimal]: ...


class FundedProgramme(Protocol):
    code: str
    title: str

    @property
    def versions(self) -> Sequence[FundedVersion]: ...

    def version_on(self, on: dt.date) -> FundedVersion | None: ...


class UnknownProgramme(LookupError):
    """No programme with this code is registered."""


_available: Callable[[], list[str]] | None = None
_load: Callable[[str], FundedProgramme] | None = None


def register_catalogue(available: Callable[[], list[str]], load: Callable[[str], FundedProgramme]) -> None:
    """Called once by the app that owns the programmes (`ProgramsConfig.ready`). `load` raises a
    `LookupError` for an unknown code."""
    global _available, _load
    _available, _load = available, load


def available() -> list[str]:
    return _available() if _available is not None else []


def load(code: str) -> FundedProgramme:
    if _load is None:
        raise UnknownProgramme(code)
    try:
        return _load(code)
    except LookupError:
        raise UnknownProgramme(code) from None
