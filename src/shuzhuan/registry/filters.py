"""The enterprise list's filters and sorting, shared by the page, the XLSX export and the API."""

from __future__ import annotations

import re

from django import forms
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from shuzhuan.core.forms import BootstrapMixin
from shuzhuan.core.models import Town
from shuzhuan.registry.domain import normalise_uscc
from shuzhuan.registry.models import Enterprise, IndustryClass, SizeClass, ZjtxTier

TAGS = {
    "zjtx": (_("专精特新（任一层级）"), ~Q(zjtx_tier="")),
    "little_giant": (_("专精特新“小巨人”"), Q(zjtx_tier=ZjtxTier.LITTLE_GIANT)),
    "high_tech": (_("高新技术企业"), Q(high_tech=True)),
    "chain_leader": (_("链主企业"), Q(chain_leader=True)),
    "cultivation": (_("上规上限培育库"), Q(cultivation_directory=True)),
    "on_cloud": (_("上云用平台"), Q(on_cloud=True)),
}

SORTS = {
    "name": "organisation__name",
    "uscc": "organisation__uscc",
    "town": "town__code",
    "industry": "industry_id",
    "employees": "employees",
    "revenue": "revenue",
    "founded": "founded_on",
    "updated": "updated_at",
}


def industry_choices() -> list[tuple[str, str]]:
    rows = IndustryClass.objects.filter(level__in=["division", "group"]).order_by("code").values_list("code", "name", "level")
    return [("", _("全部行业"))] + [(c, f"{c} {n}" if lvl == "division" else f"\u3000{c} {n}") for c, n, lvl in rows]


USCC_SHAPE = re.compile(r"[0-9A-Z]{18}")
CODE_PREFIX = re.compile(r"[0-9A-Z]{2,17}")


def _known_industry(value: str) -> bool:
    return IndustryClass.objects.filter(code=value).exists()


class EnterpriseFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("企业名称或统一社会信用代码")}))
    town = forms.ModelChoiceField(label=_("镇街"), queryset=Town.objects.all(), required=False, empty_label=_("全部镇街"),
                                  to_field_name="short_name")
    industry = forms.ChoiceField(label=_("行业"), required=False)
    size = forms.ChoiceField(label=_("规模"), required=False, choices=[("", _("全部规模"))] + list(SizeClass.choices))
    above_scale = forms.ChoiceField(label=_("规上"), required=False,
                                    choices=[("", _("不限")), ("1", _("规模以上")), ("0", _("规模以下"))])
    tag = forms.ChoiceField(label=_("标签"), required=False, choices=[("", _("全部标签"))] + [(k, v[0]) for k, v in TAGS.items()])
    sort = forms.CharField(required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].choices = industry_choices()
        self.fields["industry"].valid_value = _known_industry  # the API and links may name a 4-digit class
        if user is not None and user.is_authenticated and user.role == "town_officer":
            self.fields["town"].queryset = Town.objects.filter(pk=user.town_id)

    def apply(self, queryset: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
        """Apply the valid filters; an invalid one is dropped alone (the page shows its error)."""
        self.is_valid()
        data = self.cleaned_data
        text = (data.get("q") or "").strip()
        if text:
            code = normalise_uscc(text)
            if USCC_SHAPE.fullmatch(code):
                queryset = queryset.filter(organisation__uscc=code)
            elif CODE_PREFIX.fullmatch(code):
                queryset = queryset.filter(Q(organisation__name__icontains=text) | Q(organisation__uscc__startswith=code))
            else:
                queryset = queryset.filter(organisation__name__icontains=text)
        if data.get("town"):
            queryset = queryset.filter(town=data["town"])
        industry = data.get("industry")
        if industry:  # a code prefix as a range, so an index serves it on every database
            queryset = queryset.filter(industry_id__gte=industry, industry_id__lt=industry[:-1] + chr(ord(industry[-1]) + 1))
        if data.get("size"):
            queryset = queryset.filter(size_class=data["size"])
        if data.get("above_scale") in ("0", "1"):
            queryset = queryset.filter(above_scale=data["above_scale"] == "1")
        if data.get("tag") in TAGS:
            queryset = queryset.filter(TAGS[data["tag"]][1])
        return queryset.order_by(*self.ordering())

    def ordering(self) -> list:
        self.is_valid()
        raw = self.cleaned_data.get("sort") or ""
        field = SORTS.get(raw.lstrip("-"))
        if field is None:
            return ["organisation__name", "organisation_id"]
        expr = F(field).desc(nulls_last=True) if raw.startswith("-") else F(field).asc(nulls_last=True)
        return [expr, "organisation_id"]
