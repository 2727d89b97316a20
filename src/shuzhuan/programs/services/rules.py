"""The programme's subsidy rules and target sub-industries."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext

from shuzhuan.programs import programmes
from shuzhuan.programs.domain.model import Controls, ProgrammeVersion
from shuzhuan.programs.models import (
    Programme,
)
from shuzhuan.programs.services.common import ServiceError, _today


def rules_version(programme: Programme, on: dt.date | None = None) -> ProgrammeVersion:
    """The subsidy rules (the data file with the programme's code) in force on a day."""
    try:
        rules = programmes.load(programme.code)
    except programmes.UnknownProgramme:
        raise ServiceError(gettext("找不到计划「%(name)s」的奖补规则文件（%(code)s.yaml）") % {"name": programme.name, "code": programme.code}) from None
    day = on or _today()
    version = rules.version_on(day)
    if version is None:
        raise ServiceError(gettext("%(day)s 不在「%(title)s」任何规则版本的有效期内（%(periods)s）") % {"day": day.isoformat(), "title": rules.title, "periods": rules.periods})
    return version


def categories(programme: Programme) -> dict[str, str]:
    """Cost categories of the programme's current rules (eligible first), code → label."""
    try:
        version = rules_version(programme)
    except ServiceError:
        return {}
    return {**version.eligible_categories, **version.excluded_categories}


def targets(programme: Programme, on: dt.date | None = None) -> dict[str, tuple[str, frozenset[str]]]:
    """The programme's target sub-industries: code → (name, GB/T 4754 classes)."""
    from shuzhuan.registry import sub_industries

    found: dict[str, tuple[str, frozenset[str]]] = {}
    for code in programme.sub_industries or []:
        sub = sub_industries.get(code, on)
        if sub is not None:
            found[code] = (sub.name, sub.classes)
    return found


def sub_industry_names(programme: Programme) -> dict[str, str]:
    return {code: name for code, (name, _classes) in targets(programme).items()}


def controls(programme: Programme) -> Controls:
    """The programme's separation-of-duties rules (none when its data file has no `controls`)."""
    try:
        return programmes.load(programme.code).controls
    except programmes.UnknownProgramme:
        return Controls()
