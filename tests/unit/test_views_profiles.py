"""Stories about subject profiles, fed hand-written envelopes on SQLite view storage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from projections import profile_sql, queries
from projections.storage import ViewStore
from projections.views.lists import VIEW as LISTS
from projections.views.profiles import VIEW as PROFILES
from tests.unit._envelopes import COURT, TAX, Story, feed_views, store_at

ACME, PERSON = "91211100MA0T4Q1X23", "p-e30fecfa2475bead11aab8e688b2fed2"
NUMBER = "211102198005171234"


def penalty(story: Story, no: str, decided: str, max_until: str, severity: str = "general",
            late: bool = False) -> None:
    story.add(ACME, "PenaltyImposed", decided, {
        "decision_no": no, "severity": severity, "domain": "tax", "decided_on": decided,
        "published_on": decided, "category": "fine", "basis": "art. 60", "special": False,
        "late": late, "rule_set": "NDRC-2023-58", "publicity_min_until": decided,
        "publicity_max_until": max_until, "fine_amount": "5000.00"}, authority=TAX)


def permit(story: Story, no: str, decided: str, published: str | None = None,
           late: bool = False) -> None:
    story.add(ACME, "PermitGranted", decided, {
        "decision_no": no, "category": "food", "decided_on": decided,
        "published_on": published or decided, "late": late, "content": "食品经营许可"})


def commitment(story: Story, cid: str, made: str) -> None:
    story.add(ACME, "CommitmentMade", made, {
        "commitment_id": cid, "type": "voluntary", "made_on": made, "content": "依法经营",
        "due_on": None, "commitment_no": None})


def led_by_person_and_black_listed(story: Story, **by: Any) -> None:
    """PERSON becomes Acme's legal representative; Acme goes on the tax black list."""
    story.add(ACME, "PrincipalLinked", "2020-01-06", {
        "principal": PERSON, "role": "legal_representative", "name": "张三",
        "since": "2020-01-06"})
    story.add(ACME, "Listed", "2025-09-01", {
        "listing_id": "l-black", "list": "black", "domain": "tax", "basis": "b",
        "notified_on": "2025-08-20", "listed_on": "2025-09-01", "expires_on": "2028-09-01",
        "removal_conditions": "pays"}, **by)


def acme_story() -> Story:
    story = Story()
    story.register(ACME, "Acme Chemicals Ltd")
    story.register(PERSON, "张三", kind="natural_person", masked="211**************4")
    penalty(story, "TAX-1", "2025-03-03", "2028-03-03", late=True)
    penalty(story, "TAX-OLD", "2022-01-10", "2025-01-10")
    penalty(story, "TAX-2", "2025-06-02", "2028-06-02", severity="serious")
    story.add(ACME, "PenaltyRevoked", "2025-07-01",
              {"decision_no": "TAX-2", "revoked_on": "2025-07-01", "reason": "error"},
              authority=TAX)
    penalty(story, "TAX-3", "2025-08-04", "2028-08-04")
    story.add(ACME, "PenaltyPublicityEnded", "2026-02-02", {
        "penalty_authority": TAX, "decision_no": "TAX-3", "ended_on": "2026-02-02",
        "reason": "repaired"}, authority=TAX)
    permit(story, "P-1", "2025-04-01", published="2025-05-06", late=True)
    commitment(story, "c-1", "2024-03-01")
    story.add(ACME, "CommitmentBreached", "2024-09-02",
              {"commitment_id": "c-1", "on": "2024-09-02", "note": "late"})
    led_by_person_and_black_listed(story, authority=COURT)
    return story


def read_profile(store: ViewStore, code: str, today: str) -> dict[str, Any] | None:
    with store.reader() as tx:
        return profile_sql.profile(tx, code, today)


def test_a_penalty_is_shown_only_inside_its_publicity_window(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    feed_views(store, [PROFILES, LISTS], acme_story().records())
    # On 2026-06-01 only TAX-1 is public: TAX-OLD's window closed, TAX-2 was revoked, and
    # TAX-3's publicity ended after repair.
    shown = read_profile(store, ACME, "2026-06-01")
    assert shown is not None
    assert [p["decision_no"] for p in shown["penalties"]] == ["TAX-1"]
    assert shown["penalties"][0]["late"] is True
    assert shown["penalties"][0]["details"]["fine_amount"] == "5000.00"
    # The same rows answer for another day without re-running the view.
    on_expiry = read_profile(store, ACME, "2028-03-03")
    assert on_expiry is not None and on_expiry["penalties"] == []
    earlier = read_profile(store, ACME, "2024-12-31")
    assert earlier is not None
    assert [p["decision_no"] for p in earlier["penalties"]] == ["TAX-OLD"]


def test_profile_shows_permits_commitments_lists_and_principals(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    feed_views(store, [PROFILES, LISTS], acme_story().records())
    shown = read_profile(store, ACME, "2026-06-01")
    assert shown is not None
    assert shown["name"] == "Acme Chemicals Ltd" and "masked" not in shown
    assert [(p["decision_no"], p["late"], p["status"]) for p in shown["permits"]] == [
        ("P-1", True, "valid")]
    assert [(c["type"], c["status"], c["settled_on"]) for c in shown["commitments"]] == [
        ("voluntary", "breached", "2024-09-02")]
    assert [(m["list"], m["domain"]) for m in shown["lists"]] == [("black", "tax")]
    assert shown["principals"] == [{"role": "legal_representative", "principal": PERSON,
                                    "name": "张三", "since": "2020-01-06"}]


def test_a_person_sees_the_dishonesty_of_the_organisations_they_lead(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    feed_views(store, [PROFILES, LISTS], acme_story().records())
    person = read_profile(store, PERSON, "2026-06-01")
    assert person is not None
    assert person["masked"] == "211**************4"
    [led] = person["led_organisations"]
    assert (led["code"], led["role"]) == (ACME, "legal_representative")
    assert [m["list"] for m in led["dishonest_listings"]] == ["black"]
    assert [p["decision_no"] for p in led["penalties"]] == ["TAX-1"]
    # The person's own records are clean, and the number itself is nowhere in the views.
    assert person["penalties"] == [] and person["lists"] == []
    with store.reader() as tx:
        rows = [tx.fetchall(f"SELECT * FROM {tx.t(t)}") for t in PROFILES.tables]
    assert NUMBER.encode() not in orjson.dumps(rows)


def test_unknown_codes_have_no_profile(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    feed_views(store, [PROFILES, LISTS], acme_story().records())
    assert read_profile(store, "91000000000000000X", "2026-06-01") is None


def test_duplicate_deliveries_are_applied_once(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    records = acme_story().records()
    # At-least-once delivery: every record arrives twice, the second copy later.
    feed_views(store, [PROFILES, LISTS], records + records)
    shown = read_profile(store, ACME, "2026-06-01")
    assert shown is not None
    assert shown["permits_total"] == 1 and shown["commitments_total"] == 1


def test_search_by_name_is_case_insensitive_and_paged(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    story = Story()
    for i in range(25):
        story.register(f"9121110000000{i:04d}X", f"Panjin Trading {i:02d}")
    story.register("91211100000000999X", "100% Pure Water")
    feed_views(store, [PROFILES, LISTS], story.records())
    with store.reader() as tx:
        first, total = queries.search(tx, "TRADING", 1, 10)
        third, _ = queries.search(tx, "trading", 3, 10)
        literal, literal_total = queries.search(tx, "0%", 1, 10)
    assert total == 25 and len(first) == 10 and first[0]["name"] == "Panjin Trading 00"
    assert [s["name"] for s in third] == [f"Panjin Trading {i}" for i in range(20, 25)]
    assert literal_total == 1 and literal[0]["name"] == "100% Pure Water"
