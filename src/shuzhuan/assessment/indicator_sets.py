"""The indicator sets shipped as data files (`data/<id>.yaml`), parsed once per process.

A city's own variant is another file here; no code changes. An id is a file name, never a path.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

from shuzhuan.assessment.domain.model import IndicatorSet, parse_indicator_set

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT = "miit-2024"
_ID = re.compile(r"^[a-z0-9][a-z0-9.-]*$")


class UnknownIndicatorSet(LookupError):
    pass


def available() -> list[str]:
    return sorted(p.stem for p in DATA_DIR.glob("*.yaml"))


@cache
def load(set_id: str = DEFAULT) -> IndicatorSet:
    path = DATA_DIR / f"{set_id}.yaml"
    if not _ID.match(set_id) or not path.is_file():
        raise UnknownIndicatorSet(set_id)
    with path.open(encoding="utf-8") as fh:
        indicator_set = parse_indicator_set(yaml.safe_load(fh))
    if indicator_set.id != set_id:
        raise UnknownIndicatorSet(f"{set_id}: the file declares id {indicator_set.id}")
    return indicator_set


def level_names(set_id: str = DEFAULT) -> tuple[str, ...]:
    """The level names (index = level, 0 = below the first level) as the indicator set's data file
    defines them: every app's labels come from here."""
    return load(set_id).level_names
