"""Sessions for pages, bearer tokens for machine clients; each operation's declared policy is
checked here, before its input is validated, so an anonymous caller gets 401, not a 422."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from shuzhuan.core.access import Access
from shuzhuan.core.models import ApiToken


def resolve_user(request):
    """request.user from `Authorization: Bearer …` or the session (with its CSRF check)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        request.user = ApiToken.objects.authenticate(header[7:].strip()) or AnonymousUser()
        return request.user
    if request.user.is_authenticated and request.method not in ("GET", "HEAD", "OPTIONS"):
        from django.middleware.csrf import CsrfViewMiddleware

        if CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is not None:
            from shuzhuan.core.api_errors import ApiError

            raise ApiError(403, "csrf", _("CSRF 校验失败：请刷新页面后重试，或使用访问令牌"))
    return request.user


class PolicyAuth:
    """The auth step of one operation: resolves the user, then applies the operation's `Access`."""

    def __init__(self, policy: Access | None):
        self.policy = policy

    def __call__(self, request):
        from shuzhuan.core.api_errors import ApiError

        user = resolve_user(request)
        if self.policy is None:
            raise ApiError(403, "forbidden", _("该接口未声明访问策略"))
        if not self.policy.allows(user):
            if not user.is_authenticated:
                raise ApiError(401, "unauthenticated", _("需要登录或提供有效的访问令牌"))
            raise ApiError(403, "forbidden", _("当前角色无权访问该接口"))
        return user if user.is_authenticated else _ANONYMOUS_OK


class _Anonymous(AnonymousUser):
    def __bool__(self) -> bool:  # ninja treats a falsy auth result as "not authenticated"
        return True


_ANONYMOUS_OK = _Anonymous()


def all_operations(api):
    """Every operation of the API, nested routers included."""

    def walk(router):
        for path_view in router.path_operations.values():
            yield from path_view.operations
        for _prefix, child in getattr(router, "_routers", []):
            yield from walk(child)

    for _prefix, router in api._routers:
        yield from walk(router)


def enforce_policies(api) -> None:
    """Give every operation its own PolicyAuth from the `.access` its view declared (@api_access);
    an operation that declared none gets PolicyAuth(None), which refuses every call (fails closed)."""
    for operation in all_operations(api):
        operation.auth_callbacks = [PolicyAuth(getattr(operation.view_func, "access", None))]
