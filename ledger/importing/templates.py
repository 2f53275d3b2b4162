"""The national double-publicity (双公示) templates, column by column: data, read by csv_layout.

Two editions are in use. The earlier one (行政相对人代码_1…_5, 处罚名称,
处罚类别1/2, 项目名称, 审批类别, 许可截止期, 地方编码, 数据更新时间戳) and the 2021
one (行政相对人类别, 行政相对人代码_1…_6, 法定代表人证件类型/号码, 证件类型/号码,
暂扣或吊销证照名称及编号, 处罚有效期, 数据来源单位统一社会信用代码). Each column is
listed in the standard's order with what it feeds (docs/import.md):

- a record field (`decision_no`, `decided_on`, ...: the API body's names);
- `uscc` / `person_id`: the subject's USCC, or a person's ID number (pseudonymised);
- `representative_id`: the legal representative's ID number (kept only as its pseudonym);
- `category_2`: 处罚类别2, kept as a detail and read by the severity rules;
- `+key`: a detail the ledger does not model, kept in the event's data under `key`.

Header spellings are compared after `headers.normalise` (full-width forms, spaces, `_`/`-`,
a trailing （元）/（万元）, letter case), so a table entry is its standard's spelling.
"""

from __future__ import annotations

EDITION_2021 = "2021"
EDITION_EARLIER = "earlier"

_PARTY_2021 = [
    ("行政相对人名称", "party_name"),
    ("行政相对人类别", "party_kind"),
    ("行政相对人代码_1(统一社会信用代码)", "uscc"),
    ("行政相对人代码_2(工商注册号)", "+business_registration_no"),
    ("行政相对人代码_3(组织机构代码)", "+organisation_code"),
    ("行政相对人代码_4(税务登记号)", "+tax_registration_no"),
    ("行政相对人代码_5(事业单位证书号)", "+institution_certificate_no"),
    ("行政相对人代码_6(社会组织登记证号)", "+social_organisation_no"),
    ("法定代表人", "legal_representative"),
    ("法定代表人证件类型", "+legal_representative_id_type"),
    ("法定代表人证件号码", "representative_id"),
    ("证件类型", "+id_type"),
    ("证件号码", "person_id"),
]
_PARTY_EARLIER = [
    ("行政相对人名称", "party_name"),
    ("行政相对人代码_1(统一社会信用代码)", "uscc"),
    ("行政相对人代码_2(组织机构代码)", "+organisation_code"),
    ("行政相对人代码_3(工商登记码)", "+business_registration_no"),
    ("行政相对人代码_4(税务登记号)", "+tax_registration_no"),
    ("行政相对人代码_5(居民身份证号)", "person_id"),
    ("法定代表人姓名", "legal_representative"),
]

TEMPLATES: dict[tuple[str, str], list[tuple[str, str]]] = {
    (EDITION_2021, "permit"): [
        *_PARTY_2021,
        ("行政许可决定文书名称", "document_name"),
        ("行政许可决定文书号", "decision_no"),
        ("许可类别", "category"),
        ("许可证书名称", "certificate_name"),
        ("许可编号", "certificate_no"),
        ("许可内容", "content"),
        ("许可决定日期", "decided_on"),
        ("有效期自", "valid_from"),
        ("有效期至", "valid_to"),
        ("许可机关", "+authority_name"),
        ("许可机关统一社会信用代码", "authority"),
        ("当前状态", "+status_as_published"),
        ("数据来源单位", "data_source_unit"),
        ("数据来源单位统一社会信用代码", "+data_source_unit_code"),
        ("备注", "+remarks"),
    ],
    (EDITION_2021, "penalty"): [
        *_PARTY_2021,
        ("行政处罚决定书文号", "decision_no"),
        ("违法行为类型", "violation_type"),
        ("违法事实", "facts"),
        ("处罚依据", "basis"),
        ("处罚类别", "category"),
        ("处罚内容", "penalty_content"),
        ("罚款金额(万元)", "fine_amount"),
        ("没收违法所得、没收非法财物的金额(万元)", "confiscation_amount"),
        ("暂扣或吊销证照名称及编号", "+suspended_or_revoked_licence"),
        ("处罚决定日期", "decided_on"),
        ("处罚有效期", "+penalty_valid_until"),
        ("公示截止期", "publicity_end_date"),
        ("处罚机关", "+authority_name"),
        ("处罚机关统一社会信用代码", "authority"),
        ("数据来源单位", "data_source_unit"),
        ("数据来源单位统一社会信用代码", "+data_source_unit_code"),
        ("备注", "+remarks"),
    ],
    (EDITION_EARLIER, "permit"): [
        ("行政许可决定书文号", "decision_no"),
        ("项目名称", "+project_name"),
        ("审批类别", "category"),
        ("许可内容", "content"),
        *_PARTY_EARLIER,
        ("许可决定日期", "decided_on"),
        ("许可截止期", "valid_to"),
        ("许可机关", "+authority_name"),
        ("当前状态", "+status_as_published"),
        ("地方编码", "+local_code"),
        ("数据更新时间戳", "+data_updated_at"),
        ("备注", "+remarks"),
    ],
    (EDITION_EARLIER, "penalty"): [
        ("行政处罚决定书文号", "decision_no"),
        ("处罚名称", "+penalty_name"),
        ("处罚类别1", "category"),
        ("处罚类别2", "category_2"),
        ("处罚事由", "facts"),
        ("处罚依据", "basis"),
        *_PARTY_EARLIER,
        ("处罚结果", "penalty_content"),
        ("处罚决定日期", "decided_on"),
        ("处罚机关", "+authority_name"),
        ("当前状态", "+status_as_published"),
        ("地方编码", "+local_code"),
        ("数据更新时间戳", "+data_updated_at"),
        ("备注", "+remarks"),
    ],
}

# Columns outside the two templates that departments' files carry, and the ledger's own
# names (docs/import.md); the record kinds they may appear in. `special` and the ledger's
# severity and domain are penalties' only.
BOTH, PERMIT, PENALTY = frozenset({"permit", "penalty"}), frozenset({"permit"}), \
    frozenset({"penalty"})
EXTRA: list[tuple[str, str, frozenset[str]]] = [
    # spellings seen in exports of the national templates
    ("统一社会信用代码", "uscc", BOTH),
    ("行政相对人代码_1", "uscc", BOTH),
    ("法定代表人身份证号", "representative_id", BOTH),
    ("行政处罚决定文书号", "decision_no", PENALTY),
    ("处罚金额", "fine_amount", PENALTY),
    ("没收违法所得、没收非法财务的金额", "confiscation_amount", PENALTY),
    ("没收金额", "confiscation_amount", PENALTY),
    ("许可生效期", "valid_from", PERMIT),
    ("公示截止日期", "publicity_end_date", PENALTY),
    ("数据导出时间", "+data_exported_at", BOTH),
    ("公示期限", "+publicity_period_as_published", PENALTY),
    # what the templates lack, when a department adds it
    ("公示日期", "published_on", BOTH),
    ("严重程度", "severity", PENALTY),
    ("领域", "domain", PENALTY),
    # the ledger's own names
    ("party_name", "party_name", BOTH), ("party_kind", "party_kind", BOTH),
    ("party_code", "uscc", BOTH), ("party_id_number", "person_id", BOTH),
    ("id_type", "+id_type", BOTH), ("legal_representative", "legal_representative", BOTH),
    ("decision_no", "decision_no", BOTH), ("category", "category", BOTH),
    ("decided_on", "decided_on", BOTH), ("published_on", "published_on", BOTH),
    ("authority", "authority", BOTH), ("authority_name", "+authority_name", BOTH),
    ("data_source_unit", "data_source_unit", BOTH),
    ("data_source_unit_code", "+data_source_unit_code", BOTH), ("remarks", "+remarks", BOTH),
    ("status", "+status_as_published", PERMIT),
    ("severity", "severity", PENALTY), ("domain", "domain", PENALTY),
    ("special", "special", PENALTY), ("violation_type", "violation_type", PENALTY),
    ("facts", "facts", PENALTY), ("basis", "basis", PENALTY),
    ("penalty_content", "penalty_content", PENALTY), ("fine_amount", "fine_amount", PENALTY),
    ("confiscation_amount", "confiscation_amount", PENALTY),
    ("publicity_end_date", "publicity_end_date", PENALTY),
    ("document_name", "document_name", PERMIT), ("certificate_name", "certificate_name", PERMIT),
    ("certificate_no", "certificate_no", PERMIT), ("content", "content", PERMIT),
    ("valid_from", "valid_from", PERMIT), ("valid_to", "valid_to", PERMIT),
]

# What each record needs, whichever columns feed it (the subject: `uscc` or `person_id`).
REQUIRED = {"decision_no", "category", "decided_on"}
REQUIRED_PENALTY = {"basis"}
AMOUNTS = {"fine_amount", "confiscation_amount"}
DATES = {"decided_on", "published_on", "publicity_end_date", "valid_from", "valid_to"}
# 行政相对人类别 values that name no kind in particular: the USCC's category then says which.
GENERIC_PARTY_KINDS = {"法人及非法人组织", "法人和非法人组织", "法人", "非法人组织"}
