"""A city for contract and authorization tests: the served app, a token per caller, and fresh
records made on demand, each owned by one department, so that every request meets a real one."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.application import By
from ledger.civil_servant_cases import CivilServantRegistration, name_digest
from ledger.contracts.integrity import GovernmentDefaultIn
from ledger.domain.resident_id import make_resident_id, mask, pseudonym
from ledger.domain.uscc import make_uscc
from ledger.generator.demo import load_demo_if_empty
from ledger.settings import Settings
from tests import calls as joint
from tests import calls as repairs
from tests.calls import register
from tests.repair_story import COURT, CREDIT_OFFICE, MARKET, POLICY, City, Clock

OWNER, OTHER, ADMIN_DEPT = MARKET, COURT, "11100000000019066D"
PERSONNEL = make_uscc("1", "1", "211100", "23456781")  # the organisation department
TODAY = date(2026, 11, 25)
DOMAIN = "tax"  # every record's domain; the scoped officer works on production only

# The callers of the authorization matrix, by the token they present.
TOKENS = {
    "tok-owner": {"role": "provider", "authority": OWNER, "actor": "market-clerk"},
    "tok-other": {"role": "provider", "authority": OTHER, "actor": "court-clerk"},
    "tok-officer": {"role": "officer", "authority": CREDIT_OFFICE, "actor": "officer-wang"},
    "tok-officer-production": {"role": "officer", "authority": CREDIT_OFFICE,
                               "actor": "officer-li", "domains": ["production"]},
    "tok-auditor": {"role": "auditor", "actor": "auditor-zhao"},
    "tok-admin": {"role": "admin", "authority": ADMIN_DEPT, "actor": "admin-sun"},
    "tok-personnel": {"role": "personnel", "authority": PERSONNEL, "actor": "cadre-qian"},
}
# Another officer of the credit office accepts the cases the matrix then decides (four eyes).
ACCEPTING = By(CREDIT_OFFICE, "officer-chen")


@dataclass
class World:
    """The app over a SQLite ledger, and shortcuts that make one fresh record each."""

    client: TestClient
    city: City
    serial: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def app(self) -> FastAPI:
        app: FastAPI = self.client.app  # type: ignore[assignment]
        return app

    def caught_up(self, timeout: float = 120.0) -> None:
        """Wait until the views hold every event recorded so far (the runner works behind)."""
        head, deadline = self.city.ledger.head_position(), time.monotonic() + timeout
        while True:
            answer = self.client.get("/v1/lists/black", params={"min_position": head})
            if answer.status_code == 200:
                return
            assert time.monotonic() < deadline, answer.text

    def fresh_code(self) -> str:
        return make_uscc("9", "1", "110000", f"{70_000_000 + next(self.serial):08d}")

    def subject(self) -> str:
        return self.city.register(self.fresh_code())

    def government_body(self) -> str:
        code = make_uscc("1", "1", "110000", f"{60_000_000 + next(self.serial):08d}")
        register(self.city.ledger, code=code, name=f"某局{code[-6:]}", kind="government_body",
                 masked=None, authority=MARKET, actor="clerk-1", registered_on=date(2020, 1, 2))
        return code

    def government_default(self) -> tuple[str, str]:
        """A default the owner department recorded on a fresh government body."""
        code = self.government_body()
        receipt = self.city.ledger.record_government_default(code, GovernmentDefaultIn(
            kind="arrears", creditor="某公司", recorded_on=date(2026, 5, 6),
            deadline=date(2026, 8, 31), basis="拖欠工程款"), By(OWNER, "market-clerk"))
        return code, str(receipt.extra["default_id"])

    def resident_id(self) -> str:
        return make_resident_id("110105", date(1980, 1, 1), f"{next(self.serial) % 1000:03d}")

    def civil_servant(self) -> str:
        """A civil servant's file, opened by the organisation department: its pseudonym."""
        number, key = self.resident_id(), b"development-only-pseudonym-key"
        pid = pseudonym(number, key)
        self.city.ledger.register_civil_servant(CivilServantRegistration(
            pid, "某某", mask(number), name_digest(key, pid, "某某"), self.government_body(),
            "科员"), By(PERSONNEL, "cadre-qian"))
        return pid

    def listing(self, code: str | None = None) -> tuple[str, str]:
        """A red listing by the owner department, on a subject of its own."""
        code = code or self.subject()
        listing_id = self.city.listing(code, "red", date(2026, 10, 20), domain=DOMAIN,
                                       expires_on=date(2027, 10, 20), authority=OWNER)
        return code, listing_id

    def commitment(self, code: str | None = None, kind: str = "voluntary") -> tuple[str, str]:
        """A commitment recorded by the owner department (repair_story records as MARKET)."""
        code = code or self.subject()
        return code, self.city.commitment(code, date(2026, 8, 1), kind=kind)

    def repair_case(self, *, accepted: bool = False, approved: bool = False) -> tuple[str, str]:
        """A filed repair case on a fresh tax penalty, accepted (and decided) by other officers:
        its subject and its id."""
        code = self.subject()
        fine = self.city.penalty(code, date(2026, 4, 1), domain=DOMAIN)
        _, commitment = self.commitment(code, kind="repair")
        _, case = repairs.apply(self.city.ledger, subject=code, target=fine,
                                applied_on=date(2026, 8, 31), obligations_performed=True,
                                commitment_id=commitment, by=ACCEPTING, policy=POLICY)
        if accepted or approved:
            repairs.accept(self.city.ledger, str(case.id), on=date(2026, 9, 1), by=ACCEPTING,
                           policy=POLICY)
        if approved:
            repairs.approve(self.city.ledger, str(case.id), on=date(2026, 9, 10),
                            by=By(CREDIT_OFFICE, "officer-zhou"), policy=POLICY)
        return code, str(case.id)

    def finished_import(self, timeout: float = 60.0) -> str:
        """An upload by the owner department, imported by the server's worker: its job id."""
        sent = self.client.post("/v1/imports", headers=bearer("tok-owner"), files={
            "file": ("permits.ndjson", b'{"record": "permit"}\n')})
        assert sent.status_code == 202, sent.text
        job, deadline = sent.json()["id"], time.monotonic() + timeout
        while self.client.get(f"/v1/imports/{job}", headers=bearer("tok-owner")).json()[
                "status"] not in ("done", "failed"):
            assert time.monotonic() < deadline, f"import job {job} did not finish"
            time.sleep(0.05)
        return str(job)

    def joint_case(self, *, answered: bool = False) -> str:
        """A joint case the owner opened on its listing; answered: another department responded."""
        code, listing_id = self.listing()
        _, case = joint.initiate(self.city.ledger, subject=code, listing_id=listing_id,
                                 on=date(2026, 10, 21), by=By(OWNER, "market-clerk"))
        if answered:
            joint.respond(self.city.ledger, str(case.case_id), measure="green channel",
                          on=date(2026, 10, 22), by=By(OTHER, "court-clerk"))
        return str(case.case_id)


def serve(tmp_path: Path, *, demo: bool = False) -> Iterator[World]:
    """The app with TOKENS, on a fresh SQLite ledger whose clock reads TODAY."""
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps(TOKENS))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ledger.sqlite3'}",
                        app_name="Contract", tokens_file=tokens, env="test", demo_subjects=20)
    clock = Clock(TODAY)
    runtime = bootstrap(settings, background=True, clock=clock)
    if demo:
        load_demo_if_empty(runtime)
    with TestClient(create_app(runtime)) as client:
        yield World(client, City(runtime.ledger, clock))


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}
