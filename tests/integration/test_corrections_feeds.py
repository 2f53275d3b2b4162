"""Corrections travel like every other fact: recorded in PostgreSQL, carried by Kafka, applied
by the views live and in a staged rebuild, with the same rows either way (docs/adr/022)."""

from __future__ import annotations

from datetime import date

import pytest

from api.bootstrap import bootstrap
from ledger.application import By, CreditLedger
from ledger.contracts.corrections import (
    DeregistrationIn,
    PenaltyCorrectionIn,
    PermitCorrectionIn,
    RenameIn,
    RevocationIn,
)
from ledger.contracts.records import PenaltyIn, PermitIn
from ledger.settings import Settings
from projections import profile_sql, queries
from projections.digest import digest
from projections.rebuild import rebuild_named
from projections.runner import Runner, feed_factory
from projections.storage import view_store
from projections.views import load_views
from tests.calls import register
from tests.integration._projection_helpers import create_topic, envelopes, publish, run_until
from tests.projection_story import ACME, BETA, MARKET, TAX

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
TODAY = date(2026, 6, 1)
TAX_BY, MARKET_BY = By(TAX, "tax-clerk"), By(MARKET, "market-clerk")


def corrections_story(ledger: CreditLedger) -> None:
    """Two enterprises: one's penalties corrected and revoked, its permit corrected and
    revoked, then renamed; the other deregistered."""
    for code, name in ((ACME, "盘锦某某化工有限公司"), (BETA, "盘锦贝塔贸易有限公司")):
        register(ledger, code=code, name=name, kind="enterprise", masked=None,
                 authority=MARKET, actor="market-clerk", registered_on=date(2020, 1, 6))
    for n, severity in ((1, "serious"), (2, "general")):
        ledger.impose_penalty(ACME, PenaltyIn.model_validate({
            "decision_no": f"盘税罚〔2026〕{n}号", "severity": severity, "domain": "tax",
            "decided_on": "2026-04-07", "published_on": "2026-04-08", "category": "罚款",
            "basis": "《税收征收管理法》", "facts": "少缴税款"}), TAX_BY)
    ledger.correct_penalty(ACME, "盘税罚〔2026〕1号", PenaltyCorrectionIn.model_validate({
        "corrected_on": "2026-05-11", "reason": "录入错误", "severity": "general",
        "facts": "少缴税款十万元"}), TAX_BY)
    ledger.correct_penalty(ACME, "盘税罚〔2026〕2号", PenaltyCorrectionIn.model_validate({
        "corrected_on": "2026-05-12", "reason": "日期错误", "decided_on": "2026-04-01"}), TAX_BY)
    ledger.revoke_penalty(ACME, "盘税罚〔2026〕2号", RevocationIn.model_validate({
        "revoked_on": "2026-05-20", "reason": "复议撤销"}), TAX_BY)
    ledger.grant_permit(ACME, PermitIn.model_validate({
        "decision_no": "盘市监许〔2026〕3号", "category": "普通", "decided_on": "2026-03-02",
        "published_on": "2026-03-20"}), MARKET_BY)
    ledger.correct_permit(ACME, "盘市监许〔2026〕3号", PermitCorrectionIn.model_validate({
        "corrected_on": "2026-03-25", "reason": "决定日期错误", "decided_on": "2026-03-16"}),
        MARKET_BY)
    ledger.revoke_permit(ACME, "盘市监许〔2026〕3号", RevocationIn.model_validate({
        "revoked_on": "2026-04-01", "reason": "撤销"}), MARKET_BY)
    ledger.rename_subject(ACME, RenameIn.model_validate({
        "name": "盘锦新华化工有限公司", "changed_on": "2026-05-06"}), MARKET_BY)
    ledger.deregister_subject(BETA, DeregistrationIn.model_validate({
        "deregistered_on": "2026-05-25", "reason": "决议解散"}), MARKET_BY)


def test_corrections_through_kafka_live_and_rebuilt_give_the_same_views(
        pg_url: str, kafka_bootstrap: str, unique_name: str, topic_name: str) -> None:
    settings = Settings(database_url=pg_url, app_name=unique_name, env="test",
                        kafka_bootstrap=kafka_bootstrap, kafka_topic=topic_name)
    runtime = bootstrap(settings, background=False, clock=lambda: TODAY)
    try:
        corrections_story(runtime.ledger)
        head = runtime.ledger.head_position()
        create_topic(kafka_bootstrap, topic_name)
        publish(kafka_bootstrap, topic_name, list(envelopes(runtime.ledger)))
        store, views = view_store(runtime), load_views()
        run_until(Runner(store, feed_factory(runtime), views), head)
        served = digest(store)
        with store.reader() as tx:
            acme = profile_sql.profile(tx, ACME, TODAY.isoformat())
            beta = profile_sql.profile(tx, BETA, TODAY.isoformat())
            found, _ = queries.search(tx, "某某化工", 1, 10)
        assert acme is not None and beta is not None
        # The serious fine, corrected to general: its row carries the corrected record.
        [fine] = acme["penalties"]
        assert (fine["decision_no"], fine["severity"], fine["publicity_max_until"]) == (
            "盘税罚〔2026〕1号", "general", "2027-04-07")
        assert fine["details"]["facts"] == "少缴税款十万元"
        [permit] = acme["permits"]
        assert (permit["status"], permit["decided_on"], permit["late"]) == (
            "revoked", "2026-03-16", False)  # published within 7 working days of the new date
        assert acme["former_names"] == [{"name": "盘锦某某化工有限公司", "until": "2026-05-06"}]
        assert [s["name"] for s in found] == ["盘锦新华化工有限公司"]
        assert beta["deregistered"] == {"on": "2026-05-25", "reason": "决议解散"}
        # A staged rebuild from Kafka (rows spooled, corrections deferred) holds the same rows.
        rebuild_named(store, feed_factory(runtime), views, "all", grace=0)
        assert digest(store) == served
    finally:
        runtime.close()
