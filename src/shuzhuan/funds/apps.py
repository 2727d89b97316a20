from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "shuzhuan.funds"
    label = "funds"
    verbose_name = _("资金与台账")

    def ready(self) -> None:
        from shuzhuan.core import navigation
        from shuzhuan.core.access import CITY

        navigation.register_group("funds", _("资金"), 45)
        navigation.register(_("资金台账"), "funds:overview", roles=CITY, icon="cash-coin", order=45)
