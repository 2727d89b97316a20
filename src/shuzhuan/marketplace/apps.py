from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "shuzhuan.marketplace"
    label = "marketplace"
    verbose_name = _("供给资源池与供需对接")

    def ready(self) -> None:
        from shuzhuan.marketplace.models import related_enterprises
        from shuzhuan.registry.models import register_relationship

        register_relationship(related_enterprises)
