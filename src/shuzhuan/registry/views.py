from django.shortcuts import render

from shuzhuan.core.access import OFFICERS, page_access


def key_figures(request):
    return []


@page_access(*OFFICERS)
def enterprise_list(request):
    return render(request, "core/home.html", {})


@page_access("enterprise")
def mine(request):
    return render(request, "core/home.html", {})


@page_access(*OFFICERS)
def import_placeholder(request):
    return render(request, "core/home.html", {})


@page_access()
def enterprise_detail(request, uscc):
    return render(request, "core/home.html", {})
