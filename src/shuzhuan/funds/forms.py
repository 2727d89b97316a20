from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhuan.core.forms import BootstrapMixin
from shuzhuan.funds import programmes
from shuzhuan.funds.models import Kind, Purpose, SourceCode
from shuzhuan.funds.services import MAX_AMOUNT


def programme_choices() -> list[tuple[str, str]]:
    return [(code, programmes.load(code).title) for code in programmes.available()]


def purpose_rule_texts() -> list[str]:
    """Each programme's purpose rule in words, from its data file (the version in force), with its source."""
    from shuzhuan.funds.services import version_for

    def format_fraction(share: Decimal) -> str:  # Decimal("0.80") → "80%"
        return f"{(share * 100).normalize():f}%"

    texts = []
    for code in programmes.available():
        programme = programmes.load(code)
        version = version_for(programme)
        rule = version.purpose_rule
        if rule is None:
            continue
        labels = {s.code: s.label for s in version.fund_sources}
        cited = version.citations.get("purpose_rule")
        texts.append(_("%(programme)s：%(sources)s资金至少 %(direct)s 直接补助中小企业，公共服务至多 %(public)s（%(source)s）") % {
            "programme": programme.title, "sources": "、".join(str(labels.get(s, s)) for s in rule.applies_to),
            "direct": format_fraction(rule.direct_sme_min), "public": format_fraction(rule.public_services_max),
            "source": cited.document if cited else _("计划规则")})
    return texts


class AllocationForm(BootstrapMixin, forms.Form):
    programme = forms.ChoiceField(label=_("奖补计划"))
    source = forms.ChoiceField(label=_("资金来源"), choices=SourceCode.choices)
    purpose = forms.ChoiceField(label=_("用途"), choices=Purpose.choices, initial=Purpose.DIRECT_SME)
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"),
                                max_value=MAX_AMOUNT)
    memo = forms.CharField(label=_("摘要"), max_length=300, required=False,
                           help_text=_("如资金文号：财建〔2024〕×号 第一批"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = programme_choices()
        self.fields["purpose"].help_text = "；".join(purpose_rule_texts())


class LedgerFilterForm(BootstrapMixin, forms.Form):
    programme = forms.ChoiceField(label=_("奖补计划"), required=False)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部"))] + list(Kind.choices))
    reference = forms.CharField(label=_("业务编号"), required=False, max_length=64,
                                help_text=_("台账内部编号，如某项目的承诺与兑现：project:项目号"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [("", _("全部"))] + programme_choices()

    def apply(self, queryset):
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["programme"]:
            queryset = queryset.filter(programme=data["programme"])
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["reference"]:
            queryset = queryset.filter(reference__icontains=data["reference"].strip())
        return queryset
