"""Charts of a command's --json result, declared with Vega-Altair and drawn to static SVG
by vl-convert (Vega's own renderer in an embedded engine: no browser, no network, no
JavaScript in the page). Each function returns (title, Altair chart) pairs; the ones a
result has no data for are left out."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import vl_convert

#: Vega's font for every label: common CJK system fonts first, so 中文 renders offline.
FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, SimHei, sans-serif"
CONFIG = {"font": FONT, "view": {"stroke": None}}
Chart = tuple[str, alt.TopLevelMixin]


def to_svg(chart: alt.TopLevelMixin) -> str:
    return vl_convert.vegalite_to_svg(chart.to_dict(), config=CONFIG)


def _bars(frame: pd.DataFrame, x: str, y: str, x_title: str, y_title: str) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:Q", title=x_title),
            y=alt.Y(f"{y}:N", sort="-x", title=y_title),
            tooltip=[y, x],
        )
        .properties(width=420)
    )


def classify_charts(data: dict[str, Any]) -> list[Chart]:
    charts: list[Chart] = []
    criteria = pd.DataFrame(
        {
            "criterion": list(data.get("criteria", {})),
            "count": list(data.get("criteria", {}).values()),
        }
    )
    if len(criteria):
        charts.append(("Criteria 各条件件数", _bars(criteria, "count", "criterion", "patents", "")))
    overlap = data.get("overlap") or {}
    if overlap:
        frame = pd.DataFrame(
            {"criteria met": [f"{k} criteria" for k in overlap], "patents": list(overlap.values())}
        )
        charts.append(
            ("Overlap 满足条件数", _bars(frame, "patents", "criteria met", "patents", ""))
        )
    regions = pd.DataFrame(data.get("regions") or [])
    if len(regions):
        per_10k = "per_10k" in regions and regions["per_10k"].notna().any()
        measure = "per_10k" if per_10k else "high_value"
        title = "每万人口高价值发明专利 by region" if per_10k else "高价值发明专利 by region"
        charts.append(
            (title, _bars(regions.dropna(subset=[measure]), measure, "region", measure, ""))
        )
    return charts


def monitor_charts(data: dict[str, Any]) -> list[Chart]:
    rows = []
    for item in data.get("indicators") or []:
        share = item.get("progress") if item.get("progress") is not None else item.get("attainment")
        if share is None:
            continue
        rows.append(
            {
                "indicator": item.get("name") or item.get("id"),
                "progress": share,
                "序时进度": item.get("elapsed"),
                "status": item.get("status"),
            }
        )
    if not rows:
        return []
    frame = pd.DataFrame(rows)
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("progress:Q", axis=alt.Axis(format="%"), title="progress 进度 / 完成率"),
            y=alt.Y("indicator:N", title=""),
            color=alt.Color("status:N"),
            tooltip=["indicator", "progress", "序时进度", "status"],
        )
    )
    ticks = (
        alt.Chart(frame.dropna(subset=["序时进度"]))
        .mark_tick(color="black", thickness=3, size=22)
        .encode(x="序时进度:Q", y="indicator:N")
    )
    return [("Plan progress against 序时进度 (tick)", (bars + ticks).properties(width=420))]


def score_charts(data: dict[str, Any]) -> list[Chart]:
    units = pd.DataFrame(data.get("units") or [])
    if units.empty or "rank" not in units:
        return []
    if "rank_interval" in units and units["rank_interval"].notna().any():
        interval = units["rank_interval"].map(lambda r: r if isinstance(r, list) else [None, None])
        units["low"] = interval.map(lambda r: r[0])
        units["high"] = interval.map(lambda r: r[1])
    else:
        units["low"] = units["high"] = units["rank"]
    frame = units[["unit", "rank", "low", "high", "score"]]
    axis = alt.Y("unit:N", sort=alt.EncodingSortField("rank"), title="")
    rule = (
        alt.Chart(frame)
        .mark_rule(strokeWidth=2)
        .encode(
            x=alt.X(
                "low:Q", scale=alt.Scale(reverse=True), title="rank 排名 (interval: sensitivity)"
            ),
            x2="high:Q",
            y=axis,
        )
    )
    point = (
        alt.Chart(frame)
        .mark_point(filled=True, size=70)
        .encode(x="rank:Q", y=axis, tooltip=["unit", "rank", "low", "high", "score"])
    )
    ends = [
        alt.Chart(frame).mark_tick(thickness=2, size=12).encode(x=f"{end}:Q", y=axis)
        for end in ("low", "high")  # visible even when the interval is a single rank
    ]
    layered = alt.layer(rule, *ends, point).properties(width=420)
    return [("Index ranks with uncertainty intervals 排名区间", layered)]


def sweep_charts(data: dict[str, Any]) -> list[Chart]:
    rows = pd.DataFrame(data.get("rows") or [])
    if rows.empty or "value" not in rows:
        return []
    metrics = [c for c in rows.columns if c != "value" and pd.api.types.is_numeric_dtype(rows[c])]
    if not metrics:
        return []
    long = rows.melt("value", value_vars=metrics, var_name="metric", value_name="result")
    chart = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("value:Q", title=str(data.get("vary", "value"))),
            y=alt.Y("result:Q", title="", scale=alt.Scale(zero=False)),
            color=alt.Color("metric:N", legend=None),
            tooltip=["value", "metric", "result"],
        )
        .properties(width=420, height=160)
        .facet(row=alt.Row("metric:N", title=""))
        .resolve_scale(y="independent")  # each metric on its own axis: small moves show
    )
    return [("Sweep 参数扫描", chart)]


def whatif_charts(data: dict[str, Any]) -> list[Chart]:
    base, result = data.get("baseline") or {}, data.get("result") or {}
    if not (base.get("regions") and result.get("regions")):
        return classify_charts(result) if result.get("criteria") else []
    frame = pd.concat(
        [
            pd.DataFrame(base["regions"]).assign(run="baseline"),
            pd.DataFrame(result["regions"]).assign(run="scenario"),
        ]
    )
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("high_value:Q", title="high-value patents"),
            y=alt.Y("run:N", title=""),
            row=alt.Row("region:N", title="", header=alt.Header(labelAngle=0, labelAlign="left")),
            color="run:N",
        )
    )
    return [("Baseline vs scenario by region 情景对比", chart.properties(width=360))]


def advise_charts(data: dict[str, Any]) -> list[Chart]:
    frame = pd.DataFrame(data.get("projection") or [])
    if frame.empty:
        return []
    last = frame[frame["date"] == frame["date"].max()]
    top = last[last["basis"] == "all_annuities_paid"].nlargest(6, "high_value")["region"]
    shown = frame[frame["region"].isin(top)].copy()
    per_10k = shown["per_10k"].notna().all()
    measure = "per_10k" if per_10k else "high_value"
    lines = (
        alt.Chart(shown)
        .mark_line(point=True)
        .encode(
            x=alt.X("date:O", title="year-end 年末", axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{measure}:Q", title=measure),
            color=alt.Color("region:N"),
            strokeDash=alt.StrokeDash("basis:N"),
            tooltip=["region", "date", "basis", "high_value", "per_10k"],
        )
    )
    charts: list[Chart] = [
        ("Projection 预测 (solid: all annuities paid)", lines.properties(width=420))
    ]
    plan = data.get("plan")
    if plan and per_10k:
        ours = frame[frame["region"] == plan["region"]]
        target = pd.DataFrame({"target": [plan["target"]]})
        line = (
            alt.Chart(ours)
            .mark_line(point=True)
            .encode(
                x=alt.X("date:O", title="year-end 年末", axis=alt.Axis(labelAngle=0)),
                y=alt.Y("per_10k:Q", title="每万人口高价值发明专利"),
                strokeDash="basis:N",
            )
        )
        rule = alt.Chart(target).mark_rule(color="red").encode(y="target:Q")
        charts.append(
            (
                f"{plan['region']} against the plan target "
                f"{plan['target']:g} ({plan['target_year']})",
                (line + rule).properties(width=420),
            )
        )
    return charts


CHARTS = {
    "classify": classify_charts,
    "demo": classify_charts,
    "monitor": monitor_charts,
    "score": score_charts,
    "sweep": sweep_charts,
    "whatif": whatif_charts,
    "advise": advise_charts,
}


def charts_for(kind: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    """(title, SVG text) of every chart the result has data for."""
    return [(title, to_svg(chart)) for title, chart in CHARTS.get(kind, lambda d: [])(data)]
