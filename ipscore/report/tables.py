"""A command's --json result as named tables: the common ground of the workbook and the
web page. Driven by the JSON shape, not by the library's internals, so a new key in a
result shows up in the reports without a change here.

- Top-level scalars form the `summary` table (key, value).
- A dict of scalars becomes a two-column table; a list of records becomes a table whose
  nested dicts are spread into `parent.child` columns and nested lists joined with "; ".
- Each kind of result puts the tables the reader expects first (classify: summary,
  criteria, regions, industries, assumptions, sources, rejects).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

#: Column headers shown to readers: Chinese first, the JSON key after it.
HEADERS_ZH = {
    "key": "项目",
    "value": "值",
    "region": "地区",
    "high_value": "高价值发明专利",
    "eligible": "有效发明专利",
    "population": "常住人口(万人)",
    "per_10k": "每万人口拥有量",
    "population_year": "人口年份",
    "criterion": "条件",
    "count": "件数",
    "share": "占比",
    "criteria": "条件组合",
    "name": "名称",
    "unit": "单位",
    "note": "说明",
    "file": "文件",
    "rows": "行数",
    "sample": "样表",
    "row": "行号",
    "id": "编号",
    "column": "列",
    "reason": "原因",
    "indicator": "指标",
    "category": "类别",
    "attribute": "属性",
    "target": "目标值",
    "target_year": "目标年",
    "actual": "实际值",
    "actual_year": "实际年",
    "progress": "进度",
    "attainment": "完成率",
    "elapsed": "序时进度",
    "status": "状态",
    "gap": "差距",
    "source": "来源",
    "score": "得分",
    "rank": "排名",
    "qualified": "达标",
    "date": "日期",
    "basis": "口径",
    "action": "所需行动",
    "amount": "金额(万元)",
    "risk": "风险",
    "detail": "说明",
    "industry": "产业",
    "level": "层级(1大类/2中类)",
    "sei_code": "产业代码",
    "passed": "满足条件数",
    "patents": "件数",
    "age": "年龄(年)",
    "at_risk": "在册件数",
    "lapsed": "失效件数",
    "rate": "失效率",
    "title": "标题",
    "confidence": "可信度",
    "used_in": "用于",
    "source_confidence": "来源可信度",
    "source_inherited": "沿用规则文件来源",
    "baseline_value": "基线情景值",
    "overridden": "已改写",
    "rule_source": "规则出处",
    "rule_source_inherited": "沿用规则文件来源",
    "item": "条目",
}


@dataclass(frozen=True)
class Sheet:
    name: str  # ≤ 31 characters, unique: Excel's limits
    title: str
    frame: pd.DataFrame


def header(key: str) -> str:
    last = key.rsplit(".", 1)[-1]
    zh = HEADERS_ZH.get(last)
    return f"{zh} {key}" if zh else key


def is_year(column: str, row_key: Any) -> bool:
    """Years print without thousands separators: a year column, or a key/value row
    whose key names a year."""
    return "year" in column or (column == "value" and "year" in str(row_key))


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return "; ".join("" if v is None else str(v) for v in value)
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _spread(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if (
            isinstance(value, dict)
            and value
            and all(not isinstance(v, dict | list) for v in value.values())
        ):
            flat.update(_spread(value, f"{name}."))
        else:
            flat[name] = _cell(value)
    return flat


def records_frame(records: list[Any]) -> pd.DataFrame:
    if records and all(isinstance(r, dict) for r in records):
        return pd.DataFrame([_spread(r) for r in records])
    return pd.DataFrame({"value": [_cell(r) for r in records]})


def mapping_frame(mapping: dict[str, Any], key: str = "key") -> pd.DataFrame:
    return pd.DataFrame({key: list(mapping), "value": [_cell(v) for v in mapping.values()]})


def generic(data: dict[str, Any], prefix: str = "") -> list[Sheet]:
    """summary from the scalars, then one table per list or dict, in the result's order."""
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict | list)}
    sheets = [Sheet(f"{prefix}summary", "Summary 概要", mapping_frame(scalars))] if scalars else []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, list):
            sheets.append(Sheet(name, name, records_frame(value)))
        elif isinstance(value, dict) and value:
            if all(not isinstance(v, dict | list) for v in value.values()):
                sheets.append(Sheet(name, name, mapping_frame(value)))
            elif not prefix:  # a nested result (whatif's baseline and result): its tables
                nested = [s for s in generic(value, f"{key}.") if len(s.frame)]
                sheets.extend(nested)
            else:
                sheets.append(Sheet(name, name, mapping_frame(value)))
    return sheets


# --- per kind ------------------------------------------------------------------------------


def classify_sheets(data: dict[str, Any]) -> list[Sheet]:
    eligible = data.get("eligible") or 0
    criteria = pd.DataFrame(
        {
            "criterion": list(data.get("criteria", {})),
            "count": list(data.get("criteria", {}).values()),
        }
    )
    criteria["share"] = criteria["count"] / eligible if eligible else None
    overlap = pd.DataFrame(
        {
            "passed": [int(k) for k in data.get("overlap", {})],
            "patents": list(data.get("overlap", {}).values()),
        }
    )
    industries = records_frame(data.get("industries") or [])
    sources = records_frame(data.get("tables") or [])
    sources.insert(0, "rule", f"{data.get('rules')} (version from {data.get('version')})")
    named = [
        Sheet("summary", "Summary 概要", mapping_frame(_scalars(data))),
        Sheet("criteria", "Criteria 条件", criteria),
        Sheet("overlap", "Overlap 重叠", overlap),
        Sheet("combinations", "Combinations 条件组合", records_frame(data.get("combinations", []))),
        Sheet("regions", "Regions 地区", records_frame(data.get("regions", []))),
        Sheet("industries", "Industries 战略性新兴产业", industries),
        Sheet("assumptions", "Assumptions 假设", records_frame(data.get("assumptions", []))),
        Sheet("sources", "Sources 来源", sources),
        Sheet("rejects", "Rejects 拒收行", records_frame(data.get("rejects") or [])),
    ]
    return named + _rest(data, {s.name for s in named} | {"tables"})


def _scalars(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not isinstance(v, dict | list)}


def _rest(data: dict[str, Any], done: set[str]) -> list[Sheet]:
    return [
        s
        for s in generic({k: v for k, v in data.items() if k not in done})
        if s.name not in done and s.name != "summary"
    ]


def monitor_sheets(data: dict[str, Any]) -> list[Sheet]:
    indicators = records_frame(data.get("indicators", []))
    sources = (
        indicators[["id", "name", "source"]].dropna(subset=["source"])
        if {"id", "name", "source"} <= set(indicators.columns)
        else pd.DataFrame()
    )
    cited = ["id", "name", "confidence", "rule_source", "rule_source_inherited"]
    if set(cited) <= set(indicators.columns):  # where each target comes from, then the data's
        sources = indicators[cited].merge(sources, on=["id", "name"], how="left")
    named = [
        Sheet("summary", "Summary 概要", mapping_frame(_scalars(data))),
        Sheet("indicators", "Indicators 指标", indicators),
        Sheet("assumptions", "Assumptions 假设", records_frame(data.get("assumptions") or [])),
        Sheet("sources", "Sources 来源", sources),
    ]
    return named + _rest(data, {s.name for s in named})


def advise_sheets(data: dict[str, Any]) -> list[Sheet]:
    patents = data.get("patents", [])
    paths = [{"id": p["id"], **path} for p in patents for path in p.get("paths", [])]
    risks = [{"id": p["id"], **risk} for p in patents for risk in p.get("risks", [])]
    listed = [
        {
            "id": p["id"],
            "eligible": p["eligible"],
            "high_value": p["high_value"],
            "rests_on": "; ".join(p.get("rests_on", [])),
            "not_eligible": "; ".join(p.get("not_eligible", [])),
        }
        for p in patents
    ]
    summary = {**_scalars(data), **(data.get("counts") or {})}
    named = [
        Sheet("summary", "Summary 概要", mapping_frame(summary)),
        Sheet("paths", "Paths to high-value 路径", records_frame(paths)),
        Sheet("risks", "Risks 风险", records_frame(risks)),
        Sheet("patents", "Patents 专利", records_frame(listed)),
        Sheet("projection", "Projection 预测", records_frame(data.get("projection", []))),
        Sheet(
            "plan", "Plan 规划目标", records_frame((data.get("plan") or {}).get("projected", []))
        ),
        Sheet(
            "lapse_rates", "Observed lapse rates 失效率", records_frame(data.get("lapse_rates", []))
        ),
        Sheet("assumptions", "Assumptions 假设", records_frame(data.get("assumptions", []))),
    ]
    return named


def sheets_for(kind: str, data: dict[str, Any]) -> list[Sheet]:
    if kind in ("classify", "demo"):
        return classify_sheets(data)
    if kind == "monitor":
        return monitor_sheets(data)
    if kind == "advise":
        return advise_sheets(data)
    found = generic(data)
    names = {s.name for s in found}
    if "assumptions" not in names:
        found.append(Sheet("assumptions", "Assumptions 假设", _assumptions_anywhere(data)))
    return found


def _assumptions_anywhere(data: dict[str, Any]) -> pd.DataFrame:
    for value in data.values():
        if isinstance(value, dict) and isinstance(value.get("assumptions"), list):
            return records_frame(value["assumptions"])
    return pd.DataFrame({"value": []})
