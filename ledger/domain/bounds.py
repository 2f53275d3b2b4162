"""What the ledger accepts at its edges: dates in one documented range, text any store can hold.

The write contracts (every command body, over HTTP and in bulk files) and every date query
parameter apply these rules, so that nothing recorded can stop a view later: PostgreSQL's text
cannot hold NUL (and no UTF-8 can hold a lone surrogate), and date arithmetic near year 1 or
9999 overflows.
"""

from __future__ import annotations

import re
from datetime import date

# No registration, decision or listing of this city's ledger predates the People's Republic;
# the latest end any policy allows (a listing's expiry, a publicity window) is decades away.
FIRST_DAY = date(1949, 10, 1)
LAST_DAY = date(2099, 12, 31)
DATE_RANGE_MESSAGE = f"expected a date from {FIRST_DAY} to {LAST_DAY}"

# One-line values (names, numbers, codes): no control character at all.
_LINE = re.compile(r"[\x00-\x1f\ud800-\udfff]")
# Long texts (facts, bases, reasons) keep tab, newline and carriage return: documents written
# on Windows end their lines with CR LF, and PostgreSQL holds both.
_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# Explicit bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) make a name
# display as another; Chinese, Latin and even right-to-left scripts never need them in a name.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def in_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def line_problem(value: str) -> tuple[str, str] | None:
    """(rule, message) if `value` cannot be a one-line field (a name, a number), else None."""
    return _problem(_LINE, value) or _bidi(value)


def text_problem(value: str) -> tuple[str, str] | None:
    """(rule, message) if `value` cannot be a long text field, else None."""
    return _problem(_TEXT, value)


def _problem(pattern: re.Pattern[str], value: str) -> tuple[str, str] | None:
    found = pattern.search(value)
    if found is None:
        return None
    point = ord(found.group())
    if 0xD800 <= point <= 0xDFFF:
        return "invalid_unicode", f"must be valid Unicode (a lone surrogate U+{point:04X})"
    # The character's code point, never the value: it may hold a person's details.
    return "control_character", f"must not contain the control character U+{point:04X}"


def _bidi(value: str) -> tuple[str, str] | None:
    found = _BIDI.search(value)
    if found is None:
        return None
    return ("bidi_control", f"must not contain the bidirectional control "
                            f"U+{ord(found.group()):04X}")
