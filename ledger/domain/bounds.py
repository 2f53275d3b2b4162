"""What the ledger accepts at its edges: dates in one documented range, text any store can hold.

The write contracts (every command body, over HTTP and in bulk files) and every date query
parameter apply these rules, so that nothing recorded can stop a view later: PostgreSQL's text
cannot hold NUL, and date arithmetic near year 1 or 9999 overflows. (A lone surrogate, which no
UTF-8 can hold, is refused by pydantic itself as `string_unicode`.)
"""

from __future__ import annotations

from datetime import date

# No registration, decision or listing of this city's ledger predates the People's Republic;
# the latest end any policy allows (a listing's expiry, a publicity window) is decades away.
FIRST_DAY = date(1949, 10, 1)
LAST_DAY = date(2099, 12, 31)
DATE_RANGE_MESSAGE = f"expected a date from {FIRST_DAY} to {LAST_DAY}"

# (rule, the characters a valid value is made of as a regular expression class, message).
# One-line values (names, numbers, codes) hold no control character at all; and no explicit
# bidirectional override or isolate, which makes a name display as another (Chinese, Latin and
# even right-to-left scripts never need one in a name).
LINE_RULES = (
    ("control_character", r"[^\x00-\x1f]", "must not contain a control character "
                                           "(U+0000 to U+001F)"),
    ("bidi_control", "[^\u202a-\u202e\u2066-\u2069]", "must not contain a bidirectional "
                                                       "override or isolate (U+202A to U+202E, "
                                                       "U+2066 to U+2069)"),
)
# Long texts (facts, bases, reasons) keep tab, newline and carriage return: documents written
# on Windows end their lines with CR LF, and PostgreSQL holds both.
TEXT_RULES = (
    ("control_character", r"[^\x00-\x08\x0b\x0c\x0e-\x1f]", "must not contain a control "
                                                            "character other than tab, "
                                                            "newline and carriage return"),
)


def in_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY
