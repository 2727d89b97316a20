from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shuzhuan.core"
    label = "core"
    verbose_name = _("平台基础")

    def ready(self) -> None:
        from shuzhuan.core.demo_steps import AccountsStep, register_step

        register_step(AccountsStep(), order=1000)  # `demo-data --accounts`, after every app's step
        from shuzhuan.core import navigation, periodic
        from shuzhuan.core.tasks import PERIODIC

        periodic.register(*PERIODIC)  # close jobs whose worker died (`shuzhuan scheduler`)

        navigation.register(_("工作台"), "core:home", icon="house", order=0, group="")
        navigation.register_group("core", _("系统"), 900)
        # Enterprise users run no jobs of their own and need no machine access: keep their menu short.
        navigation.register(_("后台任务"), "core:jobs", icon="hourglass-split", order=900, exclude_roles={"enterprise"})
        navigation.register(_("API 令牌"), "core:tokens", icon="key", order=910, exclude_roles={"enterprise"})
