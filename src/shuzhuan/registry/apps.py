from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "shuzhuan.registry"
    label = "registry"
    verbose_name = _("企业库")

    def ready(self) -> None:
        from shuzhuan.core import navigation
        from shuzhuan.core.access import OFFICERS
        from shuzhuan.registry.views import key_figures

        navigation.register_group("registry", _("企业档案"), 10)
        navigation.register(_("企业库（一企一档）"), "registry:list", roles=OFFICERS, icon="buildings", order=10)
        navigation.register(_("企业导入"), "registry:import", roles=OFFICERS, icon="upload", order=11)
        navigation.register(_("本企业档案"), "registry:mine", roles={"enterprise"}, icon="building", order=10)
        navigation.register_cards(key_figures)

        from shuzhuan.core.demo_steps import register_accounts, register_step
        from shuzhuan.registry.demo_step import RegistryStep, demo_accounts

        register_step(RegistryStep(), order=10)  # `demo-data`: the enterprises first
        register_accounts(demo_accounts)
