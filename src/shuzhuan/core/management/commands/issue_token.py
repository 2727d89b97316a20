from django.core.management.base import BaseCommand, CommandError

from shuzhuan.core import tokens
from shuzhuan.core.models import User


class Command(BaseCommand):
    help = "为用户生成 API 令牌并打印：shuzhuan issue-token NAME"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, username, name, **opts):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在")
        _token, raw = tokens.issue(None, user, name)  # the audit entry's actor: 系统 (the command line)
        self.stdout.write(raw)
