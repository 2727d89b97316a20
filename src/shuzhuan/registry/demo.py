"""The demo city's enterprise registry: a deterministic generator and a fast bulk writer.

`CityGenerator` turns a seed and the calibration in `data/demo_city.yaml` into enterprises with
two or three years of figures, one at a time and in the same order for the same seed (only
`random.Random(seed)` and keyed permutations, so the first N rows of a bigger run are the rows of
a smaller one). Names and organisation codes are unique by construction: the i-th enterprise gets
the i-th value of a keyed permutation, so nothing grows with N.

`build_demo_registry` writes them in chunks inside one transaction: COPY on PostgreSQL,
`executemany` elsewhere. Demo enterprises are recognised by their USCC prefix (an organisation-code
prefix that is never issued), which is how a re-run detects them and `--reset` removes them.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from shuzhuan.core.models import AuditEntry, Organisation, OrganisationKind, Town, User
from shuzhuan.registry.domain import USCC_ALPHABET, SizeRule, make_uscc, rule_for
from shuzhuan.registry.models import Enterprise, EnterpriseYear, IndustryClass
from shuzhuan.registry.services import DATA_DIR, size_rules

CALIBRATION_PATH = DATA_DIR / "demo_city.yaml"
ORG_CODE_DIGITS = 6  # after the two-letter prefix: 31**6 codes
CHUNK_SIZE = 20_000
_MASK64 = (1 << 64) - 1

ProgressFn = Callable[[int, int], None]


# --- calibration -----------------------------------------------------------------------------

class Choice:
    """A weighted choice drawn with one `rng.random()` (bisect on cumulative weights)."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]):
        if len(items) != len(weights) or not items or any(w < 0 for w in weights) or sum(weights) <= 0:
            raise ValueError(f"weights must be non-negative with a positive sum: {list(items)} {list(weights)}")
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(float(w) for w in weights))
        self.total = self.cumulative[-1]

    @classmethod
    def of(cls, weights: Mapping[Any, Any]) -> Choice:
        """From a {item: weight} mapping (as written in the calibration)."""
        return cls(list(weights), [float(w) for w in weights.values()])

    def draw(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


@dataclass(frozen=True)
class TownMix:
    name: str
    weight: float
    speciality_share: float
    specialities: Choice
    revenue_factor: float


@dataclass(frozen=True)
class ChainLeader:
    town: str
    industry: str
    employees: int
    revenue: Decimal


@dataclass(frozen=True)
class Calibration:
    """`data/demo_city.yaml`, parsed and checked (see that file for what each value means)."""

    raw: Mapping[str, Any]
    years: tuple[int, ...]
    towns: tuple[TownMix, ...]
    general_mix: Choice
    industries: Mapping[str, tuple[str, ...]]
    chain_leaders: tuple[ChainLeader, ...]
    syllables: str
    forbidden: tuple[str, ...]
    division: str
    enterprise_org_prefix: str
    account_org_prefix: str

    @property
    def uscc_prefix(self) -> str:
        """Every demo enterprise's USCC starts with this (registrar, kind, division, org prefix)."""
        u = self.raw["uscc"]
        return f"{u['registrar']}{u['kind']}{self.division}{self.enterprise_org_prefix}"

    def account_uscc(self, number: int) -> str:
        """A USCC for an organisation the demo accounts need (provider, bank), outside the enterprises' range."""
        u = self.raw["uscc"]
        body = self.account_org_prefix + _base31(number, ORG_CODE_DIGITS)
        return make_uscc(self.division, body, registrar=u["registrar"], kind=u["kind"])

    def classes(self) -> set[str]:
        """Every industry class the calibration can draw."""
        codes = set(self.general_mix.items) | {c.industry for c in self.chain_leaders}
        for town in self.towns:
            codes |= set(town.specialities.items)
        return codes


def parse_calibration(data: Mapping[str, Any]) -> Calibration:
    industries = {str(code): tuple(words) for code, words in data["industries"].items()}
    towns = tuple(
        TownMix(
            name=name,
            weight=float(spec["weight"]),
            speciality_share=float(spec["speciality_share"]),
            specialities=Choice.of({str(k): v for k, v in spec["specialities"].items()}),
            revenue_factor=float(spec.get("revenue_factor", 1.0)),
        )
        for name, spec in data["towns"].items()
    )
    leaders = tuple(
        ChainLeader(c["town"], str(c["industry"]), int(c["employees"]), Decimal(str(c["revenue"])))
        for c in data["chain_leaders"]
    )
    syllables = "".join(dict.fromkeys("".join(str(data["names"]["syllables"]).split())))
    cal = Calibration(
        raw=data,
        years=tuple(int(y) for y in data["years"]),
        towns=towns,
        general_mix=Choice.of({str(k): v for k, v in data["general_mix"].items()}),
        industries=industries,
        chain_leaders=leaders,
        syllables=syllables,
        forbidden=tuple(str(f) for f in data["names"]["forbidden"]),
        division=str(data["uscc"]["division"]),
        enterprise_org_prefix=str(data["uscc"]["enterprise_org_prefix"]),
        account_org_prefix=str(data["uscc"]["account_org_prefix"]),
    )
    missing = sorted(cal.classes() - set(industries))
    if missing:
        raise ValueError(f"demo calibration: no name words for classes {', '.join(missing)}")
    if len(cal.years) < 2 or list(cal.years) != sorted(set(cal.years)):
        raise ValueError("demo calibration: years must be at least two, ascending")
    unknown_towns = {c.town for c in leaders} - {t.name for t in towns}
    if unknown_towns:
        raise ValueError(f"demo calibration: chain leaders in unknown towns {sorted(unknown_towns)}")
    for prefix in (cal.enterprise_org_prefix, cal.account_org_prefix):
        if len(prefix) != 8 - ORG_CODE_DIGITS or any(ch not in USCC_ALPHABET for ch in prefix):
            raise ValueError(f"demo calibration: organisation-code prefix {prefix!r} must be 2 USCC characters")
    if cal.enterprise_org_prefix == cal.account_org_prefix:
        raise ValueError("demo calibration: enterprise and account organisation-code prefixes must differ")
    return cal


@cache
def calibration(path: Path = CALIBRATION_PATH) -> Calibration:
    with path.open(encoding="utf-8") as fh:
        return parse_calibration(yaml.safe_load(fh))


# --- keyed permutations: unique names and codes without remembering them -------------------------

class Permutation:
    """A keyed pseudo-random bijection of range(size): a balanced Feistel network with cycle walking."""

    def __init__(self, size: int, key: int, rounds: int = 4):
        if size < 1:
            raise ValueError("size must be positive")
        self.size = size
        bits = max(2, (size - 1).bit_length())
        bits += bits % 2
        self.half = bits // 2
        self.mask = (1 << self.half) - 1
        self.keys = tuple(_mix64(key + 0x9E3779B97F4A7C15 * (r + 1)) for r in range(rounds))

    def __call__(self, index: int) -> int:
        if not 0 <= index < self.size:
            raise IndexError(f"{index} outside 0..{self.size - 1}")
        half, mask, keys, size = self.half, self.mask, self.keys, self.size
        x = index
        while True:
            left, right = x >> half, x & mask
            for k in keys:
                h = ((right ^ k) * 0x9E3779B97F4A7C15) & _MASK64
                left, right = right, left ^ ((h ^ (h >> 29)) & mask)
            x = (left << half) | right
            if x < size:
                return x


def _mix64(x: int) -> int:
    """SplitMix64's finaliser: a well-spread 64-bit hash (for round keys)."""
    x &= _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _base31(value: int, digits: int) -> str:
    out = []
    for _ in range(digits):
        value, r = divmod(value, 31)
        out.append(USCC_ALPHABET[r])
    if value:
        raise ValueError("value does not fit")
    return "".join(reversed(out))


class TradeNames:
    """The i-th enterprise's trade name (字号): unique for every i, two syllables for a share of them.

    Index i is a two-syllable name when the Beatty sequence ⌊i·share⌋ steps at i (and two-syllable
    names remain); the others take the next rank among three-, then four-syllable names.
    """

    def __init__(self, syllables: str, two_share: Fraction, key: int):
        self.syllables = syllables
        self.share = two_share
        n = len(syllables)
        self.sizes = (n**2, n**3, n**4)
        self.perms = tuple(Permutation(size, key + length) for length, size in enumerate(self.sizes))

    @property
    def capacity(self) -> int:
        return sum(self.sizes)

    def __call__(self, i: int) -> str:
        before = i * self.share.numerator // self.share.denominator  # two-syllable slots before i
        two_before = min(before, self.sizes[0])
        is_two = (i + 1) * self.share.numerator // self.share.denominator > before and before < self.sizes[0]
        if is_two:
            return self._spell(0, two_before, 2)
        rank = i - two_before
        if rank < self.sizes[1]:
            return self._spell(1, rank, 3)
        return self._spell(2, rank - self.sizes[1], 4)

    def _spell(self, tier: int, rank: int, length: int) -> str:
        value = self.perms[tier](rank)
        n = len(self.syllables)
        chars = []
        for _ in range(length):
            value, r = divmod(value, n)
            chars.append(self.syllables[r])
        return "".join(chars)


# --- the generator -----------------------------------------------------------------------------

class DemoYear(NamedTuple):
    year: int
    employees: int
    revenue: Decimal
    tax: Decimal


class DemoEnterprise(NamedTuple):
    """One generated enterprise (a named tuple: millions are made, cheaply)."""

    index: int
    uscc: str
    name: str
    legal_representative: str
    town: str  # short name
    address: str
    industry: str
    founded_on: dt.date
    years: tuple[DemoYear, ...]  # oldest first
    size_class: str
    above_scale: bool
    zjtx_tier: str
    high_tech: bool
    chain_leader: bool
    cultivation_directory: bool
    on_cloud: bool
    contact_name: str
    contact_phone: str
    contact_email: str

    @property
    def latest(self) -> DemoYear:
        return self.years[-1]


def _cents(value: Decimal | str) -> int:
    """Yuan (a Decimal or its text, as in the calibration) to integer cents."""
    return int(Decimal(str(value)) * 100)


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


class CityGenerator:
    """Enterprises of the demo city, deterministic for (calibration, seed); see the module doc.

    Every parameter is read from the calibration once, here; `enterprise(i)` only draws.
    """

    def __init__(
        self, cal: Calibration, seed: int, rules: Sequence[SizeRule] | None = None,
        town_names: Mapping[str, str] | None = None,
    ):
        """`town_names`: full names for addresses (古镇 → 古镇镇); the short name otherwise."""
        self.cal = cal
        self.seed = seed
        raw = cal.raw
        self.rng = random.Random(seed)
        keys = random.Random(f"shuzhuan-demo-keys:{seed}")
        self.org_codes = Permutation(31**ORG_CODE_DIGITS, keys.getrandbits(64))
        names = raw["names"]
        self.trade_names = TradeNames(cal.syllables, Fraction(str(names["two_syllable_share"])), keys.getrandbits(64))
        self.rule = rule_for(list(rules if rules is not None else size_rules()), dt.date(cal.years[-1], 12, 31))
        self.uscc = raw["uscc"]
        # where and what
        self.town_choice = Choice(cal.towns, [t.weight for t in cal.towns])
        self.towns = {t.name: t for t in cal.towns}
        self.town_names = {t.name: t.name for t in cal.towns} | dict(town_names or {})
        self.city = str(raw["city"]["name"])
        # money
        rev, rpe, emp = raw["revenue"], raw["revenue_per_employee"], raw["employees"]
        self.rev_mu, self.rev_sigma = math.log(float(rev["median"])), float(rev["sigma"])
        self.rev_min, self.rev_max = _cents(rev["min"]), _cents(rev["max"])
        self.rpe_mu, self.rpe_sigma = math.log(float(rpe["median"]) * 100), float(rpe["sigma"])
        self.emp_min, self.emp_max = int(emp["min"]), int(emp["max"])
        growth = raw["growth"]
        self.growth = (float(growth["mean"]), float(growth["sigma"]), float(growth["min"]), float(growth["max"]))
        self.tax_rate = (float(raw["tax_rate"]["min"]), float(raw["tax_rate"]["max"]))
        self.three_year_share = float(raw["three_year_share"])
        # founding
        founded = raw["founded"]
        bands = [(int(b["from"]), int(b["until"])) for b in founded["bands"]]
        if max(last for _, last in bands) > cal.years[-2]:
            raise ValueError(f"demo calibration: founding bands must end by {cal.years[-2]} (two years of figures)")
        self.founding_bands = Choice(bands, [float(b["weight"]) for b in founded["bands"]])
        self.older_from = _cents(founded["older_if_revenue_at_least"])
        # tags
        tags = raw["tags"]
        self.zjtx = {
            size: Choice(["", *rates], [max(0.0, 1 - sum(rates.values())), *rates.values()])
            for size, rates in tags["zjtx"].items()
        }
        self.high_tech_rates = {k: float(v) for k, v in tags["high_tech"]["rates"].items()}
        self.high_tech_factor = {str(k): float(v) for k, v in tags["high_tech"]["division_factor"].items()}
        self.on_cloud_rates = {k: float(v) for k, v in tags["on_cloud"]["rates"].items()}
        self.cultivation_from = _cents(tags["cultivation_directory"]["min_revenue"])
        self.cultivation_rate = float(tags["cultivation_directory"]["rate"])
        self.email_rate = float(tags["email_rate"])
        # names, people, addresses
        self.prefixes = Choice.of(names["prefixes"])
        self.suffixes = Choice.of(names["suffixes"])
        self.large_suffixes = Choice.of(names["large_suffixes"])
        self.large_from = _cents(names["large_from"])
        people = raw["people"]
        self.surnames = Choice.of(people["surnames"])
        self.given = "".join(str(people["given"]).split())
        self.contact_is_legal_rep = float(people["contact_is_legal_rep"])
        self.mobile_prefixes = tuple(str(p) for p in people["mobile_prefixes"])
        addresses = raw["addresses"]
        self.road_first, self.road_second = str(addresses["road_first"]), str(addresses["road_second"])
        self.road_kinds = Choice.of(addresses["road_kinds"])
        self.address_extras = Choice.of(addresses["extras"])
        self.max_number = int(addresses["max_number"])

    @property
    def capacity(self) -> int:
        return self.trade_names.capacity

    def enterprises(self, count: int) -> Iterator[DemoEnterprise]:
        if count > self.capacity:
            raise ValueError(f"the demo city has names for at most {self.capacity:,} enterprises")
        for i in range(count):
            yield self.enterprise(i)

    def chunks(self, count: int, size: int = CHUNK_SIZE) -> Iterator[list[DemoEnterprise]]:
        it = self.enterprises(count)
        while chunk := list(itertools.islice(it, size)):
            yield chunk

    def _pick(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.rng.random() * len(seq))]

    # one enterprise: every draw comes from self.rng, in a fixed order
    def enterprise(self, i: int) -> DemoEnterprise:
        rng = self.rng
        leaders = self.cal.chain_leaders
        leader = leaders[i] if i < len(leaders) else None
        if leader is not None:
            town = self.towns[leader.town]
            industry = leader.industry
            revenue, employees = _cents(leader.revenue), leader.employees
        else:
            rest = i - len(leaders)
            # the first firms visit every town once, so even a tiny city covers all of them
            town = self.cal.towns[rest] if rest < len(self.cal.towns) else self.town_choice.draw(rng)
            mix = town.specialities if rng.random() < town.speciality_share else self.cal.general_mix
            industry = mix.draw(rng)
            revenue = int(math.exp(rng.gauss(self.rev_mu, self.rev_sigma)) * town.revenue_factor * 100)
            revenue = min(max(revenue, self.rev_min), self.rev_max)
            per_employee = math.exp(rng.gauss(self.rpe_mu, self.rpe_sigma))
            employees = min(max(round(revenue / per_employee), self.emp_min), self.emp_max)
        founded_on = self._founding_date(revenue)
        years = self._years(founded_on.year, employees, revenue)
        latest = years[-1]
        size_class = self.rule.size_class(latest.employees, latest.revenue) or ""
        above_scale = self.rule.above_scale(latest.revenue)
        org_code = self.cal.enterprise_org_prefix + _base31(self.org_codes(i), ORG_CODE_DIGITS)
        legal = self._person()
        contact = legal if rng.random() < self.contact_is_legal_rep else self._person()
        if leader is not None:
            zjtx, high_tech, on_cloud = "", True, True
        else:
            zjtx = self.zjtx[size_class].draw(rng)
            factor = self.high_tech_factor.get(industry[:2], 1.0)
            high_tech = rng.random() < self.high_tech_rates[size_class] * factor
            on_cloud = rng.random() < self.on_cloud_rates[size_class]
        latest_cents = _cents(latest.revenue)
        cultivation = not above_scale and latest_cents >= self.cultivation_from and rng.random() < self.cultivation_rate
        email = f"{org_code.lower()}@example.com" if rng.random() < self.email_rate else ""
        return DemoEnterprise(
            index=i,
            uscc=make_uscc(self.cal.division, org_code, registrar=self.uscc["registrar"], kind=self.uscc["kind"]),
            name=self._company_name(i, industry, revenue, leader is not None),
            legal_representative=legal,
            town=town.name,
            address=self._address(town.name),
            industry=industry,
            founded_on=founded_on,
            years=years,
            size_class=size_class,
            above_scale=above_scale,
            zjtx_tier=zjtx,
            high_tech=high_tech,
            chain_leader=leader is not None,
            cultivation_directory=cultivation,
            on_cloud=on_cloud,
            contact_name=contact,
            contact_phone=self._pick(self.mobile_prefixes) + f"{int(rng.random() * 10**8):08d}",
            contact_email=email,
        )

    def _founding_date(self, revenue_cents: int) -> dt.date:
        year = self._founding_year()
        if revenue_cents >= self.older_from:
            year = min(year, self._founding_year())
        days = 366 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 365
        return dt.date(year, 1, 1) + dt.timedelta(days=int(self.rng.random() * days))

    def _founding_year(self) -> int:
        first, last = self.founding_bands.draw(self.rng)
        return first + int(self.rng.random() * (last - first + 1))

    def _years(self, founded: int, employees: int, revenue_cents: int) -> tuple[DemoYear, ...]:
        """The latest year as drawn, earlier years backwards through the growth; oldest first."""
        rng = self.rng
        years = [y for y in self.cal.years if y >= founded]
        if len(years) > 2 and rng.random() >= self.three_year_share:
            years = years[1:]
        mean, sigma, low, high = self.growth
        rate = self.tax_rate[0] + (self.tax_rate[1] - self.tax_rate[0]) * rng.random()
        out = []
        for year in reversed(years):
            tax = round(revenue_cents * rate * (0.85 + 0.3 * rng.random()))
            out.append(DemoYear(year, employees, _money(revenue_cents), _money(tax)))
            g = min(max(rng.gauss(mean, sigma), low), high)
            revenue_cents = max(round(revenue_cents / (1 + g)), self.rev_min)
            employees = max(1, round(employees / (1 + 0.4 * g)))
        return tuple(reversed(out))

    def _company_name(self, i: int, industry: str, revenue_cents: int, leader: bool) -> str:
        rng = self.rng
        word = self._pick(self.cal.industries[industry])
        prefix = self.prefixes.draw(rng)
        if leader:
            suffix = "股份有限公司"
        else:
            suffix = (self.large_suffixes if revenue_cents >= self.large_from else self.suffixes).draw(rng)
        return f"{prefix}{self.trade_names(i)}{word}{suffix}"

    def _person(self) -> str:
        given = self.given
        surname = self.surnames.draw(self.rng)
        if self.rng.random() < 0.8:
            return surname + self._pick(given) + self._pick(given)
        return surname + self._pick(given)

    def _address(self, town: str) -> str:
        road = self._pick(self.road_first) + self._pick(self.road_second) + self.road_kinds.draw(self.rng)
        number = 1 + int(self.rng.random() * self.max_number)
        return f"{self.city}{self.town_names[town]}{road}{number}号{self.address_extras.draw(self.rng)}"


# --- the writer ----------------------------------------------------------------------------------

@dataclass
class BuildResult:
    enterprises: int = 0
    years: int = 0
    seconds: float = 0.0
    counts: Counter = field(default_factory=Counter)


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _columns(model: type[Model], fields: Sequence[str]) -> str:
    return ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)


def insert_rows(model: type[Model], fields: Sequence[str], rows: list[tuple]) -> None:
    """Raw bulk insert on the default connection: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {_table(model)} ({_columns(model, fields)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {_table(model)} ({_columns(model, fields)}) VALUES ({marks})", rows)


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """`count` new primary keys for rows inserted with explicit ids (call inside the transaction)."""
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count]
            )
            return [r[0] for r in cursor.fetchall()]
        # SQLite (the transaction holds the write lock) and others: after the highest id ever used
        cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(pk)}), 0) FROM {_table(model)}")
        top = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
            top = max(top, cursor.fetchone()[0])
    return list(range(top + 1, top + 1 + count))


ORGANISATION_FIELDS = ("id", "uscc", "name", "kind", "created_at")
ENTERPRISE_FIELDS = (
    "organisation", "legal_representative", "town", "address", "industry", "founded_on", "zjtx_tier",
    "high_tech", "chain_leader", "cultivation_directory", "on_cloud", "contact_name", "contact_phone",
    "contact_email", "latest_year", "employees", "revenue", "tax", "size_class", "above_scale",
    "created_at", "updated_at",
)
YEAR_FIELDS = ("enterprise", "year", "employees", "revenue", "tax")


def write_chunk(chunk: Sequence[DemoEnterprise], town_ids: Mapping[str, int], now: Any) -> int:
    """Insert one chunk (organisations, enterprises, years); returns the number of year rows."""
    ids = reserve_ids(Organisation, len(chunk))
    kind = OrganisationKind.ENTERPRISE.value
    insert_rows(Organisation, ORGANISATION_FIELDS, [(pk, e.uscc, e.name, kind, now) for pk, e in zip(ids, chunk, strict=True)])
    enterprises, years = [], []
    for pk, e in zip(ids, chunk, strict=True):
        latest = e.latest
        enterprises.append((
            pk, e.legal_representative, town_ids[e.town], e.address, e.industry, e.founded_on, e.zjtx_tier,
            e.high_tech, e.chain_leader, e.cultivation_directory, e.on_cloud, e.contact_name, e.contact_phone,
            e.contact_email, latest.year, latest.employees, latest.revenue, latest.tax, e.size_class,
            e.above_scale, now, now,
        ))
        years.extend((pk, y.year, y.employees, y.revenue, y.tax) for y in e.years)
    insert_rows(Enterprise, ENTERPRISE_FIELDS, enterprises)
    insert_rows(EnterpriseYear, YEAR_FIELDS, years)
    return len(years)


def _tally(counts: Counter, chunk: Sequence[DemoEnterprise]) -> None:
    for e in chunk:
        counts[f"size:{e.size_class}"] += 1
        counts["above_scale"] += e.above_scale
        counts["high_tech"] += e.high_tech
        counts["chain_leader"] += e.chain_leader
        counts["cultivation_directory"] += e.cultivation_directory
        counts["on_cloud"] += e.on_cloud
        if e.zjtx_tier:
            counts[f"zjtx:{e.zjtx_tier}"] += 1


def check_reference_data(cal: Calibration) -> dict[str, int]:
    """Town ids by short name; fails clearly if the database lacks a town or class the calibration uses."""
    towns = dict(Town.objects.values_list("short_name", "id"))
    missing_towns = sorted({t.name for t in cal.towns} - set(towns))
    if missing_towns:
        raise ValueError(f"数据库中没有这些镇街：{'、'.join(missing_towns)}（请先运行 shuzhuan migrate）")
    codes = set(IndustryClass.objects.filter(level="class", code__in=cal.classes()).values_list("code", flat=True))
    missing = sorted(cal.classes() - codes)
    if missing:
        raise ValueError(f"数据库中没有这些行业小类：{'、'.join(missing)}（请先运行 shuzhuan migrate）")
    return towns


def build_demo_registry(
    count: int, seed: int, *, progress: ProgressFn | None = None, chunk_size: int = CHUNK_SIZE,
    cal: Calibration | None = None,
) -> BuildResult:
    """Generate and insert `count` demo enterprises in one transaction."""
    cal = cal or calibration()
    started = time.perf_counter()
    town_ids = check_reference_data(cal)
    generator = CityGenerator(cal, seed, town_names=dict(Town.objects.values_list("short_name", "name")))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    result = BuildResult()
    with transaction.atomic(), _fast_sqlite():
        for chunk in generator.chunks(count, chunk_size):
            result.years += write_chunk(chunk, town_ids, now)
            result.enterprises += len(chunk)
            _tally(result.counts, chunk)
            if progress:
                progress(result.enterprises, count)
    result.seconds = time.perf_counter() - started
    return result


@contextmanager
def _fast_sqlite() -> Iterator[None]:
    """A bigger page cache for the duration of a big SQLite insert (index upkeep); no-op elsewhere."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size = -65536")  # 64 MiB, whatever N is
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


# --- finding and removing demo data --------------------------------------------------------------

def demo_organisations(cal: Calibration | None = None):
    cal = cal or calibration()
    return Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE, uscc__startswith=cal.uscc_prefix)


def demo_registry_count(cal: Calibration | None = None) -> int:
    return Enterprise.objects.filter(organisation__in=demo_organisations(cal)).count()


def demo_registry_present(cal: Calibration | None = None) -> bool:
    return demo_organisations(cal).exists()


@transaction.atomic
def delete_demo_registry(cal: Calibration | None = None) -> int:
    """Remove the demo enterprises with their years, history and user accounts; returns how many.

    Raw deletes keep this fast at a million rows; user accounts go through the ORM (few, with
    their own dependants). Data of later apps that points at a demo enterprise must be removed by
    that app's demo step first, or the database refuses.
    """
    cal = cal or calibration()
    User.objects.filter(organisation__in=demo_organisations(cal)).delete()
    q = connection.ops.quote_name
    where = f"{q('kind')} = %s AND {q('uscc')} LIKE %s"
    subquery = f"SELECT {q(Organisation._meta.pk.column)} FROM {_table(Organisation)} WHERE {where}"
    params = [OrganisationKind.ENTERPRISE.value, cal.uscc_prefix + "%"]
    with connection.cursor() as cursor:
        for model, fk in ((EnterpriseYear, "enterprise"), (AuditEntry, "organisation"), (Enterprise, "organisation")):
            column = q(model._meta.get_field(fk).column)
            cursor.execute(f"DELETE FROM {_table(model)} WHERE {column} IN ({subquery})", params)
        cursor.execute(f"DELETE FROM {_table(Organisation)} WHERE {where}", params)
        return cursor.rowcount


def pick_demo_enterprise(town: str = "古镇", group: str = "387", cal: Calibration | None = None) -> Enterprise | None:
    """A typical generated firm for the enterprise demo account: small or medium, in the town's speciality."""
    demo = Enterprise.objects.filter(organisation__in=demo_organisations(cal)).select_related("organisation", "town")
    in_town = demo.filter(town__short_name=town)
    for candidates in (
        in_town.filter(industry__parent_id=group, size_class__in=["small", "medium"], chain_leader=False),
        in_town,
        demo,
    ):
        found = candidates.order_by("organisation_id").first()
        if found is not None:
            return found
    return None
