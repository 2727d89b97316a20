from django.core.management.base import BaseCommand, CommandError

from shuzhuan.core.models import ApiToken, User


class Command(BaseCommand):
    help = "为用户生成 API 令牌并打印：shuzhuan issue-token NAME"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, username, name, **opts):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在")
        _token, raw = ApiToken.issue(user, name)
        self.stdout.write(raw)
