from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "shuzhuan.programs"
    label = "programs"
    verbose_name = _("改造项目与奖补")

    def ready(self) -> None:
        from shuzhuan.core.demo_steps import AppStep, register_step
        from shuzhuan.funds.programmes import register_catalogue
        from shuzhuan.programs import programmes

        register_catalogue(programmes.available, programmes.load)  # the ledger reads programmes through this
        register_step(AppStep("城市试点与改造项目", "shuzhuan.programs.demo:generate_programme",
                              "shuzhuan.programs.demo:present", "shuzhuan.programs.demo:reset_programme",
                              "示范试点项目"), order=40)
        from shuzhuan.core import navigation
        from shuzhuan.core.access import OFFICERS
        from shuzhuan.programs.models import related_enterprises
        from shuzhuan.programs.views import key_figures
        from shuzhuan.registry.models import register_relationship

        register_relationship(related_enterprises)
        from shuzhuan.assessment.services import register_expert_assessments
        from shuzhuan.programs.models import expert_assessments

        register_expert_assessments(expert_assessments)  # a reviewing expert reads the post-assessment only
        from shuzhuan.assessment.services import register_conflict_rule
        from shuzhuan.programs.services import rater_conflict

        register_conflict_rule(rater_conflict)  # DESIGN decision 3: never the contracted provider
        from shuzhuan.core import periodic
        from shuzhuan.programs.tasks import PERIODIC

        periodic.register(*PERIODIC)  # deadline reminders, daily (`shuzhuan scheduler`)
        from shuzhuan.funds import references
        from shuzhuan.programs.todo import project_references

        references.register("project", project_references)  # the ledger shows 项目「…」, not project:46
        from shuzhuan.core import todo as todo_registry
        from shuzhuan.programs.todo import todo

        todo_registry.register(todo)
        navigation.register_group("programs", _("试点与改造项目"), 40)
        navigation.register(_("改造项目"), "programs:projects", roles={*OFFICERS, "enterprise", "provider", "expert"},
                            icon="kanban", order=40)
        navigation.register(_("试点企业库"), "programs:pool", roles=OFFICERS, icon="card-checklist", order=41)
        navigation.register(_("试点计划看板"), "programs:dashboard", roles=OFFICERS, icon="speedometer2", order=42)
        navigation.register(_("兑现批次"), "programs:batches", roles=OFFICERS, icon="cash-stack", order=43)
        navigation.register(_("申请列入试点"), "programs:apply", roles={"enterprise"}, icon="clipboard-plus", order=41)
        navigation.register_cards(key_figures)
