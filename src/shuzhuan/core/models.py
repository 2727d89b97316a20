"""Accounts, organisations, towns, audit, API tokens and background jobs: what every app stands on."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhuan.core.domain import CITY_WIDE_ROLES, OFFICER_ROLES, ORGANISATION_ROLES  # noqa: F401  (re-exported)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    CITY_OFFICER = "city_officer", _("市工信局")
    TOWN_OFFICER = "town_officer", _("镇街工信部门")
    ENTERPRISE = "enterprise", _("企业")
    PROVIDER = "provider", _("服务商")
    BANK = "bank", _("合作银行")
    EXPERT = "expert", _("评审专家")


def has_role(user: User | AnonymousUser | None, roles: frozenset[str] | set[str] | tuple[str, ...]) -> bool:
    """The one role check: a signed-in superuser, or a user whose role is in `roles`."""
    return bool(user is not None and user.is_authenticated and (user.is_superuser or user.role in roles))


def is_city_wide(user: User | AnonymousUser | None) -> bool:
    """Admin or city officer (or a superuser): sees every town."""
    return has_role(user, CITY_WIDE_ROLES)


def is_officer(user: User | AnonymousUser | None) -> bool:
    """A government officer: admin, city or town officer (or a superuser)."""
    return has_role(user, OFFICER_ROLES)


class TownQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> TownQuerySet:
        return self  # reference data: public

    def resolve(self, text: str) -> Town | None:
        """A town by 12- or 9-digit code, full name or short name (with or without 镇/街道)."""
        from shuzhuan.core.domain import normalise_town_text

        key = normalise_town_text(text)
        if not key:
            return None
        return self.lookup_table().get(key)

    def lookup_table(self) -> dict[str, Town]:
        table: dict[str, Town] = {}
        for town in self.all():
            for alias in town.aliases():
                table.setdefault(alias, town)
        return table


class Town(models.Model):
    """A 镇街 of the city. Loaded from data/towns.csv by migration; towns change, so they are data."""

    code = models.CharField(_("统计用区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=32, unique=True)
    short_name = models.CharField(_("简称"), max_length=16, unique=True)
    kind = models.CharField(_("类型"), max_length=8)  # 镇 / 街道
    former_names = models.CharField(_("曾用名"), max_length=200, blank=True, help_text=_("以逗号分隔"))
    active = models.BooleanField(_("有效"), default=True)

    objects = TownQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("镇街")
        verbose_name_plural = _("镇街")

    def __str__(self) -> str:
        return self.short_name

    def aliases(self) -> list[str]:
        from shuzhuan.core.domain import normalise_town_text

        names = [self.code, self.code[:9], self.name, self.short_name]
        names += [n for n in self.former_names.split(",") if n]
        return [normalise_town_text(n) for n in names]


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    PROVIDER = "provider", _("服务商")
    BANK = "bank", _("银行")
    GOVERNMENT = "government", _("政府部门")
    ASSOCIATION = "association", _("协会")


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> OrganisationQuerySet:
        if is_city_wide(user):
            return self
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.TOWN_OFFICER and user.town_id:
            return self.filter(enterprise__town_id=user.town_id)
        if user.organisation_id:
            return self.filter(pk=user.organisation_id)
        return self.none()


class Organisation(models.Model):
    """Any legal person on the platform, keyed by its 统一社会信用代码."""

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    kind = models.CharField(_("类别"), max_length=16, choices=OrganisationKind.choices, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")

    def __str__(self) -> str:
        return self.name


class PlatformUserManager(UserManager):
    def visible_to(self, user: User | AnonymousUser) -> models.QuerySet[User]:
        if is_city_wide(user):
            return self.all()
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk=user.pk)


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.ENTERPRISE)
    town = models.ForeignKey(Town, verbose_name=_("所属镇街"), null=True, blank=True, on_delete=models.PROTECT)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    mobile = models.CharField(_("手机号"), max_length=11, unique=True, null=True, blank=True)
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)

    objects = PlatformUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="town_officer") | models.Q(town__isnull=False), name="town_officer_has_town"
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=["enterprise", "provider", "bank"]) | models.Q(organisation__isnull=False),
                name="org_role_has_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def city_wide(self) -> bool:
        return is_city_wide(self)


class AuditQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> AuditQuerySet:
        if is_city_wide(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(organisation__in=Organisation.objects.visible_to(user))


class AuditEntry(models.Model):
    """Who did what, when and why. Entries naming an organisation make up its timeline (一企一档)."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(_("操作人"), max_length=64, blank=True)
    action = models.CharField(_("动作"), max_length=64)
    target_type = models.CharField(_("对象类型"), max_length=64)
    target_id = models.CharField(_("对象"), max_length=64)
    organisation = models.ForeignKey(  # PROTECT: deleting an organisation must not erase its history
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    summary = models.CharField(_("摘要"), max_length=300)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    reason = models.TextField(_("原因"), blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organisation", "-at"]), models.Index(fields=["target_type", "target_id"])]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.summary}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> ApiTokenQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self if user.role == Role.ADMIN or user.is_superuser else self.filter(user=user)

    def authenticate(self, raw: str) -> User | None:
        """The active user behind a live token, or None. One raw query (the token's unique hash joined to
        its user): every API call runs it, and compiling the ORM query cost more than running it."""
        user_model = self.model._meta.get_field("user").related_model
        token_table, user_table = connection.ops.quote_name(self.model._meta.db_table), connection.ops.quote_name(user_model._meta.db_table)
        users = list(user_model.objects.raw(
            f"SELECT u.*, t.id AS token_id, t.last_used_at AS token_last_used_at FROM {token_table} t "
            f"JOIN {user_table} u ON u.id = t.user_id WHERE t.key_hash = %s AND t.revoked_at IS NULL",
            [_hash_token(raw)],
        ))
        if not users or not users[0].is_active:
            return None
        user = users[0]
        now, last_used = timezone.now(), user.token_last_used_at
        if last_used is not None and not isinstance(last_used, datetime):  # SQLite: a raw column is text
            last_used = self.model._meta.get_field("last_used_at").to_python(last_used)
        if last_used is not None and timezone.is_naive(last_used):  # stored in UTC
            last_used = timezone.make_aware(last_used, UTC)
        if last_used is None or now - last_used > timedelta(minutes=1):  # not a write per call
            ApiToken.objects.filter(pk=user.token_id).update(last_used_at=now)
        return user


class ApiToken(models.Model):
    """A bearer token for machine clients; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=64, default="cli")
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @classmethod
    def issue(cls, user: User, name: str = "cli") -> tuple[ApiToken, str]:
        raw = "sz_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[:8], key_hash=_hash_token(raw))
        return token, raw


class LoginFailure(models.Model):
    """A failed login, counted per account and per address to throttle guessing."""

    key = models.CharField(max_length=160)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["key", "at"])]

    def __str__(self) -> str:
        return f"{self.key} {self.at:%Y-%m-%d %H:%M}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


class JobQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> JobQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.ADMIN or user.is_superuser:
            return self
        return self.filter(owner=user)


class Job(models.Model):
    """A long piece of work run by a task worker, with persisted progress and result."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(_("类型"), max_length=48)
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    message = models.CharField(_("进度说明"), max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    input_file = models.CharField(max_length=300, blank=True)
    output_file = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # The task backend's id for the enqueued task, to ask whether the worker ended it (`jobs.start`).
    task_id = models.CharField(_("任务编号"), max_length=64, null=True, blank=True)
    # Last sign of life written by the worker, at most every `jobs.HEARTBEAT_INTERVAL` seconds.
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


from shuzhuan.core.models_periodic import PeriodicRun  # noqa: E402, F401  (the scheduler's claims: core.periodic)
