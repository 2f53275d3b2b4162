"""Word lists of the city's government integrity (issue 20): the justice bureau's licences,
legal institutions, civil servants' posts, government defaults, credit agencies. Data only."""

from __future__ import annotations

JUSTICE = "盘锦市司法局"
PERSONNEL = "中共盘锦市委组织部"
CREDIT_OFFICE = "盘锦市发展和改革委员会"  # the city's credit office: monitors government defaults
COURT = "盘锦市中级人民法院"

# The practice licence the justice bureau grants each legal profession and institution.
LICENCES = {
    "law_firm": "律师事务所执业许可证", "notary_office": "公证机构执业证书",
    "legal_service_office": "基层法律服务所执业证", "forensic_institution": "司法鉴定许可证",
    "lawyer": "律师执业证", "notary": "公证员执业证",
    "grassroots_legal_worker": "基层法律服务工作者执业证", "legal_aid_worker": "法律援助工作证",
    "forensic_appraiser": "司法鉴定人执业证",
}
# Of a city's professionals (重点职业人群), the share in a legal profession, and their mix.
LEGAL_SHARE = 0.3
PROFESSIONS = {"lawyer": 60, "notary": 6, "grassroots_legal_worker": 12,
               "legal_aid_worker": 10, "forensic_appraiser": 12}
# Legal institutions per generated subject (a prefecture city: a few dozen law firms, a few
# notary offices), at least one of each; their USCC category characters.
INSTITUTIONS = {"law_firm": 0.004, "notary_office": 0.001, "legal_service_office": 0.002,
                "forensic_institution": 0.001}
INSTITUTION_PREFIX = {"law_firm": "31", "notary_office": "32", "legal_service_office": "33",
                      "forensic_institution": "34"}
INSTITUTION_NAMES = {"law_firm": "律师事务所", "notary_office": "公证处",
                     "legal_service_office": "法律服务所", "forensic_institution": "司法鉴定所"}
LAW_FIRM_WORDS = ("正义", "明法", "衡平", "公允", "德诚", "信达", "辽河", "红海", "金诚", "汇智")

# Civil servants per generated subject, their posts, and what their files record.
CIVIL_SERVANT_SHARE = 0.02
POSTS = ("一级科员", "四级主任科员", "二级主任科员", "副科长", "科长", "副局长", "局长",
         "办公室主任")
FILE_ENTRIES = {"integrity_commitment": 0.9, "commendation": 0.15, "sanction": 0.03,
                "dishonesty": 0.01}
FILE_BASIS = {
    "integrity_commitment": "《关于加强公务员诚信建设的通知》，签订年度诚信承诺书",
    "commendation": "《公务员奖励规定》，年度考核优秀，予以嘉奖",
    "sanction": "《中华人民共和国公职人员政务处分法》第三十二条，给予警告处分",
    "dishonesty": "被人民法院纳入失信被执行人名单",
}
DISCIPLINE = "中共盘锦市纪律检查委员会"

# Government defaults (政务失信): on the city's bodies and public institutions.
DEFAULT_SHARE = {"government_body": 0.12, "public_institution": 0.03}
DEFAULT_KINDS = {"arrears": 50, "agreement_unfulfilled": 25, "judgement_unexecuted": 15,
                 "other": 10}
DEFAULT_BASIS = {
    "arrears": "《保障中小企业款项支付条例》，拖欠中小企业工程款、货物款逾期未支付",
    "agreement_unfulfilled": "招商引资协议约定的配套政策未兑现",
    "judgement_unexecuted": "人民法院生效判决确定的给付义务逾期未履行",
    "other": "政务诚信监测发现的其他失信行为",
}
CREDITORS = ("盘锦鑫达建设工程有限公司", "盘锦宏远物流有限公司", "盘锦华信商贸有限公司",
             "盘锦益民农业科技有限公司", "盘锦恒通机械制造有限公司")

# Third-party credit reports: the agencies, and who gets one.
AGENCIES = ("辽宁诚信评估有限公司", "盘锦信用服务有限公司", "东北资信评级有限公司")
REPORT_SHARE = {"dishonest": 0.7, "market": 0.02}  # of listed subjects, of others
CONCLUSIONS = ("信用状况良好，已纠正失信行为并履行相关义务", "信用状况一般，存在失信记录，正在整改",
               "信用状况较好，无新增失信行为")
