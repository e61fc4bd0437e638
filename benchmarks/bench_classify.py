"""Benchmark `ipscore classify` end to end on N synthetic patents (not a test).

    python benchmarks/bench_classify.py --rows 5000000 --repeat 5

Each repeat runs the real command in a fresh process (read Parquet, validate, classify,
aggregate by region, JSON out) and records wall time and that process's peak RSS. In the
same run, as the reference, a naive per-row Python evaluation of the same rule (the scalar
evaluator, one record at a time) is timed on a sample of the same file and extrapolated.
The machine is noisy: compare the ratio, not the seconds, across runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_patents import make  # noqa: E402

from ipscore import api  # noqa: E402
from ipscore.expr import ScalarEvaluator  # noqa: E402
from ipscore.patents.classify import prepare  # noqa: E402

AS_OF = dt.date(2023, 12, 31)


def run_cli(path: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (GB) of one `ipscore classify` process."""
    command = [
        sys.executable,
        "-m",
        "ipscore",
        "classify",
        str(path),
        "--as-of",
        "2023-12-31",
        "--by",
        "region",
        "--population",
        str(api.DEMO_POPULATION),
        "--json",
    ]
    began = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - began
    if status != 0:
        raise SystemExit(f"ipscore classify failed with status {status}")
    return wall, usage.ru_maxrss / 1024 / 1024  # ru_maxrss is in KiB on Linux


def naive_seconds_per_row(path: Path, sample: int) -> float:
    """Per-row evaluation of the same rule with the scalar evaluator on `sample` rows."""
    batch = api.load_patents(path)
    prepared = prepare(api.resolve_rule("cn-high-value-invention"), AS_OF)
    conditions = [c.node for _, c in prepared.version.conditions]
    env = prepared.env
    began = time.perf_counter()
    for position in range(sample):
        record = batch.record(position)
        for node in conditions:
            ScalarEvaluator(record, env).truth(node)
    return (time.perf_counter() - began) / sample


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sample", type=int, default=20_000)
    args = parser.parse_args()
    path = HERE / "out" / f"patents-{args.rows}.parquet"
    if not path.exists():
        make(args.rows, path)
    runs = [run_cli(path) for _ in range(args.repeat)]
    per_row = naive_seconds_per_row(path, args.sample)
    walls = [w for w, _ in runs]
    median = statistics.median(walls)
    naive_total = per_row * args.rows
    print(f"rows: {args.rows:,}  (python {sys.version.split()[0]}, {os.cpu_count()} cores)")
    print(f"ipscore classify wall s: {', '.join(f'{w:.2f}' for w in walls)}")
    print(
        f"  median {median:.2f} s, best {min(walls):.2f} s, "
        f"peak RSS max {max(r for _, r in runs):.2f} GB"
    )
    print(
        f"naive per-row reference: {1 / per_row:,.0f} rows/s on {args.sample:,} rows "
        f"→ {naive_total:,.0f} s for {args.rows:,} (extrapolated)"
    )
    print(f"speed-up vs naive (median): {naive_total / median:,.0f}×")


if __name__ == "__main__":
    main()
