"""What the joins (--awards/--pledges/--families) and region resolution add to classify.

python benchmarks/bench_registers.py --rows 5000000

Everything in one process and one run: the register is read and validated once, then
classified without lists and with them, alternately, `--repeat` times. Region resolution is
timed on its own (it is part of every classification). The lists are built from register
ids written the way published lists write them (ZL prefix, check digit after a dot), plus
unmatched and malformed rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ipscore import api
from ipscore.patents.summary import Classification

HERE = Path(__file__).resolve().parent
AS_OF = dt.date(2023, 12, 31)


def _lists(ids: pd.Series, folder: Path, seed: int = 3) -> dict[str, Path]:
    rng = np.random.default_rng(seed)
    digits = ids.str.slice(2)
    spelled = "ZL" + digits.str.slice(0, 12) + "." + digits.str.slice(12)
    pick = lambda n: spelled.iloc[rng.choice(len(ids), n, replace=False)].to_numpy()  # noqa: E731
    awards = pd.DataFrame(
        {
            "专利号": [*pick(10_000), "ZL209999999999.1", "ZL2018"],
            "奖项": ["第二十五届中国专利金奖"] * 10_000 + ["中国专利银奖", "中国专利金奖"],
        }
    )
    pledges = pd.DataFrame(
        {"专利号": pick(100_000), "质押金额": rng.integers(10, 3000, 100_000), "日期": "2022-05-01"}
    )
    families = pd.DataFrame(
        {
            "专利号": pick(200_000),
            "国家/地区": rng.choice(["US", "EP", "JP", "WO", "KR"], 200_000),
            "是否授权": rng.choice(["是", "否"], 200_000),
        }
    )
    paths = {}
    for name, frame in (("awards", awards), ("pledges", pledges), ("families", families)):
        paths[name] = folder / f"{name}.csv"
        frame.to_csv(paths[name], index=False)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = HERE / "out" / f"patents-{args.rows}.parquet"
    if not path.exists():
        from make_patents import make

        make(args.rows, path)
    began = time.perf_counter()
    batch = api.load_patents(path)
    load = time.perf_counter() - began
    lists = _lists(batch.columns["id"], path.parent)
    rule = api.patent_rule("cn-high-value-invention")
    plain, joined, regions = [], [], []
    for _ in range(args.repeat):
        began = time.perf_counter()
        result = api.classify(batch, rule, AS_OF)
        plain.append(time.perf_counter() - began)
        began = time.perf_counter()
        Classification._regions(result)
        regions.append(time.perf_counter() - began)
        began = time.perf_counter()
        with_lists = api.classify(batch, rule, AS_OF, lists=lists)
        joined.append(time.perf_counter() - began)
    p, j, r = (statistics.median(x) for x in (plain, joined, regions))
    print(f"rows: {args.rows:,} (python {sys.version.split()[0]}); read+validate {load:.2f} s")
    print(f"classify without lists, s: {', '.join(f'{x:.2f}' for x in plain)}")
    print(f"classify with 3 lists,  s: {', '.join(f'{x:.2f}' for x in joined)}")
    print(f"region resolution alone, s: {', '.join(f'{x:.3f}' for x in regions)}")
    print(f"joins add {j - p:.2f} s = {j / p:.2f}× classify; regions are {r / p:.1%} of it")
    print(f"joins: {[(x['list'], x['rows'], x['matched']) for x in with_lists.joins]}")
    print(f"high-value without / with lists: {result.high_value:,} / {with_lists.high_value:,}")


if __name__ == "__main__":
    main()
