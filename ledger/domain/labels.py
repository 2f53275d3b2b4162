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
    MeasureKind,
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
    MeasureKind: {"restrict": "失信约束", "incentive": "守信激励"},
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


_VALUES: dict[type[StrEnum], frozenset[str]] = {
    enum: frozenset(m.value for m in enum) for enum in LABELS}


def normalise(enum: type[StrEnum], text: object) -> object:
    """A label turned into its code, anything else unchanged (for validators that then
    refuse what is not a code with their own error)."""
    if isinstance(text, str) and text not in _VALUES.get(enum, ()):
        code = _CODES.get(enum, {}).get(text.strip())
        return code if code is not None else text
    return text


def labels_of(enum: type[StrEnum]) -> dict[str, str]:
    """Code → label for one vocabulary (the portal's selects, /v1/vocabulary)."""
    return dict(LABELS[enum])


# -- vocabularies that are not enums: score rules and grades, indicators, record kinds,
# repair rules and steps. Same contract as label(): an unknown code shows as itself. ------

SCORE_RULES: dict[str, str] = {
    "BASE": "基础分", "CLAMP": "分值上下限调整",
    "E-PEN-MINOR": "轻微行政处罚", "E-PEN-GENERAL": "一般行政处罚",
    "E-PEN-SERIOUS": "严重行政处罚", "E-LIST-BLACK": "列入黑名单",
    "E-LIST-KEY": "列入重点关注名单", "E-LIST-RED": "列入红名单",
    "E-COMMIT-BREACH": "违反信用承诺", "E-COMMIT-KEPT": "履行信用承诺",
    "E-PERMIT": "取得行政许可",
    "C-PEN-MINOR": "轻微行政处罚", "C-PEN-GENERAL": "一般行政处罚",
    "C-PEN-SERIOUS": "严重行政处罚", "C-LIST-BLACK": "列入黑名单",
    "C-LIST-KEY": "列入重点关注名单", "C-LIST-RED": "列入红名单",
    "C-COMMIT-BREACH": "违反信用承诺", "C-COMMIT-KEPT": "履行信用承诺",
    "C-PERMIT": "取得行政许可",
}
# Enterprise grades keep their letters (the evaluation's own names); the meaning beside them.
GRADES: dict[str, str] = {
    "A+": "A+（诚信）", "A": "A（诚信）", "B": "B（轻微失信）", "C": "C（一般失信）",
    "C-": "C-（一般失信）", "D": "D（严重失信）", "D-": "D-（严重失信）",
    "excellent": "优秀", "very_good": "很好", "good": "良好", "fair": "一般",
    "poor": "较差", "very_poor": "很差",
}
SCORE_FAMILIES: dict[str, str] = {"enterprise": "公共信用综合评价", "citizen": "市民信用分"}
INDICATORS: dict[str, str] = {
    "uscc_error_rate": "统一社会信用代码重错码率",
    "publicity_timeliness": "行政许可和行政处罚7个工作日内公示率",
    "public_records_per_legal_person": "法人主体平均公共信用信息条数",
    "citizen_score_holders": "拥有市民信用分的登记人口占比",
    "joint_domains": "开展联合奖惩的领域数",
    "joint_cases_per_listing": "有效联合奖惩案例数与红黑名单主体数之比",
    "black_list_exit_by_domain": "黑名单主体整改退出比例（各领域最低）",
    "repair_training_coverage": "黑名单主体信用修复培训覆盖率",
    "repair_commitment_coverage": "黑名单主体作出信用修复承诺比例",
    "commitment_coverage": "作出信用承诺的市场主体比例",
    "third_party_report_coverage": "黑名单或信用较差主体使用第三方信用报告比例",
    "black_listed_enterprise_share": "黑名单企业占比（逐年下降）",
    "poor_grade_enterprise_share": "信用较差企业占比（逐年下降）",
    "government_default_rectification": "政务失信事项限期整改到位率",
    "government_defaults_overdue": "逾期未整改的政务失信事项数",
    "legal_profession_files": "法律服务职业人群及机构信用档案建立率（最低类别）",
}
RECORD_KINDS: dict[str, str] = {"permit": "行政许可", "penalty": "行政处罚",
                                "listing": "名单认定", "commitment": "信用承诺"}
REPAIR_RULES: dict[str, str] = {
    "not_negative": "红名单不属于失信信息，无需修复",
    "target_not_public": "该信息已不再公示，无需修复",
    "non_repairable": "特别严重失信行为，不予修复",
    "minimum_publicity": "最短公示期未满",
    "maximum_reached": "已达最长公示期，到期自动停止公示",
    "obligations_not_performed": "须纠正失信行为并履行全部法定义务",
    "repair_commitment": "须作出信用修复承诺",
}
REPAIR_STEPS: dict[str, str] = {
    "RepairApplied": "提出修复申请", "RepairRefused": "不予受理", "RepairAccepted": "受理",
    "RepairCommitmentLinked": "提交信用修复承诺", "RepairTrainingCompleted": "完成信用修复培训",
    "RepairReportSubmitted": "提交信用报告", "RepairApproved": "修复通过",
    "RepairRejected": "修复未通过", "RepairWithdrawn": "撤回申请",
    "RepairAuthorityInformed": "已告知认定或处罚部门",
}


def text_label(table: dict[str, str], code: str | None) -> str:
    """The label of a code in one of the tables above; the code itself when it has none."""
    return "" if code is None else table.get(code, code)
