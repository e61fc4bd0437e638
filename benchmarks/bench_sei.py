"""Benchmark the 战略性新兴产业 step with the real 2021 table (not a test).

    python benchmarks/bench_sei.py --rows 5000000

Part 1, in process: registers whose IPC lists hold 70,000 and 1,000,000 distinct codes
(codes drawn from the subclasses the table names, so many of them match). It times the
SEI step alone (matching the distinct codes against the 303 rules, then the per-row bit
sets) against the whole classification of the same batch, in the same run.

Part 2, fresh processes: `ipscore classify` of the --rows SYNTHETIC Parquet register of
bench_classify.py with the real table (the default) and with the old 8-row sample table
(tests/fixtures/sei-ipc-sample.csv via --sei-table), alternating, in the same run.
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

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_patents import make  # noqa: E402

from ipscore import api  # noqa: E402
from ipscore.expr.columns import ListColumn  # noqa: E402
from ipscore.patents.classify import prepare  # noqa: E402
from ipscore.patents.validate import PatentBatch  # noqa: E402

AS_OF = dt.date(2023, 12, 31)
SAMPLE = HERE.parent / "tests" / "fixtures" / "sei-ipc-sample.csv"


def distinct_codes(n: int, rng: np.random.Generator, table) -> np.ndarray:
    """n distinct canonical codes: subclasses the table names, random groups/subgroups."""
    keys = table.patterns["key"].to_numpy()
    subclasses = np.unique([k[:4] for k in keys if len(k) >= 4])
    codes: set[str] = set()
    while len(codes) < n:
        m = (n - len(codes)) * 2
        sc = rng.choice(subclasses, m)
        group = rng.integers(1, 120, m)
        sub = rng.integers(0, 9999, m)
        codes.update(
            f"{s} {g}/{str(x).rstrip('0').ljust(2, '0')}"
            for s, g, x in zip(sc, group, sub, strict=True)
        )
    return np.array(sorted(codes)[:n], dtype=object)


def batch_with(codes: np.ndarray, rows: int, rng: np.random.Generator) -> PatentBatch:
    """The demo register's first rows, repeated to `rows`, with 1–6 of `codes` each."""
    demo = api.load_patents(api.DEMO_PATENTS)
    take = np.arange(rows) % len(demo)
    batch = demo.take(take)
    lengths = rng.integers(1, 7, rows)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    picks = rng.integers(0, len(codes), offsets[-1]).astype(np.int32)
    picks[: len(codes)] = np.arange(len(codes))  # every code used at least once
    batch.columns["ipc"] = ListColumn(codes, picks, offsets)
    return batch


def in_process(n_codes: int, rows: int) -> None:
    rng = np.random.default_rng(n_codes)
    rule = api.patent_rule("cn-high-value-invention")
    prepared = prepare(rule, AS_OF)
    table = prepared.tables["sei-ipc"]
    codes = distinct_codes(n_codes, rng, table)
    batch = batch_with(codes, rows, rng)
    began = time.perf_counter()
    api.classify(batch, rule, AS_OF)
    whole = time.perf_counter() - began
    batch.columns["ipc"].cache.clear()
    began = time.perf_counter()
    bits = table.row_bits(batch.columns["ipc"], "ignore", None, None)
    sei = time.perf_counter() - began
    share = float((table.code_bits(codes).plain != 0).mean())
    print(
        f"{n_codes:>9,} distinct codes, {rows:,} rows ({share:.0%} of codes in the table, "
        f"{(bits != 0).mean():.0%} of rows): SEI step {sei:.2f} s; whole classify "
        f"(incl. the SEI step, industries and caliber range) {whole:.2f} s; "
        f"SEI / rest = {sei / max(whole - sei, 1e-9):.2f}"
    )


def run_cli(path: Path, table: Path | None) -> tuple[float, float]:
    command = [sys.executable, "-m", "ipscore", "classify", str(path), "--as-of", "2023-12-31"]
    command += ["--json"] + (["--sei-table", str(table)] if table else [])
    began = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"ipscore classify failed with status {status}")
    return time.perf_counter() - began, usage.ru_maxrss / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    in_process(70_000, 1_000_000)
    in_process(1_000_000, 2_000_000)
    path = HERE / "out" / f"patents-{args.rows}.parquet"
    if not path.exists():
        make(args.rows, path)
    real, sample = [], []
    for _ in range(args.repeat):
        real.append(run_cli(path, None))
        sample.append(run_cli(path, SAMPLE))
    r, s = statistics.median(w for w, _ in real), statistics.median(w for w, _ in sample)
    print(f"classify {args.rows:,} rows, real table:   {', '.join(f'{w:.2f}' for w, _ in real)} s")
    print(
        f"classify {args.rows:,} rows, sample table: {', '.join(f'{w:.2f}' for w, _ in sample)} s"
    )
    print(
        f"median real / sample = {r / s:.2f}; peak RSS {max(m for _, m in real):.2f} GB "
        f"vs {max(m for _, m in sample):.2f} GB"
    )


if __name__ == "__main__":
    main()
