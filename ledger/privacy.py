"""Keeping resident ID numbers out of logs and error messages, even when a caller sends one."""

from __future__ import annotations

import logging
import re
from typing import Any

from ledger.domain.resident_id import id_shaped, mask

# 17 digits and a digit or X: the shape of a resident ID number (GB 11643).
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")


def _masked(match: re.Match[str]) -> str:
    number = match.group(1)
    return mask(number) if id_shaped(number) else number


def redact(text: str) -> str:
    """The text with every ID-shaped number replaced by its masked form.

    The check character is not required: a number mistyped in its last digit still names a
    person. An all-digit USCC whose middle happens to read as a date is masked too; an error
    message loses a little, a person loses nothing.
    """
    return _CANDIDATE.sub(_masked, text) if any(c.isdigit() for c in text) else text


def redact_all(value: Any) -> Any:
    """`value` (strings, lists, dicts of them: a problem body) with every string redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_all(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_all(v) for v in value]
    return value


class RedactingFilter(logging.Filter):
    """Masks ID numbers in every record a handler emits (access logs and tracebacks included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            # An exception's message may quote what a caller sent: format it once, masked.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_log_redaction() -> None:
    """Attach the filter to every handler of the root logger."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
