"""`shuzhuan train_scorecard --year 2024`: fit the default-risk scorecard on the public-data records
(last year's indicators against this year's loan_status), store it as a new version and print its card."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from shuzhuan.credit import services


class Command(BaseCommand):
    help = "训练违约风险评分卡并保存为新版本"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2024)
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--name", default="", help="版本名（默认按时间生成）")

    def handle(self, *args, **options):
        try:
            mv = services.train_scorecard(options["year"], seed=options["seed"], version=options["name"])
        except services.CreditError as exc:
            raise CommandError(str(exc)) from exc
        m = mv.metrics
        self.stdout.write(f"{mv.version}: AUC {m['auc']:.3f}  KS {m['ks']:.3f}  PSI {m['psi']:.4f}  "
                          f"(train {m['n_train']}, held-out {m['n_test']}, default rate {m['default_rate']:.3f})")
        for row in mv.iv_table:
            self.stdout.write(f"  {row['name']:<18} IV {row['iv']:.4f}  bins {row['n_bins']}  {'✓' if row['selected'] else '-'}")
