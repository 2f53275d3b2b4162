"""Departments upload files to a served ledger: the server, its tokens, and the files they send.
A `Server` can be stopped and started again on the same store and imports directory."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.application import CreditLedger
from ledger.domain.uscc import make_uscc
from ledger.importing.jobs import ImportJobs
from ledger.settings import Settings
from ledger.store.sql import recorder_tx

TODAY = date(2026, 12, 1)
MARKET = make_uscc("1", "1", "211100", "00000770")
TAX = make_uscc("1", "1", "211100", "00001312")
CREDIT_OFFICE = make_uscc("1", "1", "211100", "00002000")
ACME = make_uscc("9", "1", "211103", "MA0QWERT")
BETA = make_uscc("9", "1", "211103", "MA0BETA0")
BAD_PERSON_ID = "211103199001011235"  # check character should be 4
TOKENS = {
    "tok-market": {"role": "provider", "authority": MARKET, "actor": "market-clerk"},
    "tok-tax": {"role": "provider", "authority": TAX, "actor": "tax-clerk"},
    "tok-officer": {"role": "officer", "authority": CREDIT_OFFICE, "actor": "officer-wang"},
    "tok-auditor": {"role": "auditor", "actor": "auditor-zhao"},
    "tok-admin": {"role": "admin", "authority": CREDIT_OFFICE, "actor": "admin-sun"},
    "tok-nobody": {"role": "provider", "actor": "no-department"},
}

PERMITS_CSV = "\n".join([
    "行政相对人名称,行政相对人类别,统一社会信用代码,行政许可决定文书号,许可类别,许可决定日期,公示日期",
    f"盘锦鑫达石化有限公司,法人及非法人组织,{ACME},盘市监许〔2026〕1号,普通,2026-05-06,2026-05-07",
    f"李四,自然人,{BAD_PERSON_ID},盘市监许〔2026〕2号,普通,2026-05-06,2026-05-07",
    f"盘锦鑫达石化有限公司,法人及非法人组织,{ACME},盘市监许〔2026〕3号,普通,2026-05-06,2026-05-01",
    f"盘锦贝塔商贸有限公司,法人及非法人组织,{BETA},盘市监许〔2026〕4号,普通,2026/5/8,2026年5月9日",
]) + "\n"


def penalties_ndjson() -> str:
    penalty = {"record": "penalty", "severity": "general", "domain": "price",
               "category": "罚款", "basis": "《价格法》第39条", "decided_on": "2026-05-06",
               "published_on": "2026-05-08", "fine_amount": "50000.00"}
    rows = [
        {"record": "subject", "code": ACME, "name": "盘锦鑫达石化有限公司", "kind": "enterprise",
         "registered_on": "2019-03-02"},
        penalty | {"subject": ACME, "decision_no": "盘市监罚〔2026〕9001号"},
        penalty | {"subject": ACME, "decision_no": "盘市监罚〔2026〕9002号", "severity": "huge"},
        penalty | {"subject": ACME, "decision_no": "盘市监罚〔2026〕9003号",
                   "authority": TAX},  # another department's record: not this token's
    ]
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


@dataclass
class Server:
    """One start of the served ledger."""

    client: TestClient
    ledger: CreditLedger
    jobs: ImportJobs

    def upload(self, name: str, content: bytes | str, *, token: str = "tok-market",
               **form: Any) -> httpx.Response:
        data = content.encode() if isinstance(content, str) else content
        return self.client.post("/v1/imports", files={"file": (name, data)},
                                data={k: str(v).lower() if isinstance(v, bool) else v
                                      for k, v in form.items()},
                                headers=bearer(token))

    def accepted(self, name: str, content: bytes | str, **kwargs: Any) -> str:
        answer = self.upload(name, content, **kwargs)
        assert answer.status_code == 202, answer.text
        assert answer.json()["status"] == "queued"
        assert answer.headers["location"] == f"/v1/imports/{answer.json()['id']}"
        return str(answer.json()["id"])

    def job(self, job_id: str, token: str = "tok-market") -> httpx.Response:
        return self.client.get(f"/v1/imports/{job_id}", headers=bearer(token))

    def report(self, job_id: str, token: str = "tok-market") -> httpx.Response:
        return self.client.get(f"/v1/imports/{job_id}/report", headers=bearer(token))

    def finished(self, job_id: str, token: str = "tok-market", timeout: float = 120.0
                 ) -> dict[str, Any]:
        """Poll the job as a department would, until it is done or failed."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.job(job_id, token).json()
            if status["status"] in ("done", "failed"):
                return dict(status)
            assert time.monotonic() < deadline, status
            time.sleep(0.05)


def stored_events(ledger: CreditLedger) -> int:
    """How many events the store holds. Not its head position: PostgreSQL's notification ids
    come from a sequence, and a save cut off by a kill (rolled back) has used up its ids, so
    the head then stands higher than the count by that save (up to 3,000 events)."""
    with recorder_tx(ledger.recorder, commit=False) as tx:
        row = tx.fetchone(f"SELECT COUNT(*) FROM {ledger.recorder.events_table_name}")
    return int(row[0]) if row else 0


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


@dataclass
class Site:
    """Where a ledger lives between its starts: the store, the tokens, the uploads."""

    settings: Settings

    @classmethod
    def make(cls, database_url: str, app_name: str, tmp_path: Path, **more: Any) -> Site:
        tokens = tmp_path / "tokens.json"
        tokens.write_text(json.dumps(TOKENS))
        return cls(Settings(database_url=database_url, app_name=app_name, tokens_file=tokens,
                            imports_dir=tmp_path / "imports", **more))

    @contextmanager
    def serve(self, *, imports: bool = True) -> Iterator[Server]:
        """Start the server (with the upload worker unless told not to); stop it after."""
        runtime = bootstrap(self.settings, project=False, imports=imports,
                            clock=lambda: TODAY)
        with TestClient(create_app(runtime)) as client:
            yield Server(client, runtime.ledger, ImportJobs(self.settings.imports_root))
