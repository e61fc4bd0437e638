"""Classify a register chunk by chunk, on this machine's cores or on a Dask cluster.

`classify_chunk` is the one per-chunk function: pure, with a fixed output (a `Tally`, the
chunk's rejects, its verdict rows for --out, and the content hashes of rows whose id
repeats). The driver reads chunks in file order, runs them (two threads, or Dask tasks),
takes results back IN ORDER, writes --out and --rejects as it goes, and adds the tallies:
the sum is exactly the single-pass answer (tests/test_bulk.py checks it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ipscore.bulk.chunks import CSV_SUFFIXES, Chunk, read_chunks
from ipscore.bulk.ids import Repeats, find_repeats
from ipscore.bulk.threads import ordered_map
from ipscore.errors import InputError
from ipscore.patents.classify import Prepared, evaluate
from ipscore.patents.population import Population
from ipscore.patents.readers import check_spanning_fields
from ipscore.patents.summary import Classification, industry_labels, tally_of
from ipscore.patents.tally import Tally
from ipscore.patents.validate import (
    REJECT_COLUMNS,
    content_columns,
    content_hashes,
    normalize_ids,
    repeat_reasons,
    validate,
)
from ipscore.report.export import TableSink

#: Rows a chunk: ~0.5 GB of working memory per chunk in flight on real-shaped registers.
CHUNK_ROWS = 500_000
#: Reject rows kept in memory for the terminal and the reports (--rejects has them all).
KEPT_REJECTS = 100_000


@dataclass(frozen=True)
class ChunkJob:
    """What every chunk is evaluated with (sent once to each Dask worker)."""

    prepared: Prepared
    source: str
    want_verdicts: bool


@dataclass
class ChunkResult:
    tally: Tally
    rejects: pd.DataFrame
    verdicts: pd.DataFrame | None
    #: Rows whose id repeats: row, id, content hash (first occurrences and later ones).
    repeated: pd.DataFrame
    #: Optional columns the register does not have.
    absent: list[str]


def classify_chunk(
    chunk: Chunk, job: ChunkJob, later: np.ndarray, firsts: np.ndarray
) -> ChunkResult:
    """Validate and evaluate one chunk. `later` are positions whose id an earlier row of
    the register has (rejected; the driver words the reason), `firsts` positions that are
    the first of a repeated id."""
    frame = chunk.frame
    if chunk.line_breaks and Path(job.source).suffix.lower() in CSV_SUFFIXES:
        check_spanning_fields(Path(job.source), frame, chunk.first_line)
    batch = validate(frame, job.source, chunk.first_row, repeated=later, parallel=False)
    verdicts = evaluate(batch, job.prepared)
    bits, tally = tally_of(batch, verdicts, job.prepared)
    if job.want_verdicts and bits is not None:
        verdicts["sei_industries"] = industry_labels(job.prepared, bits)
    positions = np.sort(np.concatenate([later, firsts])).astype(np.int64)
    others = content_columns(frame)
    repeated = pd.DataFrame(
        {
            "row": positions + chunk.first_row,
            "id": normalize_ids(frame["id"].iloc[positions].reset_index(drop=True)).to_numpy(
                dtype=object
            )
            if "id" in frame
            else [],
            "content": content_hashes(frame[others], positions)
            if len(positions)
            else np.zeros(0, np.uint64),
        }
    )
    return ChunkResult(
        tally, batch.rejects, verdicts if job.want_verdicts else None, repeated, batch.absent
    )


@dataclass
class RegisterSummary:
    """What a chunked run knows of its register: a PatentBatch's summary attributes."""

    source: str
    read: int
    evaluated: int
    rejects: pd.DataFrame
    absent: list[str]
    warnings: list[dict[str, Any]] = field(default_factory=list)
    #: Reject rows beyond KEPT_REJECTS, in --rejects only.
    rejects_not_kept: int = 0

    def __len__(self) -> int:
        return self.evaluated

    @property
    def rejected(self) -> int:
        return self.read - self.evaluated


class _RepeatReasons:
    """Words each later occurrence's reject once the first occurrence's content is known
    (chunks arrive in file order, so every first occurrence comes before its repeats)."""

    def __init__(self, repeats: Repeats):
        self.first_of = pd.Series(repeats.first_of_later, index=repeats.later)
        #: Content hash of each first occurrence seen so far, by its row.
        self.first_content = pd.Series(dtype=np.uint64)

    def rejects(self, repeated: pd.DataFrame) -> pd.DataFrame:
        first = self.first_of.reindex(repeated["row"].to_numpy())
        is_later = first.notna().to_numpy()
        firsts = repeated[~is_later]
        self.first_content = pd.concat(
            [self.first_content, pd.Series(firsts["content"].to_numpy(), index=firsts["row"])]
        )
        later = repeated[is_later]
        first_rows = first.to_numpy()[is_later].astype(np.int64)
        same = self.first_content.reindex(first_rows).to_numpy() == later["content"].to_numpy()
        ids = later["id"].to_numpy(dtype=object)
        return pd.DataFrame(
            {
                "row": later["row"].to_numpy(dtype=np.int64),
                "id": ids,
                "column": "id",
                "value": ids.astype(str).astype(object),
                "reason": repeat_reasons(first_rows, same),
            },
            columns=REJECT_COLUMNS,
        )


Runner = Callable[[Iterator[tuple[Chunk, np.ndarray, np.ndarray]], ChunkJob], Iterator[ChunkResult]]


def run_threads(items, job: ChunkJob, workers: int = 2) -> Iterator[ChunkResult]:
    """Chunks on a thread pool, results in order, at most `workers + 1` chunks in memory."""
    return ordered_map(
        classify_chunk, ((chunk, job, later, firsts) for chunk, later, firsts in items), workers
    )


def run_dask(client) -> Runner:
    """Chunks as tasks of a Dask cluster; the job is scattered to the workers once."""

    def run(items, job: ChunkJob) -> Iterator[ChunkResult]:
        [shared] = client.scatter([job], broadcast=True)
        window = max(2, 2 * len(client.scheduler_info().get("workers", {})) or 2)
        pending: deque = deque()
        for chunk, later, firsts in items:
            # Scattered first: the chunk travels as data to a worker, not inside the task graph.
            [data] = client.scatter([chunk])
            pending.append(client.submit(classify_chunk, data, shared, later, firsts, pure=False))
            if len(pending) > window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    return run


def classify_register(
    path: str | Path,
    prepared: Prepared,
    *,
    population: Population | None = None,
    by: Any = "city",
    sheet: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    out: str | Path | None = None,
    rejects_out: str | Path | None = None,
    runner: Runner | None = None,
    progress: Callable[[int], None] | None = None,
    repeats: Repeats | None = None,
) -> Classification:
    """Classify a register in chunks of `chunk_rows` (see the module docstring)."""
    path = Path(path)
    repeats = repeats if repeats is not None else find_repeats(path, chunk_rows, sheet)
    job = ChunkJob(prepared, str(path), want_verdicts=out is not None)
    reasons = _RepeatReasons(repeats)
    sinks = [TableSink(p) if p is not None else None for p in (out, rejects_out)]
    total: Tally | None = None
    kept: list[pd.DataFrame] = []
    kept_rows = not_kept = 0
    absent: list[str] = []
    warnings: list[dict[str, Any]] = []

    def items() -> Iterator[tuple[Chunk, np.ndarray, np.ndarray]]:
        nonlocal warnings
        for chunk in read_chunks(path, chunk_rows, sheet):
            if chunk.first_row == 1:
                warnings = list(chunk.frame.attrs.get("warnings", []))
            later, _, firsts = repeats.within(chunk.first_row, len(chunk.frame))
            yield chunk, later, firsts

    try:
        for result in (runner or run_threads)(items(), job):
            found = pd.concat([result.rejects, reasons.rejects(result.repeated)], ignore_index=True)
            found = found.sort_values(["row", "column"], kind="stable").reset_index(drop=True)
            if sinks[0] is not None:
                sinks[0].write(result.verdicts)
            if sinks[1] is not None:
                sinks[1].write(found)
            room = max(0, KEPT_REJECTS - kept_rows)
            kept.append(found.head(room))
            kept_rows += min(room, len(found))
            not_kept += max(0, len(found) - room)
            total = result.tally if total is None else total + result.tally
            absent = result.absent
            if progress is not None:
                progress(result.tally.read)
        if repeats.counted and (total.read if total else 0) != repeats.rows:
            raise InputError(
                f"{path}: {repeats.rows:,} rows when its ids were read but "
                f"{total.read if total else 0:,} when evaluated: the file changed during the run"
            )
        for sink in sinks:
            if sink is not None:
                sink.close()
    except BaseException:
        for sink in sinks:
            if sink is not None:
                sink.abort()
        raise
    if total is None:
        total = Tally(
            tuple(prepared.criteria_ids), criteria=np.zeros(len(prepared.criteria_ids), np.int64)
        )
    register = RegisterSummary(
        str(path),
        total.read,
        total.evaluated,
        pd.concat(kept, ignore_index=True) if kept else pd.DataFrame(columns=REJECT_COLUMNS),
        absent,
        warnings,
        not_kept,
    )
    return Classification(prepared, register, None, population, by, tally=total)


__all__ = ["CHUNK_ROWS", "ChunkJob", "ChunkResult", "classify_chunk", "classify_register"]
