"""Domain exceptions: each says which rule was broken and, where it helps, what was expected."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A command broke a ledger rule; nothing was recorded."""

    rule = "domain_rule"
    status = 422

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def members(self) -> dict[str, Any]:
        """Extra members of the problem+json answer (e.g. the id of a conflicting record)."""
        return {}


class RuleViolation(DomainError):
    """The request is well formed but the regulations forbid it."""


class DateRuleViolation(RuleViolation):
    rule = "date_order"


class FutureDate(RuleViolation):
    rule = "date_in_future"


class NotFound(DomainError):
    rule = "not_found"
    status = 404


class Conflict(DomainError):
    """The same identifier was used before with different content, or a concurrent write won."""

    rule = "conflict"
    status = 409


class AlreadyExists(Conflict):
    rule = "already_exists"


class NotListed(RuleViolation):
    rule = "not_listed"


class WrongState(Conflict):
    rule = "wrong_state"


class Deregistered(WrongState):
    """A new record dated after the subject's deregistration (注销)."""

    rule = "deregistered"


class Forbidden(DomainError):
    rule = "forbidden"
    status = 403
