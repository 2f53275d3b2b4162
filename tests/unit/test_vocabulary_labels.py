"""One vocabulary: every code has its Chinese label, and a label is read back as its code."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.domain.authorities import AuthorityCatalogue
from ledger.domain.labels import LABELS, code_of, label
from ledger.domain.uscc import kind_of_uscc, make_uscc
from ledger.domain.vocabulary import Domain, ListName, Severity, SubjectKind


def test_every_code_of_every_vocabulary_has_a_label() -> None:
    for enum, labels in LABELS.items():
        assert set(labels) == {m.value for m in enum}, enum.__name__


def test_a_label_or_a_code_names_the_same_member() -> None:
    assert code_of(Domain, "流通") is Domain.CIRCULATION
    assert code_of(Domain, "circulation") is Domain.CIRCULATION
    assert code_of(ListName, "黑名单") is ListName.BLACK
    assert code_of(Severity, " 一般 ") is Severity.GENERAL
    assert code_of(SubjectKind, "法人及非法人组织") is SubjectKind.ENTERPRISE
    assert label(Domain.PRICE) == "价格"
    assert label("key_attention", ListName) == "重点关注名单"


def test_an_unknown_word_is_refused_with_the_codes_and_labels_it_could_be() -> None:
    with pytest.raises(ValueError, match=r"'流动' is not one of: .*circulation \(流通\)"):
        code_of(Domain, "流动")


def test_the_kind_is_read_from_the_uscc_category() -> None:
    body = "MA7AUD01"
    assert kind_of_uscc(make_uscc("9", "1", "211103", body)) == "enterprise"
    assert kind_of_uscc(make_uscc("9", "2", "211103", body)) == "individual_business"
    assert kind_of_uscc(make_uscc("3", "1", "211103", "12345678")) == "law_firm"
    assert kind_of_uscc(make_uscc("1", "1", "211100", "12345678")) == "government_body"
    assert kind_of_uscc(make_uscc("7", "1", "211100", "12345678")) is None


def test_the_shipped_catalogue_names_the_demo_city_authorities() -> None:
    catalogue = AuthorityCatalogue.load()
    market = catalogue.by_name("盘锦市市场监督管理局")
    assert market is not None and market.short_name == "市市场监管局"
    assert catalogue.default_domain(market.code) is Domain.CIRCULATION
    assert catalogue.name_of(market.code) == "盘锦市市场监督管理局"
    assert len(catalogue) >= 17


def test_a_malformed_catalogue_fails_naming_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "authorities.json"
    path.write_text('{"authorities": [{"code": "91211103MA7AUD016X", "name": "x"}]}',
                    encoding="utf-8")
    with pytest.raises(ValueError, match=r"authorities\[0\]: USCC check character"):
        AuthorityCatalogue.load(path)
