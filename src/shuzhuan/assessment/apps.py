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
        from shuzhuan.core.models import Role
        from shuzhuan.registry.models import register_relationship

        register_relationship(related_enterprises)
        from shuzhuan.core import audit

        audit.register_value_format("scenarios", scenario_words)  # timeline: 场景 S06 生产管控, not ['S06']
        navigation.register_group("assessment", _("数字化评测"), 30)
        navigation.register(_("数字化水平自评"), "assessment:index", roles={Role.ENTERPRISE}, icon="ui-checks", order=29)
        navigation.register(_("评测与现场评定"), "assessment:index", roles=OFFICERS, icon="ui-checks", order=29)
        navigation.register(_("现场评定任务"), "assessment:tasks", roles={Role.PROVIDER, Role.EXPERT}, icon="geo-alt",
                            order=29)
        from shuzhuan.assessment.todo import todo
        from shuzhuan.core import todo as todo_registry

        todo_registry.register(todo)
        from shuzhuan.assessment import facts

        facts.register()  # official_level for the policy engine
        navigation.register(_("评测统计"), "assessment:stats", roles=OFFICERS, icon="bar-chart-line", order=30)
        navigation.register(_("评测结果导入"), "assessment:import", roles=OFFICERS, icon="file-earmark-arrow-up", order=31)
        navigation.register(_("批量重算"), "assessment:rescore", roles=CITY, icon="arrow-repeat", order=32)
        navigation.register(_("指标体系核实"), "assessment:indicator_sets", roles=CITY, icon="patch-check", order=33)


def scenario_words(value) -> str:
    """Scenario codes (a list) or scenario levels (a mapping) in words, by the current indicator set."""
    from shuzhuan.assessment import indicator_sets

    names = {s.code: s.name for s in indicator_sets.load().scenarios}
    if isinstance(value, dict):
        return "；".join(f"{code} {names.get(code, '')}：{level} 级".replace("  ", " ") for code, level in value.items())
    return "、".join(f"{code} {names.get(code, '')}".strip() for code in value)
