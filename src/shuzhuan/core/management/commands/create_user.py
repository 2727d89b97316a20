from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shuzhuan.core import audit
from shuzhuan.core.models import ORGANISATION_ROLES, Organisation, Role, Town, User


class Command(BaseCommand):
    help = "创建用户：shuzhuan create-user NAME --role ROLE [--town TOWN] [--organisation USCC] --password PW"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--town", help="镇街名称（如 古镇）或代码，town_officer 必填")
        parser.add_argument("--organisation", help="所属组织的统一社会信用代码，enterprise/provider/bank 必填")
        parser.add_argument("--password", required=True)
        parser.add_argument("--mobile")
        parser.add_argument("--display-name", default="")

    @transaction.atomic
    def handle(self, username, role, town=None, organisation=None, password=None, mobile=None, display_name="", **opts):
        from shuzhuan.core.uscc import UsccError, validate_uscc

        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户名 {username} 已存在")
        town_obj = None
        if town:
            town_obj = Town.objects.resolve(town)
            if town_obj is None:
                raise CommandError(f"未知镇街：{town}")
        if role == Role.TOWN_OFFICER and town_obj is None:
            raise CommandError("town_officer 需要 --town")
        org = None
        if organisation:
            try:
                code = validate_uscc(organisation).code
            except UsccError as exc:
                raise CommandError(str(exc)) from exc
            org = Organisation.objects.filter(uscc=code).first()
            if org is None:
                raise CommandError(f"找不到统一社会信用代码为 {code} 的组织")
        if role in ORGANISATION_ROLES and org is None:
            raise CommandError(f"{role} 需要 --organisation")
        user = User(username=username, role=role, town=town_obj, organisation=org, mobile=mobile or None,
                    display_name=display_name, is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
        user.set_password(password)
        user.save()
        audit.record(None, "create", user, f"创建用户 {username}（{user.get_role_display()}）", organisation=org)
        self.stdout.write(f"created {username} ({role})")
