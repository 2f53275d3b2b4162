"""Keeping resident ID numbers out of logs and error messages, even when a caller sends one."""

from __future__ import annotations

import logging
import re

from ledger.domain.resident_id import mask, validate_resident_id
from ledger.domain.uscc import CodeError

_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")


def _masked(match: re.Match[str]) -> str:
    number = match.group(1)
    try:
        validate_resident_id(number)
    except CodeError:
        return number  # an all-digit USCC or another number: not personal, keep it
    return mask(number)


def redact(text: str) -> str:
    """The text with every valid resident ID number replaced by its masked form."""
    return _CANDIDATE.sub(_masked, text) if any(c.isdigit() for c in text) else text


class RedactingFilter(logging.Filter):
    """Masks resident ID numbers in every record a handler emits (access logs included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install_log_redaction() -> None:
    """Attach the filter to every handler of the root logger."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
