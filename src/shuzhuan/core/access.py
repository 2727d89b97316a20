"""Every route declares who may call it; object scope comes from each model's `visible_to(user)`.

A page view is wrapped with `@page_access(...)`, an API operation declared with `@api_access(...)`.
The declaration is kept on the function (`.access`) so the scope test can prove every route has one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from shuzhuan.core.domain import CITY_WIDE_ROLES, OFFICER_ROLES
from shuzhuan.core.models import Role, has_role

ALL_ROLES: frozenset[str] = frozenset(Role.values)
OFFICERS: frozenset[str] = OFFICER_ROLES  # names for `@page_access(*OFFICERS)`; defined in core.domain
CITY: frozenset[str] = CITY_WIDE_ROLES


@dataclass(frozen=True)
class Access:
    public: bool
    roles: frozenset[str]

    def allows(self, user: Any) -> bool:
        if self.public:
            return True
        return has_role(user, self.roles)


def _declare(roles: Iterable[str], public: bool) -> Access:
    return Access(public=public, roles=frozenset(roles) if roles else (frozenset() if public else ALL_ROLES))


def page_access(*roles: str, public: bool = False) -> Callable:
    """Pages: anonymous users go to the login page, users of other roles get 403."""
    policy = _declare(roles, public)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not policy.allows(request.user):
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access = policy  # type: ignore[attr-defined]
        return wrapped

    return decorate


def api_access(*roles: str, public: bool = False) -> Callable:
    """API operations: declares the policy; `shuzhuan.api.auth.enforce_policies` applies it in each
    operation's auth step (401 without credentials, 403 for a role not allowed), before validation."""
    policy = _declare(roles, public)

    def decorate(view: Callable) -> Callable:
        view.access = policy  # type: ignore[attr-defined]
        return view

    return decorate
