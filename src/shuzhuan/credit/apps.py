from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "shuzhuan.credit"
    label = "credit"
    verbose_name = _("公共数据赋能")

    def ready(self) -> None:
        from shuzhuan.core import navigation
        from shuzhuan.core.access import OFFICERS

        navigation.register(_("数据授权"), "credit:consents", roles={"enterprise"}, icon="person-check", order=65)
        navigation.register(_("谁查看了我的数据"), "credit:access_log", roles={"enterprise"}, icon="eye", order=66)
        navigation.register(_("企业画像"), "credit:portraits", roles={*OFFICERS, "bank"}, icon="person-vcard", order=67)
        navigation.register(_("评分卡模型"), "credit:model_card", roles={*OFFICERS, "bank"}, icon="graph-up", order=68)
        from shuzhuan.core.demo_steps import AppStep, register_step

        register_step(AppStep("公共数据（18 个部门的示范数据源）", "shuzhuan.credit.demo:generate_credit",
                              "shuzhuan.credit.demo:present", "shuzhuan.credit.demo:reset_credit", "示范公共数据"),
                      order=70)
