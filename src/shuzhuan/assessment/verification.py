"""The city marks an indicator set's level rule as verified against a named document (issue 10 item 16).

The data file's `unverified` flag stays as it is (it says where the numbers came from); a stored,
audited verification for the set's current version makes reports state the document instead of the
"unverified" note. A new version of the data file needs a new verification.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shuzhuan.assessment import indicator_sets
from shuzhuan.assessment.domain.model import IndicatorSet
from shuzhuan.assessment.models import IndicatorSetVerification
from shuzhuan.core import audit
from shuzhuan.core.models import is_city_wide


class VerificationError(Exception):
    """Refused for a reason the user can act on (Chinese message)."""


def current(indicator_set: IndicatorSet) -> IndicatorSetVerification | None:
    """The latest verification of this set's current version, if any."""
    return (IndicatorSetVerification.objects.filter(indicator_set=indicator_set.id, version=indicator_set.version)
            .select_related("verified_by").first())


def needs_note(indicator_set: IndicatorSet) -> bool:
    return bool(indicator_set.level_rule.unverified)


def rule_note(indicator_set: IndicatorSet) -> str | None:
    """The line a report prints about the level rule's source: the verifying document, the
    "unverified" warning, or nothing when the data file cites an official source."""
    found = current(indicator_set)
    if found is not None:
        where = f"（{found.article}）" if found.article else ""
        return _("等级规则已由市工信局于 %(day)s 对照《%(doc)s》%(where)s核实") % {
            "day": found.verified_at.date().isoformat(), "doc": found.document.strip("《》"), "where": where}
    if needs_note(indicator_set):
        return _("等级规则取自二手资料，尚未对照工信部正式文件核实")
    return None


@transaction.atomic
def verify(actor: Any, set_id: str, document: str, article: str = "") -> IndicatorSetVerification:
    if not is_city_wide(actor):
        raise VerificationError(_("只有市工信局可以核实指标体系"))
    try:
        indicator_set = indicator_sets.load(set_id)
    except indicator_sets.UnknownIndicatorSet:
        raise VerificationError(_("没有这个指标体系")) from None
    document, article = document.strip(), article.strip()
    if len(document) < 4:
        raise VerificationError(_("请填写核实所依据的正式文件名称和文号"))
    row = IndicatorSetVerification.objects.create(indicator_set=indicator_set.id, version=indicator_set.version,
                                                  document=document[:200], article=article[:100], verified_by=actor)
    audit.record(actor, "assessment.indicator_set_verified", row,
                 _("核实指标体系「%(title)s」（%(version)s 版）的等级规则：依据《%(doc)s》%(article)s") % {
                     "title": indicator_set.title, "version": indicator_set.version, "doc": document.strip("《》"),
                     "article": f"（{article}）" if article else ""})
    return row
