"""Benchmark a 20-value parameter sweep over N synthetic patents (not a test).

    python benchmarks/bench_sweep.py --rows 1000000

Times `ipscore.scenarios.solve.sweep` end to end in-process (read and parse the Parquet
file once, then 20 evaluations that re-use the parsed data, the IPC matching and every
condition the threshold does not touch). The reference, in the same run, is the same
evaluation done from scratch (read + classify) for a few values, extrapolated to 20.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_patents import make  # noqa: E402

from ipscore import api  # noqa: E402
from ipscore.scenarios.models import Scenario  # noqa: E402
from ipscore.scenarios.solve import sweep  # noqa: E402

KEY = "cn-high-value-invention.pledge_threshold"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--values", type=int, default=20)
    parser.add_argument("--reference-runs", type=int, default=3)
    args = parser.parse_args()
    path = HERE / "out" / f"patents-{args.rows}.parquet"
    if not path.exists():
        make(args.rows, path)
    scenario = Scenario(
        id="bench",
        title="bench",
        base={
            "evaluate": "classify",
            "patents": str(path),
            "as_of": "2023-12-31",
            "population": str(api.DEMO_POPULATION),
        },
    )
    values = [100.0 * i for i in range(args.values)]
    began = time.perf_counter()
    rows = sweep(scenario, KEY, values, ["high_value"])
    swept = time.perf_counter() - began

    rule = api.resolve_rule("cn-high-value-invention")
    began = time.perf_counter()
    for value in values[: args.reference_runs]:
        api.classify(
            api.load_patents(path),
            rule,
            dt.date(2023, 12, 31),
            {"pledge_threshold": value},
            None,
            api.DEMO_POPULATION,
        ).to_json()
    per_run = (time.perf_counter() - began) / args.reference_runs
    print(f"rows: {args.rows:,}, values: {len(values)}")
    print(
        f"sweep (parsed once, re-use): {swept:.2f} s "
        f"({swept / len(values):.3f} s per value, first load included)"
    )
    print(
        f"from scratch: {per_run:.2f} s per value → {per_run * len(values):.1f} s for "
        f"{len(values)} (extrapolated from {args.reference_runs})"
    )
    print(f"speed-up: {per_run * len(values) / swept:.1f}×")
    print(f"high_value from {rows[0]['high_value']:,} to {rows[-1]['high_value']:,}")


if __name__ == "__main__":
    main()
