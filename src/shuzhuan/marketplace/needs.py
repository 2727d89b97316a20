"""Need understanding, wired to its data files: the scenario lexicon and the labelled needs."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from shuzhuan.marketplace.domain.classify import Lexicon, NeedClassifier, normalise
from shuzhuan.marketplace.domain.evaluate import LabelledNeed, parse_labelled

DATA = Path(__file__).resolve().parent / "data"
LEXICON_FILE = DATA / "scenario_lexicon.yaml"
LABELLED_FILE = DATA / "needs_labelled.yaml"
DEV_FILE = DATA / "needs_dev.yaml"


def load_lexicon(path: Path = LEXICON_FILE) -> Lexicon:
    return Lexicon.from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")))


def part_name(path: Path) -> str:
    """The part the items without `split` form: the file name without `needs_` (needs_dev.yaml -> dev)."""
    stem = path.stem
    return stem.removeprefix("needs_") or stem


def load_labelled(path: Path = LABELLED_FILE) -> list[LabelledNeed]:
    """A labelled-needs file. The main set (it declares a `split_rule`) needs a `split` on every item;
    in any other file the items without one form the part `part_name(path)`."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    strict = isinstance(data, dict) and "split_rule" in data
    return parse_labelled(data, part=None if strict else part_name(path))


@cache
def classifier() -> NeedClassifier:
    """The process-wide classifier over the shipped lexicon."""
    return NeedClassifier(load_lexicon())


SEARCH_MIN_WEIGHT = 3  # only clear evidence for a scenario (the lexicon's weights 3 and 4) widens a search


def scenarios_for_query(query: str) -> list[str]:
    """The scenarios a catalogue search word points to: a scenario whose name contains it, or whose clear
    terms in the classifier's lexicon contain it (库存 and 仓库 → S12 仓储物流). Words of one character
    are too vague to widen a search."""
    word = normalise(query)
    if len(word) < 2:
        return []
    lexicon = classifier().lexicon
    codes = {code for code, s in lexicon.scenarios.items() if word in normalise(s.name)}
    for term, weights in lexicon.terms.items():
        if word in term:
            codes.update(code for code, weight in weights.items() if weight >= SEARCH_MIN_WEIGHT)
    return sorted(codes)
