"""Departments writing over HTTP: their tokens, the bodies they send, and an `Api` client that
checks a refusal is problem+json and stored nothing (the test_provider_*_api.py stories and
others that write as a department)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from fastapi.testclient import TestClient

from ledger.application import CreditLedger
from ledger.domain.uscc import make_uscc
from ledger.store.notifications import envelope_from_notification

TODAY = date(2025, 11, 20)
TAX = make_uscc("1", "1", "110000", "00001312")
MARKET = make_uscc("1", "1", "110000", "00002345")
ACME = "91110000600037341L"
PERSON_ID = "11010519491231002X"
TOKENS = {
    "tok-tax": {"role": "provider", "authority": TAX, "actor": "tax-clerk"},
    "tok-market": {"role": "provider", "authority": MARKET, "actor": "market-clerk"},
    "tok-officer": {"role": "officer", "authority": TAX},
    "tok-auditor": {"role": "auditor"},
    "tok-nobody": {"role": "provider"},
    "tok-admin": {"role": "admin", "authority": MARKET},
}
PERMIT = {"decision_no": "京市监许〔2025〕1号", "category": "普通", "decided_on": "2025-03-03",
          "published_on": "2025-03-05"}
PENALTY = {"decision_no": "京税罚〔2025〕9号", "severity": "general", "domain": "tax",
           "decided_on": "2025-03-03", "published_on": "2025-03-05", "category": "罚款",
           "basis": "《税收征收管理法》第六十条"}
LISTING = {"list": "black", "domain": "tax", "basis": "重大税收违法", "notified_on": "2025-04-20",
           "listed_on": "2025-05-06", "expires_on": "2028-05-06"}
COMMITMENT = {"type": "voluntary", "made_on": "2025-02-01", "content": "守法经营"}


@dataclass
class Api:
    client: TestClient
    ledger: CreditLedger

    def post(self, path: str, body: Any = None, *, token: str | None = "tok-tax",
             **kwargs: Any) -> httpx.Response:
        headers = ({"Authorization": f"Bearer {token}"} if token else {}) | kwargs.pop(
            "headers", {})
        if "content" not in kwargs:
            kwargs["json"] = body
        return self.client.post(path, headers=headers, **kwargs)

    def ok(self, path: str, body: Any, status: int = 201, **kwargs: Any) -> dict[str, Any]:
        response = self.post(path, body, **kwargs)
        assert response.status_code == status, response.text
        return dict(response.json())

    def refused(self, status: int, path: str, body: Any = None, **kwargs: Any) -> dict[str, Any]:
        """The request is refused with problem+json, and the store is left exactly as it was."""
        before = self.ledger.head_position()
        response = self.post(path, body, **kwargs)
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert self.ledger.head_position() == before
        return dict(response.json())

    def stored(self) -> list[dict[str, Any]]:
        notifications = self.ledger.recorder.select_notifications(start=1, limit=10_000)
        return [envelope_from_notification(n) for n in notifications]
