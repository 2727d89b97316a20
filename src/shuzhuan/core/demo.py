"""Demo accounts: one per role, one shared password, created once (re-running changes nothing).

The caller passes the organisations the accounts belong to (the enterprise comes from the
registry's generator; core does not reach into other apps). Provider and bank organisations are
fictional and created here when missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from shuzhuan.core import audit
from shuzhuan.core.models import Organisation, OrganisationKind, Role, Town, User

DEMO_PASSWORD = "shuzhuan-demo"
DEMO_TOWN = "古镇"


@dataclass(frozen=True)
class DemoOrganisation:
    """A fictional organisation a demo account belongs to (DESIGN decision 10: no real names)."""

    kind: str
    name: str
    number: int  # its USCC is made from this by the caller's `uscc_for`


DEMO_PROVIDER = DemoOrganisation(OrganisationKind.PROVIDER, "中山市澜岳数智科技有限公司", 1)
DEMO_BANK = DemoOrganisation(OrganisationKind.BANK, "岐澜银行股份有限公司中山分行", 2)


@dataclass(frozen=True)
class DemoAccountSpec:
    username: str
    role: str
    display_name: str
    mobile: str


DEMO_ACCOUNTS = (
    DemoAccountSpec("admin", Role.ADMIN, "系统管理员（演示）", "13800000001"),
    DemoAccountSpec("city", Role.CITY_OFFICER, "市工信局（演示）", "13800000002"),
    DemoAccountSpec("guzhen", Role.TOWN_OFFICER, "古镇镇工信办（演示）", "13800000003"),
    DemoAccountSpec("qiye", Role.ENTERPRISE, "企业用户（演示）", "13800000004"),
    DemoAccountSpec("fuwushang", Role.PROVIDER, "服务商用户（演示）", "13800000005"),
    DemoAccountSpec("yinhang", Role.BANK, "银行用户（演示）", "13800000006"),
    DemoAccountSpec("zhuanjia", Role.EXPERT, "评审专家（演示）", "13800000007"),
)


@dataclass(frozen=True)
class DemoAccount:
    """One line of the table printed at the end of `demo-data --accounts` (an existing account is
    reported with the demo password it was created with; it is not changed)."""

    username: str
    role: str
    scope: str
    password: str
    mobile: str
    created: bool

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


def ensure_organisation(spec: DemoOrganisation, uscc_for: Callable[[int], str]) -> Organisation:
    org, created = Organisation.objects.get_or_create(
        uscc=uscc_for(spec.number), defaults={"name": spec.name, "kind": spec.kind}
    )
    if created:
        audit.record(None, "create", org, f"创建演示组织 {org.name}", organisation=org)
    return org


@transaction.atomic
def ensure_demo_accounts(
    enterprise: Organisation | None, uscc_for: Callable[[int], str], password: str = DEMO_PASSWORD,
    provider: Organisation | None = None,
) -> list[DemoAccount]:
    """Create the missing demo accounts; existing ones are left exactly as they are.

    `enterprise`: the organisation of the enterprise account (None: that account is skipped).
    `uscc_for(number)`: a USCC for the fictional provider and bank organisations.
    `provider`: the provider account's organisation (e.g. one of the demo pool); a fictional one if None.
    """
    town = Town.objects.resolve(DEMO_TOWN)
    scopes: dict[str, tuple[Town | None, Organisation | None, str]] = {
        Role.ADMIN: (None, None, "全市（系统管理）"),
        Role.CITY_OFFICER: (None, None, "全市"),
        Role.TOWN_OFFICER: (town, None, DEMO_TOWN),
        Role.PROVIDER: (None, provider or ensure_organisation(DEMO_PROVIDER, uscc_for), ""),
        Role.BANK: (None, ensure_organisation(DEMO_BANK, uscc_for), ""),
        Role.EXPERT: (None, None, "分配给本人的评审事项"),
    }
    if enterprise is not None:
        scopes[Role.ENTERPRISE] = (None, enterprise, "")
    rows = []
    for spec in DEMO_ACCOUNTS:
        if spec.role not in scopes or (spec.role == Role.TOWN_OFFICER and town is None):
            continue
        user_town, org, scope = scopes[spec.role]
        user = User.objects.filter(username=spec.username).select_related("town", "organisation").first()
        created = user is None
        if user is None:
            mobile_free = not User.objects.filter(mobile=spec.mobile).exists()
            user = User(
                username=spec.username, role=spec.role, town=user_town, organisation=org,
                mobile=spec.mobile if mobile_free else None, display_name=spec.display_name,
                is_staff=spec.role == Role.ADMIN, is_superuser=spec.role == Role.ADMIN,
            )
            user.set_password(password)
            user.save()
            audit.record(None, "create", user, f"创建演示用户 {user.username}（{user.get_role_display()}）",
                         organisation=org)
        rows.append(DemoAccount(
            username=user.username,
            role=user.role,
            scope=_scope_text(user, scope),
            password=password,
            mobile=user.mobile or "",
            created=created,
        ))
    return rows


def _scope_text(user: User, default: str) -> str:
    if user.organisation is not None:
        return f"{user.organisation.name}（{user.organisation.uscc}）"
    if user.town is not None:
        return user.town.name
    return default
