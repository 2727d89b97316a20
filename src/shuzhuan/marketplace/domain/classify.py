"""Need understanding: free Chinese text → the 16 business scenarios (S01–S16), ranked and explained.

Pure Python (no Django). The model is a weighted lexicon kept as data (`data/scenario_lexicon.yaml`):

1. normalise: NFKC (full-width → half-width), Latin lower-case, runs of white space → one space;
2. segment with jieba, its dictionary extended with every lexicon term so terms are cut as units;
3. find lexicon terms on word boundaries, longest first, without overlaps; each distinct term adds
   its weight to every scenario that lists it (a Latin term never counts inside a longer Latin word:
   ai in email, mes in mesh);
4. inside the words still untouched (words the segmenter glued together, such as 实际成本 or
   保修单), Chinese terms of two or more characters shorter than the word count too, longest first
   and without overlaps, at `inside` times their weight (a term is never sought across two words:
   排产 is not read into 安排/产品);
5. the rest still counts a little: each distinct two-character piece inside a word, outside the terms
   found, that occurs inside the terms of at most `fuzzy.max_scenarios` scenarios adds
   `fuzzy.weight / k` to each of those k scenarios (a piece of a longer term in a word holding no
   whole term);
6. score = s / (s + saturation), an exact Decimal rounded to 3 places, in [0, 1). Equal sums are
   ordered by the strongest single word, then by code.

Every number is a Decimal; the result names the terms (or pieces) behind each score.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

import jieba

SCENARIO_CODES: tuple[str, ...] = tuple(f"S{n:02d}" for n in range(1, 17))
SCORE_PLACES = Decimal("0.001")
_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff]")
_CJK_ONLY = re.compile(r"[\u3400-\u9fff]+")


class LexiconError(ValueError):
    """The lexicon data is malformed; the message says where."""


def normalise(text: str) -> str:
    """Full-width → half-width (NFKC), Latin lower-case, white space collapsed, ends trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


@dataclass(frozen=True)
class Scenario:
    code: str
    name: str
    group: str


@dataclass(frozen=True)
class Match:
    """One scenario for a text: `score` in [0, 1) with 3 places; `why` = the matched words, strongest first."""

    code: str
    score: Decimal
    why: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    scenarios: Mapping[str, Scenario]
    terms: Mapping[str, Mapping[str, Decimal]]  # normalised term → {scenario code: weight}
    saturation: Decimal
    inside: Decimal  # the share of its weight a term found inside a longer word counts
    fuzzy_weight: Decimal
    fuzzy_max_scenarios: int

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Lexicon:
        """Build from the parsed YAML; raises LexiconError naming the faulty entry."""
        scoring = _mapping(data.get("scoring"), "scoring")
        fuzzy = _mapping(scoring.get("fuzzy"), "scoring.fuzzy")
        raw_scenarios = _mapping(data.get("scenarios"), "scenarios")
        if sorted(raw_scenarios) != list(SCENARIO_CODES):
            raise LexiconError(f"scenarios: expected exactly {SCENARIO_CODES[0]}..{SCENARIO_CODES[-1]}")
        scenarios: dict[str, Scenario] = {}
        terms: dict[str, dict[str, Decimal]] = {}
        for code in SCENARIO_CODES:
            entry = _mapping(raw_scenarios[code], f"scenarios.{code}")
            scenarios[code] = Scenario(code, str(entry.get("name", "")), str(entry.get("group", "")))
            if not scenarios[code].name:
                raise LexiconError(f"scenarios.{code}.name: missing")
            for weight_key, words in _mapping(entry.get("terms"), f"scenarios.{code}.terms").items():
                weight = _positive(weight_key, f"scenarios.{code}.terms.{weight_key}")
                for word in words or ():
                    term = normalise(str(word))
                    if not term:
                        raise LexiconError(f"scenarios.{code}.terms.{weight_key}: empty term")
                    if code in terms.setdefault(term, {}):
                        raise LexiconError(f"scenarios.{code}: term {term!r} listed twice")
                    terms[term][code] = weight
        return cls(
            scenarios=MappingProxyType(scenarios),
            terms=MappingProxyType({t: MappingProxyType(w) for t, w in terms.items()}),
            saturation=_positive(scoring.get("saturation"), "scoring.saturation"),
            inside=_positive(scoring.get("inside"), "scoring.inside"),
            fuzzy_weight=_positive(fuzzy.get("weight"), "scoring.fuzzy.weight"),
            fuzzy_max_scenarios=int(_positive(fuzzy.get("max_scenarios"), "scoring.fuzzy.max_scenarios")),
        )

    def terms_of(self, code: str) -> frozenset[str]:
        return frozenset(t for t, weights in self.terms.items() if code in weights)


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise LexiconError(f"{where}: expected a mapping")
    return value


def _positive(value: Any, where: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise LexiconError(f"{where}: not a number") from None
    if not number.is_finite() or number <= 0:
        raise LexiconError(f"{where}: must be a positive number")
    return number


@dataclass
class _Evidence:
    total: Decimal = Decimal(0)
    why: list[tuple[Decimal, int, str]] = field(default_factory=list)  # (weight, position, words)

    def strongest(self) -> Decimal:
        """The weight of the strongest single word (orders equal totals: one clear word beats two vague ones)."""
        return max(w for w, _, _ in self.why)


class NeedClassifier:
    """Thread-safe after construction; the jieba dictionary loads on first use (about a second)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._max_term = max(len(t) for t in lexicon.terms)
        self._pieces = self._fuzzy_pieces(lexicon)
        self._tokenizer: jieba.Tokenizer | None = None
        self._lock = threading.Lock()

    @staticmethod
    def _fuzzy_pieces(lexicon: Lexicon) -> dict[str, dict[str, Decimal]]:
        owners: dict[str, set[str]] = {}
        for term, weights in lexicon.terms.items():
            for piece in _bigrams(term):
                owners.setdefault(piece, set()).update(weights)
        return {
            piece: {code: lexicon.fuzzy_weight / len(codes) for code in codes}
            for piece, codes in owners.items()
            if len(codes) <= lexicon.fuzzy_max_scenarios
        }

    def _segmenter(self) -> jieba.Tokenizer:
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    jieba.setLogLevel(logging.WARNING)
                    tokenizer = jieba.Tokenizer()
                    tokenizer.initialize()
                    for term in sorted(self.lexicon.terms):  # the user dictionary: one word per term
                        if len(term) > 1:
                            tokenizer.add_word(term)
                    self._tokenizer = tokenizer
        return self._tokenizer

    def segment(self, text: str) -> list[str]:
        """The normalised text cut into words (the user dictionary keeps lexicon terms whole)."""
        return list(self._segmenter().cut(normalise(text), HMM=False))

    def classify(self, text: str, top: int | None = None) -> list[Match]:
        """Scenarios with any evidence, best first (ties by code); at most `top` of them."""
        words = self.segment(text)
        clean = "".join(words)
        evidence: dict[str, _Evidence] = {}
        covered = [False] * len(clean)
        for start, end in self._terms_found(clean, words):
            covered[start:end] = [True] * (end - start)
            for code, weight in self.lexicon.terms[clean[start:end]].items():
                self._add(evidence, code, weight, start, clean[start:end])
        for start, end in self._terms_inside(words, covered):
            covered[start:end] = [True] * (end - start)
            for code, weight in self.lexicon.terms[clean[start:end]].items():
                self._add(evidence, code, weight * self.lexicon.inside, start, clean[start:end])
        for start, piece in self._loose_pieces(words, covered):
            for code, weight in self._pieces[piece].items():
                self._add(evidence, code, weight, start, piece)
        ranked = sorted(evidence.items(), key=lambda item: (-item[1].total, -item[1].strongest(), item[0]))
        matches = [
            Match(code, self.score(ev.total), tuple(w for _, _, w in sorted(ev.why, key=lambda e: (-e[0], e[1]))))
            for code, ev in ranked
        ]
        return matches if top is None else matches[:top]

    def classify_many(self, texts: Iterable[str], top: int | None = None) -> list[list[Match]]:
        return [self.classify(text, top) for text in texts]

    def score(self, total: Decimal) -> Decimal:
        return (total / (total + self.lexicon.saturation)).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)

    def _terms_found(self, clean: str, words: Sequence[str]) -> list[tuple[int, int]]:
        """Lexicon terms on word boundaries, longest first, never overlapping."""
        bounds = [0]
        for word in words:
            bounds.append(bounds[-1] + len(word))
        candidates = [
            (start, end)
            for i, start in enumerate(bounds)
            for end in bounds[i + 1:]
            if end - start <= self._max_term and clean[start:end] in self.lexicon.terms
            and not _splits_latin(clean, start, end)
        ]
        candidates.sort(key=lambda span: (span[0] - span[1], span[0]))
        taken: list[tuple[int, int]] = []
        for start, end in candidates:
            if not any(start < e and s < end for s, e in taken):
                taken.append((start, end))
        return taken

    def _terms_inside(self, words: Sequence[str], covered: Sequence[bool]) -> list[tuple[int, int]]:
        """Chinese terms strictly inside an untouched word, longest first, never overlapping."""
        taken: list[tuple[int, int]] = []
        offset = 0
        for word in words:
            size = len(word)
            if size > 2 and not any(covered[offset:offset + size]):
                candidates = [
                    (i, j)
                    for i in range(size - 1)
                    for j in range(i + 2, min(size, i + self._max_term) + 1)
                    if j - i < size and word[i:j] in self.lexicon.terms and _CJK_ONLY.fullmatch(word[i:j])
                ]
                candidates.sort(key=lambda span: (span[0] - span[1], span[0]))
                inside: list[tuple[int, int]] = []
                for i, j in candidates:
                    if not any(i < e and s < j for s, e in inside):
                        inside.append((i, j))
                taken += [(offset + i, offset + j) for i, j in inside]
            offset += size
        return taken

    def _loose_pieces(self, words: Sequence[str], covered: Sequence[bool]) -> list[tuple[int, str]]:
        """Two-character pieces inside one word, outside the terms found (first position of each)."""
        found: dict[str, int] = {}
        offset = 0
        for word in words:
            for i in range(len(word) - 1):
                start = offset + i
                piece = word[i:i + 2]
                if piece in self._pieces and not (covered[start] or covered[start + 1]):
                    found.setdefault(piece, start)
            offset += len(word)
        return [(start, piece) for piece, start in found.items()]

    @staticmethod
    def _add(evidence: dict[str, _Evidence], code: str, weight: Decimal, position: int, words: str) -> None:
        ev = evidence.setdefault(code, _Evidence())
        if any(w == words for _, _, w in ev.why):  # a word said twice counts once
            return
        ev.total += weight
        ev.why.append((weight, position, words))


def _splits_latin(clean: str, start: int, end: int) -> bool:
    """True when the span cuts a run of Latin letters or of digits (ai in email, mes in mesh, 8d in 18d):
    the segmenter splits unknown Latin words around user-dictionary terms, which must not count."""
    def same_run(a: str, b: str) -> bool:
        return (a.isascii() and b.isascii()) and ((a.isalpha() and b.isalpha()) or (a.isdigit() and b.isdigit()))
    return (start > 0 and same_run(clean[start - 1], clean[start])) or (
        end < len(clean) and same_run(clean[end - 1], clean[end]))


def _bigrams(term: str) -> Iterable[str]:
    return (term[i:i + 2] for i in range(len(term) - 1) if _CJK.match(term[i]) and _CJK.match(term[i + 1]))
