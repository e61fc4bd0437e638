"""Bulk classify on real-shaped registers: ipscore against a hand-written DuckDB query,
measured in the same run (issue 11).

Each run is its own subprocess; wall time is the median of --repeats runs and peak memory
the child's max RSS (os.wait4). The two engines alternate, so machine load hits both alike.
The answers must agree (read, rejected, evaluated, eligible, high_value, the five criteria,
high-value patents per city); a difference is printed and makes the exit status 1.

    python benchmarks/bench_bulk.py --rows 5000000 --cases parquet,csv,stress
    python benchmarks/bench_bulk.py --rows 5000000 --chunk-rows 1000000   # if classify has it
    python benchmarks/bench_bulk.py --xlsx-rows 1000000 --cases xlsx

Inputs come from benchmarks/make_real_register.py (written once into --out-dir, reused).
Results: a markdown table on stdout and in <out-dir>/bench-bulk-<rows>.md, raw numbers in
<out-dir>/bench-bulk-<rows>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
CASES = ("parquet", "csv", "stress", "xlsx")


def measure(command: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a command; its wall time, peak RSS (MiB), exit status and stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        began = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - began
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {
            "wall": wall,
            "rss_mib": usage.ru_maxrss / 1024,  # Linux reports KiB
            "status": child.returncode,
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": err.read().decode("utf-8", "replace")[-2000:],
        }


def ipscore_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def ipscore_command(path: Path, as_of: str, chunk_rows: int | None, out: Path | None = None):
    command = [sys.executable, "-m", "ipscore", "classify", str(path), "--as-of", as_of]
    if chunk_rows:
        command += ["--chunk-rows", str(chunk_rows)]
    if out is not None:
        return [*command, "--out", str(out)]
    return [*command, "--json"]


def duckdb_command(path: Path, as_of: str) -> list[str]:
    return [sys.executable, str(HERE / "duckdb_reference.py"), str(path), "--as-of", as_of]


def has_chunk_rows() -> bool:
    """Whether this ipscore's classify takes --chunk-rows (the issue-11 engine adds it)."""
    found = subprocess.run(
        [sys.executable, "-m", "ipscore", "classify", "--help"],
        capture_output=True,
        text=True,
        env={**ipscore_env(), "COLUMNS": "200"},
    )
    return "--chunk-rows" in found.stdout


def comparable_ipscore(answer: dict[str, Any]) -> dict[str, Any]:
    regions: dict[str, int] = {}
    for region in answer["regions"]:
        # Several GB/T 2260 rows can carry one name (北京市 as province 110000 and as city
        # 110100): the DuckDB reference groups by the 市 name, so sum by name here.
        if region["region"] != "(none)" and region["high_value"]:
            regions[region["region"]] = regions.get(region["region"], 0) + region["high_value"]
    return {
        **{k: answer[k] for k in ("read", "rejected", "evaluated", "eligible", "high_value")},
        "criteria": answer["criteria"],
        "regions": regions,
    }


def comparable_duckdb(answer: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: answer[k] for k in ("read", "rejected", "evaluated", "eligible", "high_value")},
        "criteria": answer["criteria"],
        "regions": {k: v for k, v in answer["regions"].items() if v},
    }


def differences(ours: dict[str, Any], reference: dict[str, Any]) -> list[str]:
    found = []
    for key in ("read", "rejected", "evaluated", "eligible", "high_value"):
        if ours[key] != reference[key]:
            found.append(f"{key}: ipscore {ours[key]} vs DuckDB {reference[key]}")
    for name in sorted(set(ours["criteria"]) | set(reference["criteria"])):
        a, b = ours["criteria"].get(name), reference["criteria"].get(name)
        if a != b:
            found.append(f"criteria.{name}: ipscore {a} vs DuckDB {b}")
    for city in sorted(set(ours["regions"]) | set(reference["regions"])):
        a, b = ours["regions"].get(city, 0), reference["regions"].get(city, 0)
        if a != b:
            found.append(f"regions.{city}: ipscore {a} vs DuckDB {b}")
    return found


def input_file(case: str, rows: int, out_dir: Path) -> Path:
    """The register for a case, generated once (benchmarks/make_real_register.py)."""
    stress = case == "stress"
    suffix = ".csv" if case == "csv" else ".parquet"
    path = out_dir / f"real-{rows}{'-stress' if stress else ''}{suffix}"
    if not path.exists():
        command = [
            sys.executable,
            str(HERE / "make_real_register.py"),
            "--rows",
            str(rows),
            "--out-dir",
            str(out_dir),
        ] + (["--stress"] if stress else [])
        print("generating:", shlex.join(command), file=sys.stderr)
        subprocess.run(command, check=True, env=ipscore_env())
    return path


def run_case(case: str, path: Path, args, chunk_rows: int | None) -> dict[str, Any]:
    engines = {
        "ipscore": ipscore_command(path, args.as_of, chunk_rows),
        "duckdb": duckdb_command(path, args.as_of),
    }
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in engines}
    load_before = os.getloadavg()
    for repeat in range(args.repeats):
        order = list(engines) if repeat % 2 == 0 else list(reversed(engines))
        for name in order:
            result = measure(engines[name], ipscore_env())
            if result["status"] != 0:
                raise SystemExit(f"{name} failed on {path}: {result['stderr']}")
            runs[name].append(result)
            print(
                f"  {case} {name} run {repeat + 1}: {result['wall']:.1f} s, "
                f"{result['rss_mib']:.0f} MiB (load {os.getloadavg()[0]:.2f})",
                file=sys.stderr,
            )
    ours = comparable_ipscore(json.loads(runs["ipscore"][-1]["stdout"]))
    reference = comparable_duckdb(json.loads(runs["duckdb"][-1]["stdout"]))
    summary = {
        "case": case,
        "file": str(path),
        "chunk_rows": chunk_rows,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "answers": {"ipscore": ours, "duckdb": reference},
        "differences": differences(ours, reference),
        "commands": {name: shlex.join(command) for name, command in engines.items()},
    }
    for name, results in runs.items():
        summary[name] = {
            "walls": [round(r["wall"], 2) for r in results],
            "wall": statistics.median(r["wall"] for r in results),
            "rss_mib": statistics.median(r["rss_mib"] for r in results),
        }
    summary["wall_ratio"] = summary["ipscore"]["wall"] / summary["duckdb"]["wall"]
    summary["rss_ratio"] = summary["ipscore"]["rss_mib"] / summary["duckdb"]["rss_mib"]
    return summary


def run_xlsx(path: Path, args, chunk_rows: int | None) -> dict[str, Any]:
    """`--out x.xlsx` for the register: wall time and peak RSS (one run: it is long)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "verdicts.xlsx"
        load_before = os.getloadavg()
        result = measure(ipscore_command(path, args.as_of, chunk_rows, out), ipscore_env())
        size = out.stat().st_size if out.exists() else None
    return {
        "case": "xlsx",
        "file": str(path),
        "chunk_rows": chunk_rows,
        "status": result["status"],
        "stderr": result["stderr"] if result["status"] else "",
        "wall": result["wall"],
        "rss_mib": result["rss_mib"],
        "xlsx_bytes": size,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "command": shlex.join(ipscore_command(path, args.as_of, chunk_rows, Path("x.xlsx"))),
    }


def markdown(results: list[dict[str, Any]], rows: int, command: str) -> str:
    lines = [
        f"`{command}` — {rows:,} rows, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} cores. Wall: median of the runs; memory: peak RSS of the process.",
        "",
        "| input | chunk rows | ipscore wall s | DuckDB wall s | ipscore / DuckDB, wall "
        "| ipscore MiB | DuckDB MiB | memory, ipscore / DuckDB | same answers "
        "| load 1-min before → after |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    if all(r["case"] == "xlsx" for r in results):
        lines = lines[:2]
    for r in results:
        if r["case"] == "xlsx":
            continue
        lines.append(
            f"| {r['case']} | {r['chunk_rows'] or '—'} | {r['ipscore']['wall']:.1f} "
            f"| {r['duckdb']['wall']:.1f} | **{r['wall_ratio']:.2f}** "
            f"| {r['ipscore']['rss_mib']:.0f} | {r['duckdb']['rss_mib']:.0f} "
            f"| **{r['rss_ratio']:.2f}** | {'yes' if not r['differences'] else 'NO'} "
            f"| {r['load_before'][0]:.2f} → {r['load_after'][0]:.2f} |"
        )
    for r in results:
        if r["case"] == "xlsx":
            lines += [
                "",
                f"`--out x.xlsx` ({r['command']}): {r['wall']:.1f} s, {r['rss_mib']:.0f} MiB peak, "
                f"exit {r['status']}, load {r['load_before'][0]:.2f} → {r['load_after'][0]:.2f}.",
            ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--cases", default="parquet,csv,stress", help=f"any of {','.join(CASES)}")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--as-of", default="2024-12-31")
    parser.add_argument("--out-dir", type=Path, default=HERE / "out")
    parser.add_argument(
        "--chunk-rows",
        type=int,
        default=None,
        help="also pass --chunk-rows N to ipscore (only if its classify has the option)",
    )
    parser.add_argument("--xlsx-rows", type=int, default=1_000_000, help="rows for the xlsx case")
    args = parser.parse_args()
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {unknown}; choose from {', '.join(CASES)}")
    chunk_rows = args.chunk_rows
    if chunk_rows and not has_chunk_rows():
        print("ipscore classify has no --chunk-rows here: measuring without it", file=sys.stderr)
        chunk_rows = None
    args.out_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for case in cases:
        if case == "xlsx":
            path = input_file("parquet", args.xlsx_rows, args.out_dir)
            results.append(run_xlsx(path, args, chunk_rows))
        else:
            results.append(
                run_case(case, input_file(case, args.rows, args.out_dir), args, chunk_rows)
            )
        for difference in results[-1].get("differences", []):
            print(f"  MISMATCH {case}: {difference}", file=sys.stderr)
    command = "python benchmarks/bench_bulk.py " + shlex.join(sys.argv[1:])
    table = markdown(results, args.rows, command.strip())
    print(table)
    stem = args.out_dir / f"bench-bulk-{args.rows}{'-chunked' if chunk_rows else ''}"
    stem.with_suffix(".md").write_text(table, encoding="utf-8")
    stem.with_suffix(".json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    if any(r.get("differences") for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
