"""What the ledger knows about programmes: the catalogue a higher app registers in its `ready()`.

The ledger sits below the programmes (`core` ← `registry` ← `funds` ← … ← `programs`), so it
never imports them. It needs, per programme code, the title, the dated versions with their fund
sources (code, label, weight) and the purpose rule; `shuzhuan.programs` registers its loader with
`register_catalogue(available, load)`. Other owners of budget lines register their own catalogue
under their name — `shuzhuan.policy` registers one line owner per policy (免申即享 payouts) with
`register_catalogue(available, load, owner="policy")` — and a code is looked up in each catalogue in
the order they were registered. The shapes below are what the ledger reads, as protocols.
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


Catalogue = tuple[Callable[[], list[str]], Callable[[str], FundedProgramme]]
_catalogues: dict[str, Catalogue] = {}


def register_catalogue(available: Callable[[], list[str]], load: Callable[[str], FundedProgramme],
                       owner: str = "programs") -> None:
    """Called once per owner of budget lines in its `AppConfig.ready` (`ProgramsConfig`, `PolicyConfig`).
    `load` raises a `LookupError` for an unknown code. Registering the same owner again replaces it."""
    _catalogues[owner] = (available, load)


def available() -> list[str]:
    codes: list[str] = []
    for list_codes, _load in _catalogues.values():
        codes += [code for code in list_codes() if code not in codes]
    return codes


def load(code: str) -> FundedProgramme:
    for _available, load_one in _catalogues.values():
        try:
            return load_one(code)
        except LookupError:
            continue
    raise UnknownProgramme(code)
