"""Who may write on a record already in the ledger: the authority that recorded it, or an admin.

A department's records are its own: another department marking its commitment breached, or
taking its listing down, would change a subject's credit on someone else's decision. The
owner is named in the refusal; an authority code (a department's USCC) is not personal data.
"""

from __future__ import annotations

from typing import Any

from ledger.domain.errors import Forbidden


class NotOwner(Forbidden):
    """The caller's authority did not record this, and the caller is no admin."""

    rule = "owner_only"

    def __init__(self, message: str, *, owner: str) -> None:
        super().__init__(message)
        self.owner = owner

    def members(self) -> dict[str, Any]:
        return {"owner": self.owner}


def check_owner(record: str, owner: str, authority: str, action: str, *,
                any_authority: bool = False) -> None:
    """Only `owner` (or, with any_authority, an admin) may do `action` on `record`."""
    if authority != owner and not any_authority:
        raise NotOwner(f"{record} belongs to authority {owner}: only that authority or an "
                       f"admin may {action}", owner=owner)
