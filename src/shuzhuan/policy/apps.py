from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "shuzhuan.policy"
    label = "policy"
    verbose_name = _("政策库")

    def ready(self) -> None:
        from shuzhuan.core import navigation
        from shuzhuan.core.access import OFFICERS
        from shuzhuan.policy import facts, facts_registry

        navigation.register(_("政策库"), "policy:library", icon="journal-text", order=50)
        navigation.register(_("标杆示范"), "policy:showcase", icon="award", order=53)
        navigation.register(_("认定与荣誉"), "policy:recognitions", roles=OFFICERS, icon="patch-check", order=54)
        from shuzhuan.core.access import CITY

        navigation.register(_("政策测算"), "policy:whatif", roles=CITY, icon="graph-up", order=55)
        navigation.register(_("免申即享"), "policy:runs", roles=OFFICERS, icon="lightning-charge", order=51)
        navigation.register(_("可享政策"), "policy:mine", roles={"enterprise"}, icon="gift", order=51)
        navigation.register(_("政策计算器"), "policy:calculator", roles={"enterprise"}, icon="calculator", order=52)
        from shuzhuan.policy.views_runs import key_figures

        navigation.register_cards(key_figures)

        facts.register_given()  # the package's application inputs
        facts_registry.register()  # the registry's facts (registry sits below policy); apps above add their own
        from shuzhuan.policy import facts_recognitions

        facts_recognitions.register()  # recognitions are facts for other policies (the workshop difference rule)
        from shuzhuan.funds import references
        from shuzhuan.funds.programmes import register_catalogue
        from shuzhuan.policy import funding

        register_catalogue(funding.available, funding.load, owner="policy")
        from shuzhuan.policy import library, versions

        library.register_overrides(versions.apply, versions.apply_all)  # versions published from what-ifs, after the files' ones
        from shuzhuan.core.demo_steps import AppStep, register_step

        register_step(AppStep("认定与荣誉、免申即享", "shuzhuan.policy.demo:generate_recognitions",
                              "shuzhuan.policy.demo:present", "shuzhuan.policy.demo:reset",
                              "认定与荣誉（标杆示范）"), order=45)  # after the programmes (40)  # a budget line per policy
        references.register("entitlement", funding.describe)
