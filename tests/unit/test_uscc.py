"""Stories about validating Unified Social Credit Codes (GB 32100-2015)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.uscc import (
    ALPHABET,
    WEIGHTS,
    CodeError,
    make_uscc,
    uscc_check_character,
    validate_uscc,
)

alphabet_char = st.sampled_from(ALPHABET)
digits = st.text(alphabet="0123456789", min_size=6, max_size=6)
org_body = st.text(alphabet=ALPHABET, min_size=8, max_size=8)
valid_codes = st.builds(make_uscc, alphabet_char, alphabet_char, digits, org_body)


def rule_of(code: str) -> CodeError:
    with pytest.raises(CodeError) as caught:
        validate_uscc(code)
    return caught.value


@pytest.mark.parametrize("code", ["91110000600037341L", "9144030071526726XG"])
def test_public_examples_are_valid(code: str) -> None:
    # The published examples pass both the organisation-code and the final check.
    assert validate_uscc(code) == code


def test_code_is_normalised_to_upper_case_without_spaces() -> None:
    assert validate_uscc("  9144030071526726xg\n") == "9144030071526726XG"


def test_public_counter_example_fails_only_on_its_check_character() -> None:
    # 'Z' is outside the alphabet, yet the clerk needs to hear what it should have been.
    error = rule_of("91350100M000100Y4Z")
    assert (error.rule, error.expected) == ("check_character", "3")
    assert str(error) == "USCC check character (position 18) is 'Z', expected '3'"
    assert validate_uscc("91350100M000100Y43") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("91110000600037341", "length"),
        ("91110000600037341LL", "length"),
        ("9I110000600037341L", "alphabet"),  # I looks like 1 and is never issued
        ("91110000600O37341L", "alphabet"),
        ("9111000S600037341L", "alphabet"),
        ("9111A000600037341L", "region_digits"),
        ("91110000600037342L", "org_code_check"),
    ],
)
def test_each_rule_is_named(code: str, rule: str) -> None:
    assert rule_of(code).rule == rule


def test_org_code_check_reports_the_expected_character() -> None:
    error = rule_of("91110000600037342L")
    assert error.expected == "1"
    assert "position 17" in str(error)


def test_letters_are_allowed_in_the_first_two_positions() -> None:
    # Authorities such as N (agriculture) and Y (other) issue codes.
    code = make_uscc("N", "2", "350100", "MA2Y3B4C")
    assert code[:2] == "N2"
    assert validate_uscc(code) == code


@given(valid_codes)
def test_every_generated_code_validates(code: str) -> None:
    assert validate_uscc(code) == code


@given(valid_codes, st.integers(0, 17), alphabet_char)
def test_any_single_substitution_is_rejected(code: str, pos: int, ch: str) -> None:
    # A clerk mistypes one character, using a character from the alphabet.
    if code[pos] == ch:
        return
    with pytest.raises(CodeError):
        validate_uscc(code[:pos] + ch + code[pos + 1 :])


@given(valid_codes, st.integers(0, 16), alphabet_char)
def test_substitution_in_first_17_always_changes_the_check(code: str, pos: int, ch: str) -> None:
    # The sum moves by (new - old) * w; both factors are in 1..30 and 31 is prime,
    # so the product is never a multiple of 31 and the check character must change.
    old = ALPHABET.index(code[pos])
    new = ALPHABET.index(ch)
    if old == new:
        return
    assert ((new - old) * WEIGHTS[pos]) % 31 != 0
    assert uscc_check_character(code[:pos] + ch + code[pos + 1 : 17]) != code[17]


@given(valid_codes, st.integers(0, 15))
def test_swapping_neighbours_in_first_17_changes_the_check(code: str, pos: int) -> None:
    # Weights of neighbours differ by a factor 3, so a transposition is also caught.
    a, b = code[pos], code[pos + 1]
    if a == b:
        return
    swapped = code[:pos] + b + a + code[pos + 2 : 17]
    assert uscc_check_character(swapped) != code[17]


def test_weights_are_the_published_sequence() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
