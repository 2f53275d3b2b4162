"""The edge rules without services: text the stores can hold, the date range, the views' escape."""

from __future__ import annotations

import orjson
import pytest
from pydantic import TypeAdapter, ValidationError

from api.schemas import Short, Text
from ledger.domain.bounds import FIRST_DAY, LAST_DAY
from ledger.import_rows import RowError, parse_record
from projections.feed import envelope_json
from projections.kafka_feed import envelope

KEY = b"k" * 32
AUTHORITY = "11211100000013127R"
ACME = "91211100MA0T4Q1X23"
NAME, TEXT = TypeAdapter(Short), TypeAdapter(Text)


def rule(adapter: TypeAdapter[str], value: str) -> str | None:
    try:
        adapter.validate_python(value)
    except ValidationError as e:
        return str(e.errors()[0]["type"])
    return None


def test_names_are_one_line_without_bidi_controls_and_texts_keep_their_lines() -> None:
    assert rule(NAME, "盘锦某某化工有限公司 (Panjin) Co.") is None
    assert rule(NAME, "甲\x00乙") == rule(NAME, "甲\t乙") == "control_character"
    for bidi in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        assert rule(NAME, f"甲{bidi}乙") == "bidi_control"
    assert rule(NAME, "甲\ud800") == "string_unicode"  # no UTF-8 holds a lone surrogate
    assert rule(TEXT, "第一条\r\n\t第二条") is None
    assert rule(TEXT, "عربي \u202e") is None  # bidi controls are a names' rule
    for control in "\x00\x01\x07\x0b\x0c\x1b\x1f":
        assert rule(TEXT, f"事实{control}") == "control_character"


def test_the_date_range_is_the_republic_to_the_end_of_the_century() -> None:
    assert (FIRST_DAY.isoformat(), LAST_DAY.isoformat()) == ("1949-10-01", "2099-12-31")


@pytest.mark.parametrize(("record", "field", "value"), [
    ({"record": "subject", "code": ACME, "kind": "enterprise"}, "name", "甲\x00乙"),
    ({"record": "subject", "code": ACME, "kind": "enterprise"}, "name", "甲\u202e乙"),
    ({"record": "penalty", "subject": ACME, "decision_no": "罚1", "severity": "general",
      "domain": "tax", "decided_on": "2026-03-02", "published_on": "2026-03-04",
      "category": "罚款", "basis": "依据"}, "facts", "事实\x1b[31m"),
    ({"record": "penalty", "subject": ACME, "decision_no": "罚1", "severity": "general",
      "domain": "tax", "published_on": "2026-03-04", "category": "罚款", "basis": "依据"},
     "decided_on", "1900-01-01"),
])
def test_a_bulk_file_row_is_refused_by_the_same_rules(record: dict[str, str], field: str,
                                                       value: str) -> None:
    with pytest.raises(RowError) as refused:
        parse_record(record | {field: value}, 1, AUTHORITY, KEY)
    assert [name for name, _ in refused.value.problems] == [field]


def test_the_views_see_a_stored_nul_as_the_replacement_character() -> None:
    raw = orjson.dumps({"data": {"name": "甲\x00乙", "note": "a\\u0000 stays as typed"}})
    assert envelope_json(raw) == {"data": {"name": "甲\ufffd乙",
                                           "note": "a\\u0000 stays as typed"}}
    # Kafka's copy the same way (projections.kafka_feed.envelope).
    assert envelope("t", 0, 0, raw)["data"]["name"] == "甲\ufffd乙"
