from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "shuzhuan.assessment"
    label = "assessment"
    verbose_name = _("数字化水平评测")

    def ready(self) -> None:
        from shuzhuan.assessment.models import related_enterprises
        from shuzhuan.registry.models import register_relationship

        register_relationship(related_enterprises)
