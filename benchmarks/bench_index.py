"""Benchmark the index engine (not a test): 51 units × 49 indicators in 4 levels
(indicators → 7 pillars → 3 sub-indices → index), prepared (outlier treatment, mean
imputation), scored with every level's scores, ranks and contributions; then a sensitivity
analysis of N = 1,000 over the weights of three levels and two method alternatives
(normalisation, aggregation), each as a ratio against scoring once, in the same run; and the
CLI's wall time against its start-up.

    python benchmarks/bench_index.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ipscore.index.data import load_unit_data
from ipscore.index.score import score
from ipscore.index.sensitivity import analyse
from ipscore.spec import load_rule_file

UNITS, PILLARS, PER_PILLAR = 51, 7, 7
SUB_INDICES = [[0, 1, 2], [3, 4], [5, 6]]


def rule_dict() -> dict:
    def pillar(p: int) -> dict:
        return {
            "id": f"p{p}",
            "name": f"pillar {p}",
            "weight": {"value": 1, "confidence": "assumption"},
            "indicators": [
                {
                    "id": f"i{p}_{k}",
                    "name": f"indicator {p}.{k}",
                    "unit": "x",
                    "direction": "lower" if k == 6 else "higher",
                    "normalise": {"method": "min-max", "range": [1, 100]},
                    "weight": {"value": 1 + k % 3, "confidence": "assumption"},
                }
                for k in range(PER_PILLAR)
            ],
        }

    return {
        "id": "bench-51x49",
        "title": "benchmark",
        "title_en": "benchmark",
        "kind": "index",
        "official": False,
        "notice": "synthetic benchmark index",
        "source": {"document": "benchmark", "confidence": "unconfirmed"},
        "qualify": "total >= 50",
        "coverage": 0.5,
        "levels": [
            {"name": "pillars", "aggregate": "arithmetic"},
            {"name": "sub-indices", "aggregate": {"method": "geometric", "floor": 1}},
            {"name": "index", "aggregate": "arithmetic"},
        ],
        "prepare": [{"treat": {}}, {"impute": {"method": "mean"}}],
        "sensitivity": {
            "weights": {"method": "uniform", "noise": 0.25, "levels": [1, 2, 3]},
            "normalisations": ["min-max", "percentile"],
            "aggregations": ["arithmetic", {"method": "geometric", "floor": 1}],
        },
        "dimensions": [
            {
                "id": f"s{s}",
                "name": f"sub-index {s}",
                "weight": {"value": 1, "confidence": "assumption"},
                "dimensions": [pillar(p) for p in pillars],
            }
            for s, pillars in enumerate(SUB_INDICES)
        ],
    }


def write_inputs(folder: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(51)
    ids = [f"i{p}_{k}" for p in range(PILLARS) for k in range(PER_PILLAR)]
    values = rng.lognormal(3, 1, (UNITS, len(ids)))  # skewed, so treatment has work
    values[rng.random(values.shape) < 0.03] = np.nan
    rows = [
        (f"unit{u:02d}", ids[i], 2024, values[u, i])
        for u in range(UNITS)
        for i in range(len(ids))
        if np.isfinite(values[u, i])
    ]
    data = folder / "bench.csv"
    pd.DataFrame(rows, columns=["unit", "indicator", "year", "value"]).to_csv(data, index=False)
    rule = folder / "bench.yaml"
    rule.write_text(yaml.safe_dump(rule_dict(), allow_unicode=True), "utf-8")
    return rule, data


def best(action, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        timings.append(time.perf_counter() - began)
    return min(timings)


def wall(*args: str) -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ipscore", *args], check=True, capture_output=True)
    return time.perf_counter() - began


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rule_file, data_file = write_inputs(Path(tmp))
        rule = load_rule_file(rule_file)
        data = load_unit_data(data_file, rule)
        once = best(lambda: score(rule, data).to_json(), 7)
        cheapest = best(lambda: score(rule, data, with_cheapest=True), 3)
        result = score(rule, data)
        runs = 1000
        sensitivity = best(lambda: analyse(result, runs, 7), 3)
        scored = result.sensitivity["scored_runs"]
        start_up = min(wall("--help") for _ in range(5))
        cli = min(
            wall("score", str(rule_file), "--data", str(data_file), "--json") for _ in range(3)
        )
    print("51 units × 49 indicators, 4 levels, treatment + imputation; best of several runs")
    print(f"score once (every level, contributions, JSON): {once * 1000:8.1f} ms")
    print(
        f"+ cheapest next point for all 51 units:       {cheapest * 1000:8.1f} ms "
        f"({cheapest / once:.1f}×)"
    )
    print(
        f"sensitivity N = {runs:,} ({scored:,} runs scored: weights of 3 levels, "
        f"normalisation, aggregation): {sensitivity:6.2f} s = "
        f"{sensitivity / once:,.0f}× scoring once, "
        f"{sensitivity / scored * 1e6:.0f} µs a run"
    )
    print(
        f"CLI: `ipscore --help` {start_up:.2f} s; `ipscore score … --json` {cli:.2f} s "
        f"(+{cli - start_up:.2f} s beyond start-up)"
    )


if __name__ == "__main__":
    main()
