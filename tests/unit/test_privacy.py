"""Resident ID numbers are masked wherever text leaves the process: logs and error messages."""

from __future__ import annotations

import logging
from datetime import date

from ledger.domain.resident_id import make_resident_id
from ledger.privacy import RedactingFilter, redact

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
