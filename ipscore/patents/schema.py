"""The patent record schema as data: fields, their kinds, header aliases and value codes.

Like a pandera schema, this table is what the readers and validators are driven by; none
of them hard-codes a column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["id", "code", "date", "amount", "list", "text"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: Kind
    required: bool
    meaning: str
    aliases: tuple[str, ...] = ()
    #: For code fields: accepted spellings (lower-cased) → canonical code.
    values: dict[str, str] | None = None


PATENT_TYPES = {
    "invention": "invention",
    "发明": "invention",
    "发明专利": "invention",
    "发明授权": "invention",
    "utility_model": "utility_model",
    "utility model": "utility_model",
    "实用新型": "utility_model",
    "design": "design",
    "外观设计": "design",
}
STATUSES = {
    "valid": "valid",
    "有效": "valid",
    "in force": "valid",
    "授权": "valid",
    "lapsed": "lapsed",
    "失效": "lapsed",
    "invalid": "lapsed",
    "无效": "lapsed",
    "pending": "pending",
    "审中": "pending",
    "在审": "pending",
}
COUNTRIES = {
    "中国": "CN",
    "中国大陆": "CN",
    "中国香港": "HK",
    "香港": "HK",
    "中国澳门": "MO",
    "澳门": "MO",
    "中国台湾": "TW",
    "台湾": "TW",
    "美国": "US",
    "日本": "JP",
    "德国": "DE",
    "韩国": "KR",
}
#: Award names as CNIPA and commercial databases write them → ipscore's award codes.
AWARDS = {
    "中国专利金奖": "china_patent_gold",
    "中国专利银奖": "china_patent_silver",
    "中国专利优秀奖": "china_patent_excellence",
    "国家科学技术奖": "national_sci_tech",
}

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", "id", True, "申请号 application number", ("申请号", "application_number")),
    FieldSpec("patent_type", "code", True, "发明/实用新型/外观设计", ("专利类型",), PATENT_TYPES),
    FieldSpec("filing_date", "date", True, "申请日", ("申请日",)),
    FieldSpec("grant_date", "date", True, "授权公告日", ("授权公告日", "授权日")),
    FieldSpec("status", "code", True, "法律状态 valid/lapsed/pending", ("法律状态",), STATUSES),
    FieldSpec("lapse_date", "date", False, "失效日", ("失效日",)),
    FieldSpec(
        "ipc",
        "list",
        True,
        "all IPC codes, main first, ;-separated",
        ("IPC分类号", "分类号", "主分类号"),
    ),
    FieldSpec(
        "owner_country",
        "code",
        True,
        "专利权人国别 (ISO code or Chinese name)",
        ("专利权人国别", "国别"),
        COUNTRIES,
    ),
    FieldSpec("region", "text", False, "行政区划 code or name", ("行政区划", "地区")),
    FieldSpec("owner", "text", False, "申请人/专利权人", ("申请人", "专利权人")),
    FieldSpec(
        "family_granted",
        "list",
        False,
        "jurisdictions with a granted family member",
        ("海外同族授权",),
    ),
    FieldSpec("pledge_amount", "amount", False, "质押融资金额, 万元", ("质押融资金额",)),
    FieldSpec("awards", "list", False, "award codes, ;-separated", ("获奖",)),
    FieldSpec("title", "text", False, "名称/标题 title", ("名称", "标题", "发明名称", "专利名称")),
    FieldSpec("abstract", "text", False, "摘要 abstract", ("摘要",)),
)

FIELD_BY_NAME = {f.name: f for f in FIELDS}
FIELD_NAMES = tuple(FIELD_BY_NAME)
HEADER_ALIASES = {alias: f.name for f in FIELDS for alias in (f.name, *f.aliases)}
CONTEXT_NAMES = ("as_of",)
