from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "shuzhuan.assessment"
    label = "assessment"
    verbose_name = _("数字化水平评测")

    def ready(self) -> None:
        from shuzhuan.core.demo_steps import AppStep, register_step

        register_step(AppStep("数字化水平评测", "shuzhuan.assessment.demo:generate_assessments",
                              "shuzhuan.assessment.demo:demo_assessments_present",
                              "shuzhuan.assessment.demo:delete_demo_assessments", "示范评测"), order=30)
        from shuzhuan.assessment.models import related_enterprises
        from shuzhuan.core import navigation
        from shuzhuan.core.access import CITY, OFFICERS
        from shuzhuan.registry.models import register_relationship

        register_relationship(related_enterprises)
        navigation.register(_("评测统计"), "assessment:stats", roles=OFFICERS, icon="bar-chart-line", order=30)
        navigation.register(_("评测结果导入"), "assessment:import", roles=OFFICERS, icon="file-earmark-arrow-up", order=31)
        navigation.register(_("批量重算"), "assessment:rescore", roles=CITY, icon="arrow-repeat", order=32)
