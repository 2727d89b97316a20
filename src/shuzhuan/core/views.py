from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from shuzhuan.core import auth as throttle
from shuzhuan.core import jobs as job_service
from shuzhuan.core import todo
from shuzhuan.core import tokens as tokens_service
from shuzhuan.core.access import page_access
from shuzhuan.core.forms import LoginForm, TokenForm
from shuzhuan.core.models import ApiToken, Job
from shuzhuan.core.navigation import cards_for


@page_access(public=True)
def login_view(request):
    form = LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        account = throttle.account_key(username)
        address = throttle.address_key(request.META.get("REMOTE_ADDR"))
        if throttle.is_locked(account, address):
            form.add_error(None, _("登录失败次数过多，请 15 分钟后再试。"))
        else:
            from django.contrib.auth import authenticate

            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                throttle.note_failure(account, address)
                form.add_error(None, _("用户名或密码不正确。"))
            else:
                throttle.clear_failures(account)
                login(request, user)
                if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                    next_url = ""
                return redirect(next_url or "core:home")
    return render(request, "core/login.html", {"form": form, "next": next_url})


@page_access(public=True)
def admin_login(request):
    """Django admin's own login page would skip the throttle: send it to ours."""
    from django.contrib.auth.views import redirect_to_login

    return redirect_to_login(request.GET.get("next") or "/admin/")


@page_access(public=True)
@require_POST
def logout_view(request):
    logout(request)
    return redirect("core:login")


@page_access(public=True)
def set_language(request):
    return django_set_language(request)


@page_access()
def home(request):
    today = timezone.localdate()
    todos = [(item, item.overdue(today)) for item in todo.items_for(request)]
    return render(request, "core/home.html", {"cards": cards_for(request), "todos": todos})


@page_access()
def job_list(request):
    jobs = Job.objects.visible_to(request.user).select_related("owner")[:200]
    rows = [(job, job_service.snapshot(job)) for job in jobs]
    return render(request, "core/jobs.html", {"rows": rows})


@page_access()
def job_detail(request, job_id):
    job = get_object_or_404(Job.objects.visible_to(request.user), pk=job_id)
    context = {"job": job, "progress": job_service.snapshot(job)}
    if request.headers.get("HX-Request"):
        response = render(request, "core/_job_progress.html", context)
        if job.finished and request.GET.get("reload"):
            response["HX-Refresh"] = "true"
        return response
    return render(request, "core/job_detail.html", context)


@page_access()
def job_download(request, job_id):
    job = get_object_or_404(Job.objects.visible_to(request.user), pk=job_id)
    if not job.output_file:
        raise Http404
    path = job_service.private_path(job.output_file)
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result.get("output_name") or path.name)


@page_access()
def token_list(request):
    tokens = ApiToken.objects.visible_to(request.user).filter(user=request.user, revoked_at__isnull=True)
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _token, raw = tokens_service.issue(request.user, request.user, form.cleaned_data["name"])
        messages.success(request, _("令牌已生成，请立即复制保存：它只显示这一次。"))
    return render(request, "core/tokens.html", {"tokens": tokens, "form": form, "raw": raw})


@page_access()
@require_POST
def token_revoke(request, token_id):
    token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=token_id, user=request.user)
    tokens_service.revoke(request.user, token)
    messages.success(request, _("令牌已作废。"))
    return redirect("core:tokens")


@page_access(public=True)
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # report, don't crash: operators poll this; details go to the log, not the caller
        import logging

        logging.getLogger(__name__).exception("healthz: database unreachable")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


def forbidden(request, exception=None):
    return render(request, "403.html", {"title": _("无权访问"), "text": _("当前账号无权访问此页面。")}, status=403)


def not_found(request, exception=None):
    return render(request, "404.html", {"title": _("页面不存在"), "text": _("您要找的页面不存在，或您无权查看。")}, status=404)


def server_error(request):
    """A page that needs no database, no session and no context processor: whatever broke may be one of them."""
    from django.template import loader

    try:
        body = loader.get_template("500.html").render({})
    except Exception:  # the template itself failing must not hide the error page
        body = _("服务器内部错误，请稍后再试。")
        return HttpResponse(body, status=500, content_type="text/plain; charset=utf-8")
    return HttpResponse(body, status=500)
