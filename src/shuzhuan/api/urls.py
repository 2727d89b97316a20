"""The /api/ URL space: the ninja API under v1/, and the error envelope — never Django's HTML page —
for a path nothing routes (404) or a method an operation does not accept (405).

Included from `shuzhuan.urls` as `path("api/", include("shuzhuan.api.urls"))`; the catch-all comes
last, so it only answers what the API's own patterns did not match."""

from __future__ import annotations

from functools import wraps

from django.http import Http404, HttpResponseNotAllowed
from django.urls import URLPattern, path, re_path
from django.views.decorators.csrf import csrf_exempt

from shuzhuan.api.api import api
from shuzhuan.core.access import page_access
from shuzhuan.core.api_errors import envelope

NOT_FOUND_MESSAGE = "接口不存在，请检查请求路径"


def not_found(request):
    return envelope(api, request, 404, "not_found", NOT_FOUND_MESSAGE)


def not_allowed(request, allowed: str):
    response = envelope(api, request, 405, "method_not_allowed", f"该接口不支持 {request.method} 请求")
    response["Allow"] = allowed
    return response


def _in_envelope(view):
    """ninja answers a wrong method with a bare `HttpResponseNotAllowed` ("Method not allowed", as
    text/html), and its root view raises Http404 (Django's HTML page): give both the envelope."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return not_found(request)
        if isinstance(response, HttpResponseNotAllowed):
            return not_allowed(request, response["Allow"])
        return response

    return wrapped


def api_patterns():
    """`api.urls` (patterns, app name, namespace) with every view answering errors in the envelope.
    The API's views are all synchronous (ninja would hand an async view for an async operation)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _in_envelope(pattern.callback)
    return patterns, app_name, namespace


@page_access(public=True)  # nothing to protect: every caller gets the same 404
@csrf_exempt  # a POST to a wrong path gets the 404 envelope, not the CSRF failure page
def unknown_path(request):
    return not_found(request)


urlpatterns = [
    path("v1/", api_patterns()),
    re_path(r"", unknown_path),  # last: whatever under /api/ the API did not route
]
