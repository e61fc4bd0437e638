"""Benchmark `advise` against `classify` on the same N synthetic patents, same run (not a test).

    python benchmarks/bench_advise.py --rows 1000000 --repeat 3

The register is read and validated once; then, alternating, each repeat times
- classify: prepare + the vectorized evaluation + the summary (`api.classify(...).to_json()`);
- advise: classification at as_of, every path of every eligible non-high-value patent,
  the risks, and the projection to --until by region and year-end on both bases
  (`api.advise(...)`, the columns the reports are built from);
- advise --json: the same plus nesting the paths per patent (`Advice.to_json()`).
The ratio advise / classify is what to compare across machines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_patents import make  # noqa: E402

from ipscore import api  # noqa: E402

AS_OF = dt.date(2023, 12, 31)
UNTIL = dt.date(2025, 12, 31)


def timed(function) -> tuple[float, object]:
    began = time.perf_counter()
    value = function()
    return time.perf_counter() - began, value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "patents.parquet"
        make(args.rows, path)
        batch = api.load_patents(path)
    rule = api.patent_rule("cn-high-value-invention")
    population = api.DEMO_POPULATION
    times: dict[str, list[float]] = {"classify": [], "advise": [], "advise --json": []}
    for _ in range(args.repeat):
        seconds, _ = timed(
            lambda: api.classify(batch, rule, AS_OF, None, None, population).to_json()
        )
        times["classify"].append(seconds)
        seconds, advice = timed(
            lambda: api.advise(batch, rule, AS_OF, UNTIL, None, None, population, "gz-14th-ip")
        )
        times["advise"].append(seconds)
        seconds, _ = timed(advice.to_json)
        times["advise --json"].append(times["advise"][-1] + seconds)
    counts = advice.counts()
    print(
        f"{args.rows:,} patents; {counts['eligible']:,} eligible, "
        f"{counts['high_value']:,} high-value, {len(advice.paths):,} paths, "
        f"{len(advice.risks):,} risks, {len(advice.projection):,} projection rows"
    )
    base = statistics.median(times["classify"])
    print("| what | runs (s) | median (s) | ratio to classify |")
    print("|---|---|---|---|")
    for name, runs in times.items():
        median = statistics.median(runs)
        runs_text = ", ".join(f"{r:.2f}" for r in runs)
        print(f"| {name} | {runs_text} | {median:.2f} | {median / base:.1f}× |")


if __name__ == "__main__":
    main()
