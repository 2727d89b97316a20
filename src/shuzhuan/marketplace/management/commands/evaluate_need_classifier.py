"""`shuzhuan evaluate-need-classifier [--split heldout|train|all] [--json]`: how well needs are understood.

Prints top-1 and top-3 accuracy over the labelled needs (a hit: the primary label is in the top k; also
"any label in the top k"), recall per scenario, the confusions (expected → predicted first) and the
items whose primary label is not in the top 3.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from shuzhuan.marketplace.domain.evaluate import SPLITS, Evaluation, Hits, evaluate, ratio, select
from shuzhuan.marketplace.needs import classifier, load_labelled


def _rates(h: Hits, k: int) -> str:
    return f"top-1 {ratio(h.top1, h.total):.1%} ({h.top1}/{h.total})   top-{k} {ratio(h.topk, h.total):.1%} ({h.topk}/{h.total})"


class Command(BaseCommand):
    help = "评估需求分类器：shuzhuan evaluate-need-classifier [--split heldout|train|all] [--json]"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--split", choices=[*SPLITS, "all"], default="heldout", help="评估的数据部分（默认 heldout）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, split: str, json: bool, **options: Any) -> None:
        model = classifier()
        result = evaluate(model, select(load_labelled(), split), split)
        if json:
            self.stdout.write(_dumps(result.as_dict()))
        else:
            self.stdout.write(self._text(result, {c: s.name for c, s in model.lexicon.scenarios.items()}))

    @staticmethod
    def _text(result: Evaluation, names: dict[str, str]) -> str:
        k = result.k
        lines = [
            f"需求分类评估 split={result.split}  n={result.primary.total}",
            f"主标签 primary label : {_rates(result.primary, k)}",
            f"任一标签 any label    : {_rates(result.any_label, k)}",
            "",
            "各场景召回 recall per scenario (primary label):",
        ]
        lines += [f"  {code} {names[code]:<6} n={h.total:<3} {_rates(h, k)}" for code, h in result.recall.items()]
        lines += ["", "混淆 confusions (expected → predicted top-1):"]
        lines += [f"  {e} {names[e]} → {p} {names.get(p, '无匹配')}: {c}" for e, p, c in result.confusions] or ["  (none)"]
        lines += ["", f"未进前 {k} misses:"]
        lines += [f"  {m.id} {list(m.expected)} → {list(m.predicted)}  {m.text}" for m in result.misses] or ["  (none)"]
        return "\n".join(lines)


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
