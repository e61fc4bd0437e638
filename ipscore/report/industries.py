"""High-value patents by strategic emerging industry (战略性新兴产业), for the reports.

A patent is filed under the industry of the most specific SEI–IPC table row that covers
its main (first) IPC code; patents whose main code no row covers are "(none)". Matched on
the vocabulary of distinct main codes, then counted with one groupby."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ipscore.patents.summary import Classification

LEVELS = {"subgroup": 0, "main_group": 1, "subclass": 2}


def industries(result: Classification) -> list[dict[str, Any]]:
    table = result.prepared.tables.get("sei-ipc")
    ipc = result.batch.columns.get("ipc")
    if table is None or ipc is None or len(result.verdicts) == 0:
        return []
    has_code = ipc.lengths > 0
    main = np.full(len(ipc), -1, dtype=np.int64)
    main[has_code] = ipc.codes[ipc.offsets[:-1][has_code]]
    used = np.unique(main[main >= 0])  # distinct main codes only
    labels = np.full(len(ipc.vocab) + 1, "(none)", dtype=object)
    labels[used] = [_industry(table, code) for code in ipc.vocab[used]]
    industry = labels[np.where(main >= 0, main, len(labels) - 1)]
    frame = pd.DataFrame(
        {
            "industry": industry,
            "eligible": result.verdicts["eligible"].to_numpy(),
            "high_value": result.verdicts["high_value"].to_numpy(),
        }
    )
    counts = frame.groupby("industry", sort=True)[["eligible", "high_value"]].sum().astype(int)
    counts = counts[(counts["eligible"] > 0) | (counts["high_value"] > 0)]
    return counts.reset_index().to_dict("records")


def _industry(table, code: str) -> str:
    rows = table.rows_for(code)  # per distinct code, not per patent
    if rows.empty:
        return "(none)"
    best = rows.assign(rank=rows["level"].map(LEVELS)).sort_values("rank").iloc[0]
    return f"{best['sei_code']} {best['sei_name']}"
