"""The labelled needs and how well the classifier ranks them (pure Python, no Django).

The split of the labelled set is a property of each id, never a choice: `split_for(id)` puts an item in
`heldout` when the first 8 hex digits of sha256(id) modulo 100 fall below HELDOUT_PERCENT (DESIGN
decision 11: the labelled set is fixed before tuning, and the held-out part is never tuned on).

Other labelled files (for instance `needs_dev.yaml`, written later by another author) share the item
format but may leave `split` out: their items then form one part named by the caller (`dev`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shuzhuan.marketplace.domain.classify import SCENARIO_CODES, NeedClassifier

TRAIN, HELDOUT = "train", "heldout"
SPLITS: tuple[str, ...] = (TRAIN, HELDOUT)
HELDOUT_PERCENT = 30
RATIO_PLACES = Decimal("0.001")


def split_for(need_id: str) -> str:
    bucket = int(hashlib.sha256(need_id.encode("utf-8")).hexdigest()[:8], 16) % 100
    return HELDOUT if bucket < HELDOUT_PERCENT else TRAIN


@dataclass(frozen=True)
class LabelledNeed:
    id: str
    text: str
    scenarios: tuple[str, ...]  # primary first
    split: str
    industry: str | None = None

    @property
    def primary(self) -> str:
        return self.scenarios[0]


def parse_labelled(data: Mapping[str, Any], part: str | None = None) -> list[LabelledNeed]:
    """The items of a labelled-needs file; raises ValueError naming the item when one is malformed.

    An item's `split` must be `train` or `heldout`; an item without one belongs to `part` when given
    (a file of its own, e.g. `dev`), and is refused otherwise. Ids must be unique.
    """
    if not isinstance(data, Mapping):
        raise ValueError("expected a mapping with an `items` list")
    needs = []
    seen: set[str] = set()
    for n, item in enumerate(data.get("items") or (), start=1):
        if not isinstance(item, Mapping):
            raise ValueError(f"item {n}: expected a mapping")
        scenarios = tuple(str(code) for code in item.get("scenarios") or ())
        if not item.get("id") or not item.get("text") or not scenarios:
            raise ValueError(f"item {n}: id, text and scenarios are required")
        need_id = str(item["id"])
        split = item.get("split", part)
        unknown = [code for code in scenarios if code not in SCENARIO_CODES]
        if unknown or split not in (*SPLITS, *([part] if part else [])):
            raise ValueError(f"item {need_id}: unknown scenario {unknown} or split {item.get('split')!r}")
        if need_id in seen:
            raise ValueError(f"item {need_id}: id listed twice")
        seen.add(need_id)
        needs.append(LabelledNeed(need_id, str(item["text"]), scenarios, str(split), item.get("industry")))
    return needs


def parts(needs: Iterable[LabelledNeed]) -> list[str]:
    """The parts present, in first-seen order (`train`/`heldout` for the main set, `dev` for needs_dev)."""
    return list(dict.fromkeys(need.split for need in needs))


def select(needs: Iterable[LabelledNeed], split: str) -> list[LabelledNeed]:
    """One part (`train`, `heldout`, or the part of another file such as `dev`), or `all`."""
    return [need for need in needs if split == "all" or need.split == split]


def ratio(hits: int, total: int) -> Decimal:
    return (Decimal(hits) / Decimal(total)).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP) if total else Decimal(0)


@dataclass(frozen=True)
class Hits:
    total: int
    top1: int
    topk: int


@dataclass(frozen=True)
class Miss:
    id: str
    text: str
    expected: tuple[str, ...]
    predicted: tuple[str, ...]


@dataclass(frozen=True)
class Evaluation:
    split: str
    k: int
    primary: Hits  # a hit: the primary label is in the top k
    any_label: Hits  # a hit: any of the item's labels is in the top k
    recall: Mapping[str, Hits]  # per primary scenario
    confusions: Sequence[tuple[str, str, int]]  # (expected primary, predicted top 1, count), most frequent first
    misses: Sequence[Miss]  # primary label not in the top k

    def as_dict(self) -> dict[str, Any]:
        def hits(h: Hits) -> dict[str, Any]:
            return {"n": h.total, "top1": h.top1, "top1_rate": str(ratio(h.top1, h.total)),
                    f"top{self.k}": h.topk, f"top{self.k}_rate": str(ratio(h.topk, h.total))}

        return {
            "split": self.split,
            "k": self.k,
            "primary_label": hits(self.primary),
            "any_label": hits(self.any_label),
            "recall": {code: hits(h) for code, h in self.recall.items()},
            "confusions": [{"expected": e, "predicted": p, "count": c} for e, p, c in self.confusions],
            "misses": [{"id": m.id, "text": m.text, "expected": list(m.expected), "predicted": list(m.predicted)}
                       for m in self.misses],
        }


def evaluate(classifier: NeedClassifier, needs: Sequence[LabelledNeed], split: str, k: int = 3) -> Evaluation:
    primary1 = primaryk = any1 = anyk = 0
    per: dict[str, list[int]] = {code: [0, 0, 0] for code in SCENARIO_CODES}
    confusions: Counter[tuple[str, str]] = Counter()
    misses: list[Miss] = []
    for need in needs:
        ranked = tuple(m.code for m in classifier.classify(need.text, top=k))
        first = ranked[:1]
        counts = per[need.primary]
        counts[0] += 1
        if need.primary in first:
            primary1 += 1
            counts[1] += 1
        else:
            confusions[(need.primary, first[0] if first else "—")] += 1
        if need.primary in ranked:
            primaryk += 1
            counts[2] += 1
        else:
            misses.append(Miss(need.id, need.text, need.scenarios, ranked))
        any1 += bool(set(first) & set(need.scenarios))
        anyk += bool(set(ranked) & set(need.scenarios))
    return Evaluation(
        split=split,
        k=k,
        primary=Hits(len(needs), primary1, primaryk),
        any_label=Hits(len(needs), any1, anyk),
        recall={code: Hits(*c) for code, c in per.items() if c[0]},
        confusions=[(e, p, c) for (e, p), c in sorted(confusions.items(), key=lambda x: (-x[1], x[0]))],
        misses=misses,
    )
