"""Word lists and the authorities of the synthetic city (Panjin-like): data, no logic."""

from __future__ import annotations

from ledger.domain.authorities import AuthorityCatalogue

# GB/T 2260 codes of the city and its districts and county.
CITY_REGION = "211100"
REGIONS = ("211102", "211103", "211104", "211122")
DISTRICTS = {"211102": "双台子区", "211103": "兴隆台区", "211104": "大洼区", "211122": "盘山县"}
# Functional zones (configured codes, ledger/domain/data/regions.json) inside a district: the
# residents of a district whose ID sequence number is a multiple of N live in the zone, and
# are registered by its public-security branch (a rule of the ID, so no random draw changes).
ZONES = {"211104": ("211171", 5), "211103": ("211172", 8)}


# The authorities are the shipped authority catalogue (ledger/domain/data/authorities.json):
# one list of the city's departments for the generator, the importer and the portal.
AUTHORITIES = tuple(AuthorityCatalogue.load())

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志海波鹏辉宇晨浩然子轩"
# Two of these make a trade name (字号): enough pairs for a city's worth of unique names.
BRAND_CHARS = "鑫达辽河红海稻香蟹宏远华信金港永兴益民盛源恒通北方润泽天诚博新程安泰中韵丰瑞祥隆"
TRADES = ("石化", "建设工程", "物流", "农业科技", "商贸", "餐饮管理", "医药", "旅游开发",
          "广告传媒", "电子商务", "机械制造", "食品", "环保科技", "房地产开发", "运输",
          "文化传播", "信息技术", "检测技术", "物业管理", "水产养殖")
SUFFIXES = ("有限公司", "有限责任公司", "股份有限公司")
SHOPS = ("便利店", "饭店", "理发店", "五金店", "水果店", "药房", "汽车修理部", "烧烤店", "服装店")
COOPS = ("水稻种植专业合作社", "河蟹养殖专业合作社", "芦苇专业合作社", "蔬菜种植专业合作社")
ASSOCIATIONS = ("协会", "商会", "促进会", "联合会", "研究会")
INSTITUTIONS = ("小学", "中学", "幼儿园", "社区卫生服务中心", "文化站", "养老服务中心",
                "农业技术推广站", "水利服务站")
PERMIT_CATEGORIES = ("普通", "特许", "认可", "核准", "登记")
# What each domain's authorities grant: an authority grants the certificates of its domains
# only (no tax bureau issues a discharge permit); a domain with none is not a granting one.
CERTIFICATES: dict[str, tuple[str, ...]] = {
    "production": ("工业产品生产许可证", "安全生产许可证", "危险化学品经营许可证"),
    "circulation": ("食品经营许可证", "药品经营许可证", "酒类商品批发许可证"),
    "tax": ("增值税专用发票最高开票限额审批",),
    "environment": ("排污许可证", "危险废物经营许可证"),
    "construction": ("建筑工程施工许可证", "建筑业企业资质证书", "房地产开发企业资质证书"),
    "transport": ("道路运输经营许可证", "道路运输从业资格证"),
    "health": ("医疗机构执业许可证", "公共场所卫生许可证", "医师执业证书"),
    "tourism": ("旅行社业务经营许可证",),
    "culture_education_science": ("娱乐经营许可证", "民办学校办学许可证"),
    "social_security": ("劳务派遣经营许可证", "人力资源服务许可证"),
    "statistics": ("涉外调查许可证",),
    "public_security": ("特种行业许可证", "保安服务许可证"),
    "finance": ("小额贷款公司经营许可证", "融资担保业务经营许可证"),
}
PENALTY_CATEGORIES = {"minor": ("警告", "通报批评"), "general": ("罚款", "没收违法所得"),
                      "serious": ("暂扣许可证件", "降低资质等级", "责令停产停业", "限制从业")}
VIOLATIONS = ("未按规定公示信息", "销售不合格产品", "虚假宣传", "无证经营", "超标排放污染物",
              "偷逃税款", "违规承揽工程", "违反安全生产规定", "价格欺诈", "统计造假",
              "拒不执行判决")
COMMITMENT_CONTENT = {
    "approval_substitute": "本单位承诺所填报信息真实，符合告知承诺审批条件，"
                           "愿承担不实承诺的法律责任。",
    "missing_documents": "本单位承诺在规定期限内补齐申请材料，逾期未补齐的自愿撤回申请。",
    "voluntary": "本单位主动向社会公开信用承诺，诚信经营，接受社会监督。",
    "industry": "本单位遵守行业自律公约，公平竞争，不以不正当手段损害同行利益。",
    "repair": "本单位已纠正失信行为，履行法定义务，承诺今后不再发生同类失信行为。",
}
