from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "shuzhuan.assessment"
    label = "assessment"
    verbose_name = _("数字化水平评测")

    def ready(self) -> None:
        from shuzhuan.assessment.models import related_enterprises
        from shuzhuan.core import navigation
        from shuzhuan.core.access import CITY, OFFICERS
        from shuzhuan.registry.models import register_relationship

        register_relationship(related_enterprises)
        from shuzhuan.assessment import facts

        facts.register()  # official_level for the policy engine
        navigation.register(_("评测统计"), "assessment:stats", roles=OFFICERS, icon="bar-chart-line", order=30)
        navigation.register(_("评测结果导入"), "assessment:import", roles=OFFICERS, icon="file-earmark-arrow-up", order=31)
        navigation.register(_("批量重算"), "assessment:rescore", roles=CITY, icon="arrow-repeat", order=32)
