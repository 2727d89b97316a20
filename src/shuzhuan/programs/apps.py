from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "shuzhuan.programs"
    label = "programs"
    verbose_name = _("改造项目与奖补")
