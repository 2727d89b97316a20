import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuzhuan.registry.domain import (
    USCC_ALPHABET,
    UsccError,
    make_uscc,
    normalise_uscc,
    org_code_check_char,
    rule_for,
    uscc_check_char,
    validate_uscc,
)
from shuzhuan.registry.services import derive, size_rules

# A published example code (GB 32100-2015 format); its check characters are right by both rules.
KNOWN = "91350100M000100Y43"


def test_known_code_is_valid():
    assert validate_uscc(KNOWN).code == KNOWN


def test_normalises_full_width_case_and_spaces():
    messy = " ９１３５０１００ｍ０００１００ｙ４３ "
    assert normalise_uscc(messy) == KNOWN
    assert validate_uscc(messy).code == KNOWN


@pytest.mark.parametrize("raw, code", [
    ("", "required"),
    ("9.14420001E+17", "scientific_notation"),
    (9.14420001e17, "scientific_notation"),
    ("91350100M000100Y4", "length"),
    ("91350100M000100YI3", "charset"),
    ("91350100M000100Y44", "check_digit"),
])
def test_rejections(raw, code):
    with pytest.raises(UsccError) as exc:
        validate_uscc(raw)
    assert exc.value.code == code
    assert str(exc.value)  # a message for people


def test_bad_organisation_check_is_a_warning_not_an_error():
    first17 = "91442000MA4W00010"  # organisation check deliberately wrong
    if org_code_check_char("MA4W0001") == "0":
        first17 = "91442000MA4W00011"
    code = first17 + uscc_check_char(first17)
    result = validate_uscc(code)
    assert result.code == code and result.warnings


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8).filter(lambda s: s.isalnum()))
def test_made_codes_always_validate(org8):
    code = make_uscc("442000", org8)
    assert validate_uscc(code).code == code


@given(st.integers(0, 16), st.sampled_from(USCC_ALPHABET))
def test_any_single_character_change_is_caught(pos, ch):
    code = make_uscc("442000", "MA4W0001")
    changed = code[:pos] + ch + code[pos + 1:]
    if changed != code:
        with pytest.raises(UsccError):
            validate_uscc(changed)


@pytest.mark.parametrize("employees, revenue, expected, above", [
    (1000, "400000000.00", "large", True),
    (999, "400000000.00", "medium", True),
    (300, "20000000.00", "medium", True),
    (300, "19999999.99", "small", False),
    (20, "3000000.00", "small", False),
    (19, "3000000.00", "micro", False),
    (5000, "2999999.99", "micro", False),
])
def test_size_class_edges(employees, revenue, expected, above):
    assert derive(2024, employees, Decimal(revenue)) == (expected, above)


def test_size_rule_is_dated_data():
    rule = rule_for(size_rules(), dt.date(2024, 12, 31))
    assert "300号" in rule.source
    with pytest.raises(LookupError):
        rule_for(size_rules(), dt.date(2000, 1, 1))
