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

        from shuzhuan.assessment.services import register_rater_rule
        from shuzhuan.marketplace.models import RATER_CHOICES, rater_not_in_pool

        register_rater_rule(rater_not_in_pool, RATER_CHOICES)  # only providers in the pool rate on site

        from shuzhuan.marketplace.services.match import relink_partners
        from shuzhuan.registry.models import register_enterprises_added

        register_enterprises_added(relink_partners)  # a partner registered after its leader's list

        from shuzhuan.marketplace.views.match import register_navigation as register_match_navigation

        register_match_navigation()  # needs, recommendations, contact requests, funnel, consortia, chains

        from shuzhuan.marketplace.views.pool import register_navigation as register_pool_navigation

        register_pool_navigation()  # provider centre, pool admission, offering review, public catalogue

        from shuzhuan.core import navigation
        from shuzhuan.core import todo as todo_registry
        from shuzhuan.marketplace.todo import todo

        todo_registry.register(todo)  # the 待办 queue: pool reviews, admissions, offerings, contacts, needs
        navigation.register_group("marketplace", _("资源池与供需对接"), 35)

        from shuzhuan.core.demo_steps import AppStep, register_accounts, register_step
        from shuzhuan.marketplace.demo import demo_accounts

        register_step(AppStep("供给资源池（服务商、解决方案、产品）", "shuzhuan.marketplace.demo.pool:generate_pool",
                              "shuzhuan.marketplace.demo.pool:pool_present",
                              "shuzhuan.marketplace.demo.pool:delete_demo_pool", "示范资源池"), order=20)
        register_step(AppStep("供需对接、产业联合体与链主", "shuzhuan.marketplace.demo.match:generate_match",
                              "shuzhuan.marketplace.demo.match:match_present",
                              "shuzhuan.marketplace.demo.match:delete_demo_match", "示范需求与对接"), order=50)
        register_accounts(demo_accounts)  # the provider account: the busiest provider of the demo pool
