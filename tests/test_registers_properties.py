"""Rewriting a register in another vendor's layout never changes a verdict."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipscore import api

RULE = api.patent_rule("cn-high-value-invention")
AS_OF = dt.date(2023, 12, 31)
IPCS = ["G06F 1/16", "A47J 27/00", "H04L 9/32", "G05B 19/418", "B65D 81/00"]

#: layout → (headers for our fields, date writer, list separator, encoding, status words)
LAYOUTS = {
    "canonical": (
        {f: f for f in ("id", "patent_type", "filing_date", "grant_date", "status", "ipc")}
        | {"owner_country": "owner_country", "region": "region"},
        lambda d: d.isoformat(),
        ";",
        "utf-8",
        {"valid": "valid", "lapsed": "lapsed", "pending": "pending"},
        {"invention": "invention", "utility_model": "utility_model"},
    ),
    "cnipr-gbk": (
        {
            "id": "申请号",
            "patent_type": "专利类型",
            "filing_date": "申请日",
            "grant_date": "颁证日",
            "status": "法律状态",
            "ipc": "分类号",
            "owner_country": "国省代码",
            "region": "地址",
        },
        lambda d: d.strftime("%Y.%m.%d"),
        "；",
        "gbk",
        {"valid": "有权", "lapsed": "未缴年费", "pending": "实质审查"},
        {"invention": "发明授权", "utility_model": "实用新型"},
    ),
    "patsnap": (
        {
            "id": "申请号",
            "patent_type": "专利类型",
            "filing_date": "申请日",
            "grant_date": "授权日",
            "status": "简单法律状态",
            "ipc": "IPC分类号",
            "owner_country": "当前申请(专利权)人国家",
            "region": "当前申请(专利权)人地市",
        },
        lambda d: f"{d.year}/{d.month}/{d.day}",
        " | ",
        "utf-8-sig",
        {"valid": "有效", "lapsed": "失效", "pending": "审中"},
        {"invention": "授权发明", "utility_model": "实用新型"},
    ),
    "cnipa": (
        {
            "id": "申请号",
            "patent_type": "专利类型",
            "filing_date": "申请日",
            "grant_date": "授权公告日",
            "status": "专利权状态",
            "ipc": "分类号",
            "owner_country": "国别",
            "region": "地区",
        },
        lambda d: d.strftime("%Y%m%d"),
        ",",
        "utf-8",
        {"valid": "有效", "lapsed": "专利权终止", "pending": "公开"},
        {"invention": "发明", "utility_model": "实用新型"},
    ),
}
COUNTRY = {
    "canonical": {"CN": "CN", "US": "US"},
    "cnipr-gbk": {"CN": "广东(44)", "US": "美国(US)"},
    "patsnap": {"CN": "中国", "US": "美国"},
    "cnipa": {"CN": "中国", "US": "US"},
}
PLACE = {
    "canonical": "440100",
    "cnipr-gbk": "510000广东省广州市天河区体育西路",
    "patsnap": "广州",
    "cnipa": "广州市",
}


@st.composite
def registers(draw):
    n = draw(st.integers(1, 6))
    rows = []
    for i in range(n):
        filed = dt.date(2005, 1, 1) + dt.timedelta(days=draw(st.integers(0, 6000)))
        granted = filed + dt.timedelta(days=draw(st.integers(200, 1500)))
        rows.append(
            {
                "id": f"CN2020{i:06d}",
                "patent_type": draw(st.sampled_from(["invention", "utility_model"])),
                "filing_date": filed,
                "grant_date": granted,
                "status": draw(st.sampled_from(["valid", "lapsed", "pending"])),
                "ipc": draw(st.lists(st.sampled_from(IPCS), min_size=1, max_size=3, unique=True)),
                "owner_country": draw(st.sampled_from(["CN", "CN", "US"])),
            }
        )
    return rows


def _write(rows: list[dict], layout: str, folder: Path) -> Path:
    headers, date, sep, encoding, statuses, types = LAYOUTS[layout]
    frame = pd.DataFrame(
        {
            headers["id"]: [r["id"] for r in rows],
            headers["patent_type"]: [types[r["patent_type"]] for r in rows],
            headers["filing_date"]: [date(r["filing_date"]) for r in rows],
            headers["grant_date"]: [date(r["grant_date"]) for r in rows],
            headers["status"]: [statuses[r["status"]] for r in rows],
            headers["ipc"]: [sep.join(r["ipc"]) for r in rows],
            headers["owner_country"]: [COUNTRY[layout][r["owner_country"]] for r in rows],
            headers["region"]: [PLACE[layout]] * len(rows),
        }
    )
    path = folder / f"{layout}.csv"
    frame.to_csv(path, index=False, encoding=encoding)
    return path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers(), st.sampled_from(sorted(LAYOUTS)))
def test_a_vendor_layout_never_changes_a_verdict(rows, layout):
    with tempfile.TemporaryDirectory() as folder:
        base = api.classify_file(_write(rows, "canonical", Path(folder)), AS_OF)
        other = api.classify_file(_write(rows, layout, Path(folder)), AS_OF)
    assert other.batch.rejected == 0
    columns = ["id", "eligible", "high_value", *base.prepared.criteria_ids]
    pd.testing.assert_frame_equal(base.verdicts[columns], other.verdicts[columns])
    assert [(r["region"], r["code"]) for r in other.to_json()["regions"]] == [("广州市", "440100")]
