"""Government integrity on Kafka: the civil servants' events an outside platform receives carry
no name and no ID number, and every new event validates against its published schema."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import orjson
import pytest
from kafka import KafkaAdminClient

from ledger.application import By
from ledger.build import build_ledger
from ledger.civil_servant_cases import CivilServantRegistration, name_digest
from ledger.contracts.integrity import (
    CivilServantRecordIn,
    CreditReportIn,
    GovernmentDefaultIn,
    RectificationIn,
)
from ledger.domain.resident_id import mask, pseudonym
from ledger.relay import Relay
from ledger.settings import Settings
from tests.calls import register
from tests.integrity_story import ACME, BUREAU, CLERK, CREDIT, MARKET, PERSONNEL, TODAY
from tests.relay_story import read_topic, relay_to_head, schema_validator

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
KEY = b"kafka-integrity-key"


@pytest.fixture
def topic(kafka_bootstrap: str, topic_name: str) -> Iterator[str]:
    yield topic_name
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    admin.delete_topics([topic_name], raise_errors=False)
    admin.close()


def test_civil_servants_reach_kafka_without_name_or_number(
    pg_url: str, unique_name: str, kafka_bootstrap: str, topic: str,
) -> None:
    settings = Settings(database_url=pg_url, app_name=unique_name, kafka_bootstrap=kafka_bootstrap,
                        kafka_topic=topic, env="test")
    ledger = build_ledger(settings, clock=lambda: TODAY)
    market, credit = By(MARKET, "clerk"), By(CREDIT, "credit-clerk")
    register(ledger, code=BUREAU, name="盘锦市兴隆台区某局", kind="government_body", masked=None,
             authority=MARKET, actor="clerk")
    register(ledger, code=ACME, name="盘锦某某化工有限公司", kind="enterprise", masked=None,
             authority=MARKET, actor="clerk")
    # A civil servant's file, one entry; a government default, rectified; a report.
    clerk = pseudonym(CLERK, KEY)
    ledger.register_civil_servant(CivilServantRegistration(
        clerk, "李四", mask(CLERK), name_digest(KEY, clerk, "李四"), BUREAU, "科长"),
        By(PERSONNEL, "cadre-1"))
    ledger.record_on_civil_servant(clerk, CivilServantRecordIn(
        kind="commendation", on=date(2026, 1, 8), basis="年度考核优秀", authority="某局"),
        By(PERSONNEL, "cadre-1"))
    receipt = ledger.record_government_default(BUREAU, GovernmentDefaultIn(
        kind="arrears", creditor="盘锦某某化工有限公司", amount="120000.00",
        recorded_on=date(2026, 1, 5), deadline=date(2026, 3, 31), basis="拖欠工程款"), credit)
    ledger.rectify_government_default(BUREAU, receipt.extra["default_id"], RectificationIn(
        rectified_on=date(2026, 3, 2), evidence="付款凭证"), credit)
    ledger.record_credit_report(ACME, CreditReportIn(
        agency="辽宁诚信评估有限公司", report_no="XY2026000001", issued_on=date(2026, 5, 10),
        conclusion="信用状况良好"), market)

    relay_to_head(Relay(settings, ledger), ledger)
    records = read_topic(kafka_bootstrap, topic)
    validator = schema_validator()
    new = {"CivilServantRegistered", "CivilServantRecorded", "GovernmentDefaultRecorded",
           "GovernmentDefaultRectified", "CreditReportRecorded"}
    seen = set()
    for record in records:
        envelope = orjson.loads(record.value)
        errors = [e.message for e in validator.iter_errors(envelope)]
        assert not errors, (envelope["type"], errors)
        seen.add(envelope["type"])
        if envelope["type"].startswith("CivilServant"):
            # Keyed by the pseudonym, like every record about the same person.
            assert record.key.decode() == clerk == envelope["subject"]
            text = record.value.decode()
            assert "李四" not in text and CLERK[3:17] not in text
    assert new <= seen
    ledger.close()
