"""`shuzhuan evaluate-need-classifier [--split heldout|train|all] [--file PATH] [--json]`: how well needs are understood.

By default over the main labelled set (needs_labelled.yaml, `--split heldout`). `--file PATH` reads another
labelled file in the same format, e.g. needs_dev.yaml: its items without `split` form one part named after
the file (`dev`); with `--file` the default is every item of the file (`--split all`).

Prints top-1 and top-3 accuracy over the labelled needs (a hit: the primary label is in the top k; also
"any label in the top k"), recall per scenario, the confusions (expected → predicted first) and the
items whose primary label is not in the top 3.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError

from shuzhuan.marketplace.domain.evaluate import (
    HELDOUT,
    SPLITS,
    Evaluation,
    Hits,
    evaluate,
    parts,
    ratio,
    select,
)
from shuzhuan.marketplace.needs import classifier, load_labelled


def _rates(h: Hits, k: int) -> str:
    return f"top-1 {ratio(h.top1, h.total):.1%} ({h.top1}/{h.total})   top-{k} {ratio(h.topk, h.total):.1%} ({h.topk}/{h.total})"


class Command(BaseCommand):
    help = "评估需求分类器：shuzhuan evaluate-need-classifier [--split heldout|train|all] [--file PATH] [--json]"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--split", default=None,
                            help=f"评估的数据部分：{'/'.join((*SPLITS, 'all'))}（默认 {HELDOUT}；用 --file 时默认 all，"
                                 "或文件里的部分名，如 dev）")
        parser.add_argument("--file", type=Path, default=None,
                            help="另一个标注文件（同样格式；无 split 的条目按文件名成一部分，如 needs_dev.yaml → dev）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, split: str | None, file: Path | None, json: bool, **options: Any) -> None:
        if file is None:
            needs = load_labelled()
            split = split or HELDOUT
        else:
            if not file.is_file():
                raise CommandError(f"{file}: no such file")
            try:
                needs = load_labelled(file)
            except (ValueError, OSError, yaml.YAMLError) as error:
                raise CommandError(f"{file}: {error}") from None
            split = split or "all"
        present = parts(needs)
        if split != "all" and split not in (present if file else SPLITS):
            raise CommandError(f"--split {split!r}: expected one of {', '.join((*(present if file else SPLITS), 'all'))}")
        if split == "all" and len(present) == 1:
            split = present[0]  # a file that is a single part is reported under its name (dev)
        model = classifier()
        result = evaluate(model, select(needs, split), split)
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
