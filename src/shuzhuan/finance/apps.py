from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "shuzhuan.finance"
    label = "finance"
    verbose_name = _("金融服务")

    def ready(self) -> None:
        from shuzhuan.core import navigation, periodic
        from shuzhuan.core.access import OFFICERS
        from shuzhuan.finance import facts
        from shuzhuan.finance.models import related_enterprises
        from shuzhuan.finance.tasks import PERIODIC
        from shuzhuan.registry.models import register_relationship

        facts.register()  # eligibility facts of the 数字贷 filing policy
        from shuzhuan.finance.claims import POLICY as INTEREST_POLICY
        from shuzhuan.policy.services import register_paid_elsewhere

        register_paid_elsewhere(INTEREST_POLICY)  # claims are paid from finance's interest line (claims.pay)
        register_relationship(related_enterprises)  # a bank reaches a firm only through a filing naming it
        from shuzhuan.core import todo as todo_registry
        from shuzhuan.finance.todo import todo

        todo_registry.register(todo)  # a bank's filings to take up and reports due; claims to pay
        periodic.register(*PERIODIC)  # void stale filings, quarterly interest claims; daily
        navigation.register(_("数字贷产品"), "finance:products", roles=None, icon="bank", order=60)
        navigation.register(_("数字贷备案"), "finance:filings", roles={*OFFICERS, "enterprise", "bank"},
                            icon="journal-check", order=61)
        navigation.register(_("数字贷贷款"), "finance:loans", roles={*OFFICERS, "enterprise", "bank"}, icon="cash-coin",
                            order=62)
        navigation.register(_("贴息季度申领"), "finance:interest_claims", roles={*OFFICERS, "enterprise"},
                            icon="percent", order=63)
        navigation.register(_("数字贷统计"), "finance:statistics", roles=set(OFFICERS), icon="bar-chart", order=65)
        navigation.register(_("助保贷资金池"), "finance:guarantee", roles={"admin", "city_officer"}, icon="shield-check",
                            order=64)
        from shuzhuan.core.demo_steps import AppStep, register_step

        register_step(AppStep("数字贷（合作银行、产品、备案与贷款）", "shuzhuan.finance.demo:generate_finance",
                              "shuzhuan.finance.demo:present", "shuzhuan.finance.demo:reset_finance", "示范数字贷"),
                      order=60)
        navigation.register_group("finance", _("金融服务"), 60)
        navigation.register(_("本行产品"), "finance:my_products", roles={"bank"}, icon="shop", order=63)
