"""Sessions for pages, bearer tokens for machine clients. Anonymous calls reach public routes."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from shuzhuan.core.models import ApiToken


class OptionalAuth:
    """Resolve request.user from `Authorization: Bearer …` or the session; never rejects by itself.

    Each operation's `@api_access` decides who may call it, so public routes stay public and the
    401/403 answers come in the common error envelope.
    """

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            user = ApiToken.objects.authenticate(header[7:].strip())
            request.user = user or AnonymousUser()
            request.auth_via = "token" if user else "invalid-token"
            return request.user if user else _Anonymous
        if request.user.is_authenticated:
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                from django.middleware.csrf import CsrfViewMiddleware

                reason = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
                if reason is not None:
                    return None
            request.auth_via = "session"
            return request.user
        return _Anonymous


_Anonymous = AnonymousUser()
