"""The Chinese label of every code: one table for the portal, the API's `*_label` fields and
the importer, which accepts a label wherever a code is (领域 流通 → circulation)."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from ledger.domain.vocabulary import (
    CivilServantRecordKind,
    CommitmentStatus,
    CommitmentType,
    DelistReason,
    Domain,
    GovernmentDefaultKind,
    GovernmentDefaultStatus,
    JointKind,
    JointStatus,
    ListName,
    PenaltyStatus,
    PermitStatus,
    PrincipalRole,
    Profession,
    RepairStatus,
    Severity,
    SubjectKind,
)

E = TypeVar("E", bound=StrEnum)

LABELS: dict[type[StrEnum], dict[str, str]] = {
    SubjectKind: {
        "enterprise": "企业", "individual_business": "个体工商户",
        "farmer_cooperative": "农民专业合作社", "social_organisation": "社会组织",
        "public_institution": "事业单位", "government_body": "机关",
        "natural_person": "自然人", "professional": "重点职业人群",
        "law_firm": "律师事务所", "notary_office": "公证机构",
        "legal_service_office": "基层法律服务所", "forensic_institution": "司法鉴定机构",
    },
    Profession: {
        "lawyer": "律师", "notary": "公证员", "grassroots_legal_worker": "基层法律服务工作者",
        "legal_aid_worker": "法律援助人员", "forensic_appraiser": "司法鉴定人员",
    },
    ListName: {"red": "红名单", "black": "黑名单", "key_attention": "重点关注名单"},
    Severity: {"minor": "轻微", "general": "一般", "serious": "严重"},
    CommitmentType: {
        "approval_substitute": "审批替代型（告知承诺）", "missing_documents": "容缺受理型",
        "voluntary": "主动公示型", "industry": "行业自律型", "repair": "信用修复型",
    },
    DelistReason: {"expired": "期满移出", "repaired": "信用修复移出", "revoked": "撤销认定",
                   "error": "认定错误"},
    PrincipalRole: {"legal_representative": "法定代表人", "principal_officer": "主要负责人",
                    "responsible_person": "直接责任人"},
    Domain: {
        "production": "生产", "circulation": "流通", "finance": "金融",
        "transport": "交通运输", "e_commerce": "电子商务", "construction": "工程建设",
        "procurement_bidding": "政府采购和招投标", "price": "价格", "tax": "税务",
        "tourism": "旅游", "intermediary_advertising": "中介会展广告", "statistics": "统计",
        "health": "医药卫生", "social_security": "社会保障",
        "culture_education_science": "文体教科", "intellectual_property": "知识产权",
        "environment": "环境保护", "judicial": "法院检察院公信", "public_security": "公共安全",
        "false_certification": "假承诺假证明假证件",
    },
    PermitStatus: {"valid": "有效", "revoked": "已撤销"},
    PenaltyStatus: {"public": "公示中", "revoked": "已撤销", "ended": "已停止公示"},
    CommitmentStatus: {"made": "已作出", "fulfilled": "已履行", "breached": "已违反"},
    RepairStatus: {"applied": "已申请", "refused": "不予受理", "accepted": "已受理",
                   "approved": "修复通过", "rejected": "修复未通过", "withdrawn": "已撤回"},
    JointStatus: {"open": "办理中", "closed": "已办结"},
    JointKind: {"incentive": "联合激励", "punishment": "联合惩戒"},
    CivilServantRecordKind: {"commendation": "表彰奖励", "sanction": "处分",
                             "dishonesty": "失信行为", "integrity_commitment": "诚信承诺"},
    GovernmentDefaultKind: {"arrears": "拖欠企业账款", "agreement_unfulfilled": "不履行协议约定",
                            "judgement_unexecuted": "不执行生效判决", "other": "其他政务失信"},
    GovernmentDefaultStatus: {"open": "未整改", "rectified": "已整改"},
}

# Other spellings departments write in their files, beside the labels above.
ALIASES: dict[type[StrEnum], dict[str, str]] = {
    SubjectKind: {"法人及非法人组织": "enterprise", "法人": "enterprise",
                  "非法人组织": "enterprise", "法人和非法人组织": "enterprise",
                  "个体户": "individual_business", "合作社": "farmer_cooperative",
                  "政府机关": "government_body", "国家机关": "government_body",
                  "律所": "law_firm", "公证处": "notary_office"},
    ListName: {"严重失信主体名单": "black", "失信名单": "black", "守信激励名单": "red",
               "重点关注": "key_attention"},
    Domain: {"政府采购": "procurement_bidding", "招标投标": "procurement_bidding",
             "招投标": "procurement_bidding", "中介服务": "intermediary_advertising",
             "广告": "intermediary_advertising", "医疗卫生": "health",
             "卫生健康": "health", "文化": "culture_education_science",
             "教育": "culture_education_science", "司法": "judicial",
             "环保": "environment", "生态环境": "environment", "安全生产": "production"},
}

_CODES: dict[type[StrEnum], dict[str, str]] = {
    enum: {**{label: code for code, label in labels.items()}, **ALIASES.get(enum, {})}
    for enum, labels in LABELS.items()
}


def label(value: StrEnum | str, enum: type[StrEnum] | None = None) -> str:
    """The Chinese label of a code; the code itself when the table has none (never fails)."""
    if enum is None and isinstance(value, StrEnum):
        enum = type(value)
    table = LABELS.get(enum, {}) if enum is not None else {}
    return table.get(str(value), str(value))


def code_of(enum: type[E], text: str) -> E:
    """The member a code or its Chinese label names: ValueError listing the codes otherwise."""
    text = text.strip()
    try:
        return enum(text)
    except ValueError:
        pass
    code = _CODES.get(enum, {}).get(text)
    if code is None:
        expected = ", ".join(f"{m.value} ({label(m)})" for m in enum)
        raise ValueError(f"{text!r} is not one of: {expected}")
    return enum(code)


def normalise(enum: type[StrEnum], text: object) -> object:
    """A label turned into its code, anything else unchanged (for validators that then
    refuse what is not a code with their own error)."""
    if isinstance(text, str) and text.strip() not in {m.value for m in enum}:
        code = _CODES.get(enum, {}).get(text.strip())
        return code if code is not None else text
    return text


def labels_of(enum: type[StrEnum]) -> dict[str, str]:
    """Code → label for one vocabulary (the portal's selects, /v1/vocabulary)."""
    return dict(LABELS[enum])
