"""Demo assessments for the demo city's enterprises: deterministic, profile-consistent, scored by the real engine.

Each demo enterprise gets a latent "digital capability" from its profile — bigger, above-scale,
high-tech, on-cloud and 专精特新 firms higher, the lighting and appliance clusters a little better —
plus noise from a random stream keyed by the seed and the firm's USCC (so a firm's assessments do not
change when the city grows). About a third of the firms are assessed (most above-scale firms); some
have a post-transformation sheet after their baseline (higher capability: the pair shows the
improvement), some an on-site rating (现场评定) that lowers a few self-assessed answers with a reason.

Answers are drawn from the indicator set's own options, so the sheets are valid by construction; they
are scored together by the batch engine (`domain.batch`) and written with `bulk_create`. The
explanation is left empty: the report scores a sheet again with the single-sheet scorer when shown.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from shuzhuan.assessment import indicator_sets
from shuzhuan.assessment.domain.batch import LEVEL, SCORE, BatchScorer, milli, sheets_frame
from shuzhuan.assessment.domain.model import IndicatorSet, Question, QuestionType, to_points
from shuzhuan.assessment.models import Assessment, Kind, Source, Status
from shuzhuan.assessment.results import refresh_official
from shuzhuan.core.models import Organisation, OrganisationKind
from shuzhuan.registry import demo as registry_demo
from shuzhuan.registry.models import Enterprise

CHUNK = 5000
BASE = {"large": 0.70, "medium": 0.56, "small": 0.40, "micro": 0.27, "": 0.27}
ZJTX = {"innovative": 0.04, "zjtx": 0.07, "little_giant": 0.11}
CLUSTERS = ("387", "385")  # lighting, household appliances: the city's strongest clusters
BASELINE_FROM = dt.date(2024, 3, 1)
POST_FROM = dt.date(2025, 3, 1)
POST_SHARE, ONSITE_SHARE = 0.3, 0.2
ONSITE_REASONS = ("现场核查未见相应系统记录，按实际情况调整", "支撑材料不足以证明该项已实施", "现场演示仅覆盖部分业务环节")


@dataclass(frozen=True)
class Profile:
    pk: int
    uscc: str
    industry: str
    size_class: str
    above_scale: bool
    high_tech: bool
    on_cloud: bool
    zjtx_tier: str
    chain_leader: bool


@dataclass
class Sheet:
    enterprise: int
    kind: str
    source: str
    status: str
    assessed_on: dt.date
    answers: dict[str, Any]
    scenarios: dict[str, int]
    changes: dict[str, Any] = field(default_factory=dict)
    base: Sheet | None = None  # an on-site rating: the self-assessment it starts from


@dataclass
class DemoResult:
    enterprises: int = 0
    assessed: int = 0
    sheets: int = 0
    post: int = 0
    onsite: int = 0
    seconds: float = 0.0
    levels: dict[int, int] = field(default_factory=dict)


def capability(p: Profile, rng: random.Random) -> float:
    c = BASE.get(p.size_class, 0.27) + 0.06 * p.above_scale + 0.08 * p.high_tech + 0.06 * p.on_cloud
    c += ZJTX.get(p.zjtx_tier, 0) + 0.10 * p.chain_leader + (0.07 if p.industry[:3] in CLUSTERS else 0)
    return min(0.97, max(0.03, c + rng.gauss(0, 0.1)))


def assessed_probability(p: Profile) -> float:
    chance = 0.22 + 0.5 * p.above_scale + 0.08 * bool(p.zjtx_tier) + 0.05 * (p.industry[:3] in CLUSTERS)
    return min(0.95, chance + 0.2 * p.chain_leader)


def _clip(x: float) -> float:
    return min(1.0, max(0.0, x))


_TABLES: dict[tuple[str, str], dict[str, tuple[tuple[str, ...], str | None]]] = {}


def _tables(indicator_set: IndicatorSet) -> dict[str, tuple[tuple[str, ...], str | None]]:
    """Per question: its letters from fewest to most points (without 无) and its 无 letter, once per set."""
    key = (indicator_set.id, indicator_set.version)
    if key not in _TABLES:
        _TABLES[key] = {
            q.code: (tuple(o.letter for o in sorted((o for o in q.options if not o.none), key=lambda o: (o.points, o.letter))),
                     next((o.letter for o in q.options if o.none), None))
            for q in indicator_set.questions
        }
    return _TABLES[key]


def answer(question: Question, ranked: tuple[str, ...], none: str | None, c: float, rng: random.Random) -> Any:
    if question.type is QuestionType.MULTI:
        chance = _clip(c * 1.1 + rng.gauss(0, 0.1))
        chosen = [letter for letter in ranked if rng.random() < chance]
        return sorted(chosen) or ([none] if none else [ranked[0]])
    return ranked[round(_clip(c + rng.gauss(0, 0.15)) * (len(ranked) - 1))]


def sheet(indicator_set: IndicatorSet, c: float, rng: random.Random) -> tuple[dict[str, Any], dict[str, int]]:
    tables = _tables(indicator_set)
    answers = {q.code: answer(q, *tables[q.code], c, rng) for q in indicator_set.questions}
    top = indicator_set.scenario_level_max
    scenarios = {
        s.code: int(round(min(top, max(0, c * 4.4 - 0.4 + 0.3 * s.mandatory + rng.gauss(0, 0.7)))))
        for s in indicator_set.scenarios
    }
    return answers, scenarios


def _lower(indicator_set: IndicatorSet, answers: dict[str, Any], scenarios: dict[str, int], rng: random.Random
           ) -> tuple[dict[str, Any], dict[str, int], dict[str, Any]]:
    """An on-site rating: one to three answers or scenarios set one step lower, each with a reason."""
    answers, scenarios = dict(answers), dict(scenarios)
    changes: dict[str, Any] = {}
    candidates = [q.code for q in indicator_set.questions] + [s.code for s in indicator_set.scenarios]
    wanted = rng.randint(1, 3)
    for code in rng.sample(candidates, len(candidates)):
        if len(changes) >= wanted:
            break
        reason = rng.choice(ONSITE_REASONS)
        if code in scenarios:
            if scenarios[code] > 0:
                changes[code] = {"from": scenarios[code], "to": scenarios[code] - 1, "reason": reason}
                scenarios[code] -= 1
            continue
        question = indicator_set.question_index[code]
        before = answers[code]
        if question.type is QuestionType.MULTI:
            if len(before) > 1:
                after: Any = before[:-1]
            else:
                continue
        else:
            ranked = _tables(indicator_set)[code][0]
            position = ranked.index(before)
            if position == 0:
                continue
            after = ranked[position - 1]
        answers[code] = after
        changes[code] = {"from": before, "to": after, "reason": reason}
    return answers, scenarios, changes


def profiles() -> Iterator[Profile]:
    demo = Enterprise.objects.filter(organisation__in=registry_demo.demo_organisations())
    rows = demo.order_by("organisation__uscc").values_list(
        "pk", "organisation__uscc", "industry_id", "size_class", "above_scale", "high_tech", "on_cloud", "zjtx_tier",
        "chain_leader",
    )
    for row in rows.iterator(chunk_size=CHUNK):
        yield Profile(row[0], row[1], row[2] or "", *row[3:])


def plan(indicator_set: IndicatorSet, seed: int, profile: Profile) -> list[Sheet]:
    """The sheets of one enterprise (possibly none), from a stream keyed by seed and USCC."""
    rng = random.Random(f"{seed}:{profile.uscc}")
    if rng.random() >= assessed_probability(profile):
        return []
    c = capability(profile, rng)
    answers, scenarios = sheet(indicator_set, c, rng)
    baseline_on = BASELINE_FROM + dt.timedelta(days=rng.randrange(200))
    sheets = [Sheet(profile.pk, Kind.BASELINE, Source.SELF, Status.SUBMITTED, baseline_on, answers, scenarios)]
    if rng.random() < POST_SHARE:
        better = min(0.98, c + rng.uniform(0.08, 0.22))
        post_answers, post_scenarios = sheet(indicator_set, better, rng)
        sheets.append(Sheet(profile.pk, Kind.POST, Source.SELF, Status.SUBMITTED,
                            POST_FROM + dt.timedelta(days=rng.randrange(120)), post_answers, post_scenarios))
    if rng.random() < ONSITE_SHARE:
        latest = sheets[-1]
        rated_answers, rated_scenarios, changes = _lower(indicator_set, latest.answers, latest.scenarios, rng)
        sheets.append(Sheet(profile.pk, latest.kind, Source.ONSITE, Status.SIGNED,
                            latest.assessed_on + dt.timedelta(days=rng.randrange(10, 40)), rated_answers, rated_scenarios,
                            changes, base=latest))
    return sheets


COLUMNS = (
    "id", "enterprise", "kind", "source", "status", "indicator_set", "version", "assessed_on", "answers", "scenarios",
    "figures", "score", "level", "dimensions", "second_levels", "indicators", "explanation", "based_on", "rater_organisation",
    "changes", "pledge_accepted_at", "created_at", "updated_at", "submitted_at", "signed_at",
)


def _rows(indicator_set: IndicatorSet, scorer: BatchScorer, sheets: list[Sheet], ids: dict[int, int], rater: int | None,
          now: Any) -> list[tuple]:
    """Rows for a raw insert (registry.demo.insert_rows: COPY on PostgreSQL, executemany elsewhere)."""
    scored = scorer.score(sheets_frame(indicator_set, ((s.answers, s.scenarios) for s in sheets)), check=False)
    col = {name: scored[name].to_list() for name in scored.columns if name.endswith("_milli") or name == LEVEL}
    dims = [(d.code, col[milli(d.code)]) for d in indicator_set.dimensions]
    seconds = [(x.code, col[milli(x.code)]) for x in indicator_set.second_levels]
    questions = [(q.code, col[milli(q.code)]) for q in indicator_set.questions]
    rows = []
    for i, s in enumerate(sheets):
        onsite = s.source == Source.ONSITE
        rows.append((
            ids[id(s)], s.enterprise, s.kind, s.source, s.status, indicator_set.id, indicator_set.version, s.assessed_on,
            json.dumps(s.answers), json.dumps(s.scenarios), "{}", to_points(col[SCORE][i]), int(col[LEVEL][i]),
            json.dumps({k: str(to_points(v[i])) for k, v in dims}),
            json.dumps({k: str(to_points(v[i])) for k, v in seconds}, ensure_ascii=False),
            json.dumps({k: str(to_points(v[i])) for k, v in questions}), "[]",
            ids[id(s.base)] if s.base is not None else None, rater if onsite else None,
            json.dumps(s.changes, ensure_ascii=False), None if onsite else now, now, now, now, now if onsite else None,
        ))
    return rows


def generate_assessments(seed: int, stdout: Any = None) -> DemoResult:
    """Add demo assessments to the demo enterprises already in the database (one transaction)."""
    started = time.perf_counter()
    indicator_set = indicator_sets.load(indicator_sets.DEFAULT)
    scorer = BatchScorer(indicator_set)
    rater = Organisation.objects.filter(kind=OrganisationKind.PROVIDER).order_by("pk").values_list("pk", flat=True).first()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    result = DemoResult()
    pending: list[Sheet] = []

    def flush() -> None:
        if not pending:
            return
        reserved = registry_demo.reserve_ids(Assessment, len(pending))
        ids = {id(s): pk for s, pk in zip(pending, reserved, strict=True)}
        for group in ([s for s in pending if s.base is None], [s for s in pending if s.base is not None]):
            if group:
                registry_demo.insert_rows(Assessment, COLUMNS, _rows(indicator_set, scorer, group, ids, rater, now))
        pending.clear()

    with transaction.atomic():
        for profile in profiles():
            result.enterprises += 1
            sheets = plan(indicator_set, seed, profile)
            if not sheets:
                continue
            result.assessed += 1
            result.sheets += len(sheets)
            result.post += sum(s.kind == Kind.POST and s.source == Source.SELF for s in sheets)
            result.onsite += sum(s.source == Source.ONSITE for s in sheets)
            pending.extend(sheets)
            if len(pending) >= CHUNK:
                flush()
        flush()
        refresh_official()
    result.levels = dict(demo_assessments().values_list("level").annotate(n=Count("pk")).order_by())
    result.seconds = time.perf_counter() - started
    if stdout is not None:
        share = result.assessed / result.enterprises if result.enterprises else 0
        levels = " · ".join(f"{indicator_set.level_name(k)} {v:,}" for k, v in sorted(result.levels.items()))
        stdout.write(
            f"  {result.assessed:,} / {result.enterprises:,} 家企业有评测（{share:.0%}），共 {result.sheets:,} 份："
            f"改造后 {result.post:,}、现场评定 {result.onsite:,}；{levels}；用时 {result.seconds:.1f} 秒\n"
        )
    return result


def demo_assessments():
    return Assessment.objects.filter(enterprise__organisation__in=registry_demo.demo_organisations())


def demo_assessments_present() -> bool:
    return demo_assessments().exists()


@transaction.atomic
def delete_demo_assessments() -> int:
    """Remove the demo enterprises' assessments (on-site ratings first: they point at self-assessments)."""
    onsite, _ = demo_assessments().filter(based_on__isnull=False).delete()
    rest, _ = demo_assessments().delete()
    return onsite + rest


# --- for other apps' demo steps (they never write assessment rows themselves) -----------------------------

def signed_post_rating(enterprise_id: int, rater_organisation_id: int | None, level: int,
                       rng: random.Random) -> Assessment:
    """A signed on-site post-transformation rating: a real answer sheet scored by the real scorer, drawn
    until it reaches `level` (so reports, statistics and the programme all show the same figures)."""
    from shuzhuan.assessment.results import apply_score

    indicator_set = indicator_sets.load(indicator_sets.DEFAULT)
    row = Assessment(enterprise_id=enterprise_id, kind=Kind.POST, source=Source.ONSITE, status=Status.SIGNED,
                     indicator_set=indicator_set.id, assessed_on=timezone.localdate(),
                     rater_organisation_id=rater_organisation_id, signed_at=timezone.now(), submitted_at=timezone.now())
    capability = 0.35 + 0.12 * level
    for _attempt in range(60):
        row.answers, row.scenarios = sheet(indicator_set, min(capability, 0.98), rng)
        if (apply_score(row).level or 0) >= level:
            break
        capability += 0.02
    row.save()
    refresh_official([enterprise_id])
    return row


def delete_assessments(pks: list[int]) -> int:
    """Remove these assessments (another app's demo ratings, on reset)."""
    removed, _ = Assessment.objects.filter(pk__in=pks).delete()
    return removed


def delete_for_organisations(organisations: Any) -> int:
    """Remove every assessment of the enterprises of these organisations (a demo's fallback firms)."""
    removed, _ = Assessment.objects.filter(enterprise__organisation__in=organisations).delete()
    return removed
