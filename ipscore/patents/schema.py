"""The patent record schema as data: fields, their kinds, header aliases and value codes.

Like a pandera schema, this table is what the readers and validators are driven by; none
of them hard-codes a column.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from typing import Literal

from ipscore.bundled import bundled_dir
from ipscore.patents.awards import AwardNames

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


def _vocabulary(file: str, column: str) -> dict[str, str]:
    """A spelling → code table shipped as data (rules/tables/FILE), keys lower-cased NFKC."""
    with (bundled_dir("rules") / "tables" / file).open(encoding="utf-8", newline="") as handle:
        return {
            unicodedata.normalize("NFKC", row["spelling"]).strip().lower(): row[column]
            for row in csv.DictReader(handle)
        }


#: 专利类型 spellings of CNIPA, CNIPR, PatSnap and incoPat exports (rules/tables/patent-types.csv).
PATENT_TYPES = _vocabulary("patent-types.csv", "patent_type")
#: The legal-status vocabulary of FACTS §1 → valid / lapsed / pending
#: (rules/tables/legal-status.csv; each spelling carries its source).
STATUSES = _vocabulary("legal-status.csv", "status")
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
#: Award texts → award codes, for readers of single values (the event stream).
AWARDS = AwardNames()

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

#: Vendor export headers (FACTS §1 "Export headers"), in order of preference where an export
#: carries several (分类号 lists every code, 主分类号 only the main one; 简单法律状态 is
#: PatSnap's normalised status, 法律状态/事件 its event log). Headers are compared after NFKC,
#: so full-width （） and half-width () are the same header. A field missing from FIELDS
#: (e.g. title and abstract before they are added) is simply not mapped.
VENDOR_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("申请号", "application_number", "专利申请号", "申请号码"),
    "patent_type": ("专利类型", "类型", "专利种类"),
    "filing_date": ("申请日", "申请日期"),
    "grant_date": ("授权公告日", "授权日", "授权日期", "颁证日"),
    "status": (
        "简单法律状态",
        "专利权状态",
        "法律状态",
        "当前法律状态",
        "最新法律状态",
        "法律状态/事件",
    ),
    "lapse_date": ("失效日", "失效日期"),
    "ipc": ("IPC分类号", "分类号", "IPC", "主分类号", "IPC主分类号"),
    "owner_country": (
        "专利权人国别",
        "国别",
        "申请人国家",
        "申请人国别",
        "国家/地区",
        "当前申请(专利权)人国家",
        "国省代码",
    ),
    "region": ("行政区划", "地区", "行政区划代码"),
    "owner": (
        "申请(专利权)人",
        "[标]当前申请(专利权)人",
        "当前申请(专利权)人",
        "当前权利人",
        "专利权人",
        "申请人",
        "第一权利人",
    ),
    "family_granted": ("海外同族授权",),
    "pledge_amount": ("质押融资金额", "质押金额"),
    "awards": ("获奖", "获奖情况", "奖励"),
    "title": ("名称", "标题", "专利名称", "发明名称"),
    "abstract": ("摘要", "申请摘要"),
}
#: Where no region column exists, the owner's place comes from these, best first: PatSnap's
#: province / city / county columns (joined), then an address, then 国省代码.
REGION_PARTS = ("当前申请(专利权)人州/省", "当前申请(专利权)人地市", "当前申请(专利权)人区县")
ADDRESS_HEADERS = ("地址", "申请人地址", "原始申请(专利权)人地址", "当前申请(专利权)人地址")
PROVINCE_CODE_HEADER = "国省代码"


def header_key(header: object) -> str:
    """How headers are compared: NFKC (full-width brackets → half-width), no spaces."""
    return "".join(unicodedata.normalize("NFKC", str(header)).split())


def field_aliases(name: str) -> tuple[str, ...]:
    """A field's headers in order of preference: its own name first."""
    spec = FIELD_BY_NAME[name]
    seen: dict[str, None] = {}
    for alias in (spec.name, *spec.aliases, *VENDOR_ALIASES.get(name, ())):
        seen.setdefault(header_key(alias), None)
    return tuple(seen)


HEADER_ALIASES = {alias: name for name in FIELD_BY_NAME for alias in field_aliases(name)}
CONTEXT_NAMES = ("as_of",)


def record_names() -> tuple[str, ...]:
    """The names a patent rule's expressions may read (entry point spec.patent_names)."""
    return (*FIELD_NAMES, *CONTEXT_NAMES)
