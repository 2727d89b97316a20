"""Login by username or mobile number, with a throttle on failed attempts."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.utils import timezone

from shuzhuan.core.models import LoginFailure, User


def throttle_keys(username: str, address: str | None) -> list[str]:
    keys = [f"user:{(username or '').strip().lower()}"]
    if address:
        keys.append(f"addr:{address}")
    return keys


def is_locked(keys: list[str]) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    for key in keys:
        if LoginFailure.objects.filter(key=key, at__gte=since).count() >= settings.LOGIN_FAILURE_LIMIT:
            return True
    return False


def note_failure(keys: list[str]) -> None:
    LoginFailure.objects.bulk_create([LoginFailure(key=k) for k in keys])


def clear_failures(keys: list[str]) -> None:
    LoginFailure.objects.filter(key__in=keys).delete()


class UsernameOrMobileBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        login = username.strip()
        user = User.objects.filter(Q(username=login) | Q(mobile=login)).order_by("id").first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
