"""Resident ID numbers are masked wherever text leaves the process: logs and error messages."""

from __future__ import annotations

import logging
import sys
from datetime import date

from ledger.domain.resident_id import make_resident_id
from ledger.privacy import RedactingFilter, redact, redact_all

NUMBER = make_resident_id("211102", date(1988, 3, 7), "123")


def test_a_resident_id_in_text_is_masked_and_other_codes_are_kept():
    text = f'GET /v1/subjects/{NUMBER}/score and 91110000600037341L and 123456789012345678'
    cleaned = redact(text)
    assert NUMBER not in cleaned
    assert NUMBER[:3] + "*" * 14 + NUMBER[-1] in cleaned
    # A USCC, and a digit string that fails the ID check, are not personal: they stay.
    assert "91110000600037341L" in cleaned and "123456789012345678" in cleaned


def test_an_access_log_record_is_masked_by_the_handler_filter():
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", f"/v1/subjects/{NUMBER}", "1.1", 404),
                               None)
    assert RedactingFilter().filter(record)
    assert NUMBER not in record.getMessage()
    assert "404" in record.getMessage()


def test_a_mistyped_id_number_is_masked_too_but_not_other_digit_strings():
    # The check character is wrong: still a person's number, one keystroke away.
    mistyped = NUMBER[:17] + ("0" if NUMBER[17] != "0" else "1")
    assert mistyped not in redact(f"no repair case {mistyped}")
    # No birth date in positions 7-14: an order number, a timestamp, kept as they are.
    for kept in ("123456789012345678", "202611251230450001"):
        assert kept in redact(f"no listing {kept}")


def test_a_problem_body_is_redacted_in_every_string_it_holds():
    body = {"detail": f"no listing {NUMBER}", "status": 404,
            "errors": [{"field": "listing_id", "message": f"bad {NUMBER}"}]}
    cleaned = redact_all(body)
    assert NUMBER not in repr(cleaned)
    assert cleaned["status"] == 404 and cleaned["errors"][0]["field"] == "listing_id"


def test_a_traceback_in_a_log_record_is_masked():
    try:
        raise KeyError(f"subject {NUMBER}")
    except KeyError:
        record = logging.LogRecord("api", logging.ERROR, __file__, 1, "failed", (),
                                   sys.exc_info())
    assert RedactingFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "KeyError" in text and NUMBER not in text
