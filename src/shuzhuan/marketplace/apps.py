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

        from shuzhuan.marketplace.services_match import relink_partners
        from shuzhuan.registry.models import register_enterprises_added

        register_enterprises_added(relink_partners)  # a partner registered after its leader's list

        from shuzhuan.marketplace.views_match import register_navigation as register_match_navigation

        register_match_navigation()  # needs, recommendations, contact requests, funnel, consortia, chains

        from shuzhuan.marketplace.views_pool import register_navigation as register_pool_navigation

        register_pool_navigation()  # provider centre, pool admission, offering review, public catalogue
