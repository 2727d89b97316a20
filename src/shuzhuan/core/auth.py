"""Login by username or mobile number, with throttles on failed attempts.

Two counters within a window: per account (the user resolved from a username or a mobile number, so
both spellings count together) and per client address with a much higher limit (an office behind one
NAT must not be locked out by a few typos). A successful login clears the account counter only.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.utils import timezone

from shuzhuan.core.models import LoginFailure, User


def find_user(login: str) -> User | None:
    login = (login or "").strip()
    if not login:
        return None
    return User.objects.filter(Q(username=login) | Q(mobile=login)).order_by("id").first()


def account_key(login: str) -> str:
    user = find_user(login)
    return f"user:{user.pk}" if user else f"name:{(login or '').strip().lower()[:140]}"


def address_key(address: str | None) -> str | None:
    return f"addr:{address}" if address else None


def _failures(key: str) -> int:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return LoginFailure.objects.filter(key=key, at__gte=since).count()


def is_locked(account: str, address: str | None) -> bool:
    if _failures(account) >= settings.LOGIN_FAILURE_LIMIT:
        return True
    return address is not None and _failures(address) >= settings.LOGIN_FAILURE_ADDRESS_LIMIT


def note_failure(account: str, address: str | None) -> None:
    LoginFailure.objects.bulk_create([LoginFailure(key=k) for k in (account, address) if k])


def clear_failures(account: str) -> None:
    LoginFailure.objects.filter(key=account).delete()


class UsernameOrMobileBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = find_user(username)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
