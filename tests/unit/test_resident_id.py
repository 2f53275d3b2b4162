"""Stories about resident ID numbers: validated, then only ever stored as pseudonyms."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.resident_id import (
    WEIGHTS,
    make_resident_id,
    mask,
    pseudonym,
    validate_resident_id,
)
from ledger.domain.uscc import CodeError

KEY = b"test-pseudonym-key"
# The worked example printed in GB 11643-1999.
STANDARD_EXAMPLE = "11010519491231002X"

regions = st.text(alphabet="0123456789", min_size=6, max_size=6)
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31))
sequences = st.text(alphabet="0123456789", min_size=3, max_size=3)
valid_ids = st.builds(make_resident_id, regions, births, sequences)


def rule_of(number: str) -> CodeError:
    with pytest.raises(CodeError) as caught:
        validate_resident_id(number)
    return caught.value


def test_standard_example_is_valid_and_lower_case_x_is_normalised() -> None:
    assert validate_resident_id(STANDARD_EXAMPLE) == STANDARD_EXAMPLE
    assert validate_resident_id(" 11010519491231002x ") == STANDARD_EXAMPLE


@pytest.mark.parametrize(
    ("number", "rule"),
    [
        ("1101051949123100", "length"),
        ("11010519491231002XX", "length"),
        ("1101051949123100AX", "digits"),
        ("11010519491231002Y", "check_character"),
        ("110105194902300027", "birth_date"),  # 30 February
        ("110105194913010027", "birth_date"),  # month 13
        ("110105194912310021", "check_character"),
    ],
)
def test_each_rule_is_named(number: str, rule: str) -> None:
    assert rule_of(number).rule == rule


def test_wrong_check_character_says_what_was_expected_without_quoting_the_number() -> None:
    error = rule_of("110105194912310021")
    assert error.expected == "X"
    assert str(error) == "resident ID check character (position 18) is '1', expected 'X'"
    assert "1101051949" not in str(error)


@given(valid_ids)
def test_every_generated_number_validates(number: str) -> None:
    assert validate_resident_id(number) == number


@given(valid_ids, st.integers(0, 16), st.sampled_from("0123456789"))
def test_any_single_digit_substitution_is_rejected(number: str, pos: int, digit: str) -> None:
    # No weight is a multiple of 11, so a changed digit always moves the check
    # (unless the birth date it lands in is no longer a date, which is caught first).
    assert all(w % 11 for w in WEIGHTS)
    if number[pos] == digit:
        return
    with pytest.raises(CodeError):
        validate_resident_id(number[:pos] + digit + number[pos + 1 :])


def test_make_resident_id_computes_the_check_character() -> None:
    assert make_resident_id("110105", date(1949, 12, 31), "002") == STANDARD_EXAMPLE


def test_pseudonym_is_stable_keyed_and_reveals_nothing() -> None:
    # The same person registered twice gets the same subject key.
    p = pseudonym(STANDARD_EXAMPLE, KEY)
    assert p == pseudonym(STANDARD_EXAMPLE.lower(), KEY)
    assert p.startswith("p-") and len(p) == 34
    int(p[2:], 16)
    # Another deployment's key gives an unrelated pseudonym.
    assert p != pseudonym(STANDARD_EXAMPLE, b"another-key")
    assert "19491231" not in p


def test_pseudonym_refuses_an_empty_key() -> None:
    with pytest.raises(ValueError, match="key"):
        pseudonym(STANDARD_EXAMPLE, b"")


def test_mask_shows_only_the_first_three_and_the_last_character() -> None:
    assert mask(STANDARD_EXAMPLE) == "110**************X"
    assert mask("11010519491231002x") == "110**************X"


@given(valid_ids)
def test_mask_hides_the_birth_date(number: str) -> None:
    masked = mask(number)
    assert len(masked) == 18
    assert masked[3:17] == "*" * 14
