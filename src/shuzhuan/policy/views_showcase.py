"""标杆示范: the public showcase of cases from the recognitions registry (what was done, results,
provider), filterable by industry and town, and the officers' list of every recognition."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from shuzhuan.core.access import OFFICERS, page_access
from shuzhuan.core.models import Role, Town, is_city_wide
from shuzhuan.policy.models import Recognition, RecognitionKind

PAGE_SIZE = 30
SHOWCASE_KINDS = [k for k in RecognitionKind.values if k != RecognitionKind.ON_CLOUD]  # 8,500 on-cloud are counted, not cases


def _divisions() -> list[tuple[str, str]]:
    from shuzhuan.registry.models import IndustryClass

    return list(IndustryClass.objects.filter(level="division").order_by("code")
                .values_list("code", "name"))


class ShowcaseFilter(forms.Form):
    """The query parameters, validated: an unknown town or industry is a form error (the page shows
    every case), never a 500."""

    industry = forms.ChoiceField(label=_("行业"), required=False)
    town = forms.ChoiceField(label=_("镇街"), required=False)
    kind = forms.ChoiceField(label=_("类别"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=100000, widget=forms.HiddenInput)

    def __init__(self, *args, kinds=SHOWCASE_KINDS, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].choices = [("", _("全部行业")), *[(c, f"{c} {n}") for c, n in _divisions()]]
        self.fields["town"].choices = [("", _("全部镇街")), *Town.objects.filter(active=True).values_list("code", "name")]
        self.fields["kind"].choices = [("", _("全部类别")), *[(k, RecognitionKind(k).label) for k in kinds]]

    def apply(self, queryset):
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("industry"):
            queryset = queryset.filter(organisation__enterprise__industry__code__startswith=data["industry"])
        if data.get("town"):
            queryset = queryset.filter(organisation__enterprise__town__code=data["town"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        return queryset


def _page(request, queryset):
    number = request.GET.get("page", "1")
    return Paginator(queryset, PAGE_SIZE).get_page(number if str(number).isdigit() else 1)


@page_access(public=True)
def showcase(request):
    recognitions = Recognition.objects.visible_to(request.user)
    form = ShowcaseFilter(request.GET or None)
    cases = form.apply(recognitions.filter(kind__in=SHOWCASE_KINDS)).select_related(
        "organisation__enterprise__town", "organisation__enterprise__industry")
    totals = dict(recognitions.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    figures = [(RecognitionKind(k).label, totals.get(k, 0)) for k in RecognitionKind.values if totals.get(k)]
    return render(request, "policy/showcase.html", {"form": form, "page": _page(request, cases), "figures": figures})


@page_access(*OFFICERS)
def recognitions(request):
    rows = Recognition.objects.visible_to(request.user)
    if not is_city_wide(request.user) and request.user.role == Role.TOWN_OFFICER:
        rows = rows.filter(organisation__enterprise__town_id=request.user.town_id)  # the town's own firms
    form = ShowcaseFilter(request.GET or None, kinds=RecognitionKind.values)
    rows = form.apply(rows).select_related("organisation__enterprise__town")
    return render(request, "policy/recognitions.html", {"form": form, "page": _page(request, rows),
                                                        "count": rows.count()})
