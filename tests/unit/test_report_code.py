"""The verification code on a credit report: what it carries, and what it refuses.

It round-trips its subject (a USCC, a person's pseudonym, or an old code kept as typed), the
ledger position, the day and the digest; it reads the same typed from paper (lower case,
hyphens, spaces); and any text that is not a code fails with BadCode, nothing else.
"""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.report_code import (
    EPOCH,
    MAX_POSITION,
    USCC_ALPHABET,
    BadCode,
    ReportCode,
    digest_of,
    make,
    parse,
)

usccs = st.text(alphabet=USCC_ALPHABET, min_size=18, max_size=18)
pseudonyms = st.binary(min_size=16, max_size=16).map(lambda b: "p-" + b.hex())
others = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1,
                 max_size=40)
codes = st.builds(ReportCode, st.one_of(usccs, pseudonyms, others),
                  st.integers(0, MAX_POSITION), st.dates(EPOCH, date(2099, 12, 31)),
                  st.binary(min_size=8, max_size=8))


@given(codes)
def test_a_code_reads_back_as_printed_and_as_typed(code: ReportCode) -> None:
    assert parse(code.text()) == code
    assert parse(code.grouped().lower()) == code
    assert parse(" ".join(code.grouped().split("-"))) == code


def test_a_company_code_is_48_characters_and_a_persons_55() -> None:
    day = date(2026, 6, 1)
    company = make("91211100MA0T4Q1X23", 123_456, day, {"score": 980})
    person = make("p-" + "ab" * 16, 123_456, day, {"score": 700})
    assert (len(company.text()), len(person.text())) == (48, 55)
    assert set(company.text()) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")  # URL-safe


def test_the_digest_covers_subject_position_day_and_content() -> None:
    day = date(2026, 6, 1)
    base = digest_of("91211100MA0T4Q1X23", 10, day, {"score": 980})
    assert base == digest_of("91211100MA0T4Q1X23", 10, day, {"score": 980})
    for other in (digest_of("91211100MA0T4Q2X23", 10, day, {"score": 980}),
                  digest_of("91211100MA0T4Q1X23", 11, day, {"score": 980}),
                  digest_of("91211100MA0T4Q1X23", 10, date(2026, 6, 2), {"score": 980}),
                  digest_of("91211100MA0T4Q1X23", 10, day, {"score": 981})):
        assert other != base


@given(codes, st.data())
def test_one_character_changed_is_never_the_same_code(code: ReportCode, data: st.DataObject,
                                                      ) -> None:
    text = code.text()
    i = data.draw(st.integers(0, len(text) - 1))
    other = data.draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567").filter(
        lambda c: c != text[i]))
    # Nearly every typo is BadCode (the check bytes do not match); none reads as the same code.
    with contextlib.suppress(BadCode):
        assert parse(text[:i] + other + text[i + 1:]) != code


@given(st.text(max_size=120))
def test_any_text_is_a_code_or_a_bad_code_never_another_error(text: str) -> None:
    try:
        parse(text)
    except BadCode as e:
        assert str(e) and e.words  # said in English for the API, in Chinese for the page


@pytest.mark.parametrize("text", ["", "   ", "hello world", "01", "A" * 81, "AAAAAAAA"])
def test_what_is_plainly_not_a_code(text: str) -> None:
    with pytest.raises(BadCode):
        parse(text)
