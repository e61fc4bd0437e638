"""Which 战略性新兴产业 each patent falls into, and the caliber range of the keyword rows.

The strategic-emerging criterion is one `ipc_in_filtered(…)` call in the rule. Everything
here re-evaluates that call's arguments with the rule's own parameters (or one changed
parameter), so the industries reported are exactly those the verdict rests on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ipscore.expr import VectorEvaluator, walk
from ipscore.expr import ast as expr_ast
from ipscore.patents.classify import Prepared
from ipscore.patents.sei import KEYWORD_MODES, IpcTable
from ipscore.patents.validate import PatentBatch
from ipscore.spec import Condition

FUNCTION = "ipc_in_filtered"
MODE_PARAMETER = "sei_keywords"


@dataclass(frozen=True)
class SeiCall:
    """The criterion that tests the SEI table, and its call node."""

    condition: Condition
    call: expr_ast.Call


def sei_call(prepared: Prepared) -> SeiCall | None:
    for condition in prepared.version.criteria:
        for node in walk(condition.node):
            if isinstance(node, expr_ast.Call) and node.name == FUNCTION:
                return SeiCall(condition, node)
    return None


def row_bits(
    batch: PatentBatch, prepared: Prepared, found: SeiCall, mode: str | None = None
) -> np.ndarray:
    """Each patent's industries as a bit set (`IpcTable.bit_industries`)."""
    evaluator = _evaluator(batch, prepared, mode)
    codes, table, keywords, title, abstract = (evaluator.value(a) for a in found.call.args)
    return table.row_bits(codes, keywords, title, abstract)


def _evaluator(batch: PatentBatch, prepared: Prepared, mode: str | None) -> VectorEvaluator:
    """An evaluator of the prepared rule, with the keyword reading changed if asked."""
    env = prepared.env
    if mode is not None:
        env = replace(env, params={**env.params, MODE_PARAMETER: mode})
    return VectorEvaluator(batch.columns, env, len(batch))


def table_of(prepared: Prepared, found: SeiCall) -> IpcTable:
    names = [
        n.args[0].value
        for n in walk(found.call)
        if isinstance(n, expr_ast.Call) and n.name == "table"
    ]
    return prepared.tables[names[0]]


def industry_column(batch: PatentBatch, prepared: Prepared) -> pd.Categorical | None:
    """`sei_industries` per patent: every matched 中类, `;`-separated, empty when none."""
    found = sei_call(prepared)
    if found is None:
        return None
    return table_of(prepared, found).labels(row_bits(batch, prepared, found))


def breakdown(counts: pd.DataFrame, table: IpcTable) -> list[dict[str, Any]]:
    """Evaluated and high-value patents by 大类 and 中类 (a patent counts in each of its
    industries once; a 大类 counts a patent once however many of its 中类 it has).
    `counts` has one row per distinct industry set: bits, patents, high_value."""
    names = table.bit_industries
    masks = {code: np.uint64(1) << np.uint64(i) for i, code in enumerate(names)}
    tops: dict[str, np.uint64] = {}
    for code, mask in masks.items():
        top = code.split(".")[0]
        tops[top] = tops.get(top, np.uint64(0)) | mask
    distinct = counts["bits"].to_numpy(dtype=np.uint64)
    per_patent = counts["patents"].to_numpy()
    per_high = counts["high_value"].to_numpy()
    out = []
    for top in sorted(tops, key=int):
        out.append(_row(top, 1, tops[top], distinct, per_patent, per_high, table))
        for code in (c for c in names if c.split(".")[0] == top):
            out.append(_row(code, 2, masks[code], distinct, per_patent, per_high, table))
    return [row for row in out if row["patents"]]


def _row(code, level, mask, distinct, per_patent, per_high, table) -> dict[str, Any]:
    has = (distinct & mask) != 0
    return {
        "code": code,
        "name": table.industries.name(code),
        "level": level,
        "patents": int(per_patent[has].sum()),
        "high_value": int(per_high[has].sum()),
    }


def caliber_counts(batch: PatentBatch, prepared: Prepared, verdicts: pd.DataFrame) -> pd.DataFrame:
    """Strategic-emerging and high-value counts under each reading of the keyword rows."""
    found = sei_call(prepared)
    if found is None or MODE_PARAMETER not in prepared.params:
        return pd.DataFrame()
    eligible = verdicts["eligible"].to_numpy()
    others = [c for c in prepared.criteria_ids if c != found.condition.id]
    rest = np.logical_or.reduce([verdicts[c].to_numpy() for c in others]) if others else False
    table = table_of(prepared, found)
    rows = []
    in_force = prepared.params[MODE_PARAMETER]
    for mode in KEYWORD_MODES:
        evaluator = _evaluator(batch, prepared, mode)
        if mode == in_force and len(verdicts) == len(eligible):  # the verdict has it
            passed = verdicts[found.condition.id].to_numpy()
        else:
            passed = evaluator.truth(found.condition.node)
        unverifiable = 0
        if mode == "require":
            codes, _, _, title, abstract = (evaluator.value(a) for a in found.call.args)
            unverifiable = table.unverifiable_rows(codes, title, abstract)
        rows.append(
            {
                "sei_keywords": mode,
                "strategic_emerging": int((passed & eligible).sum()),
                "high_value": int((eligible & (passed | rest)).sum()),
                "unverifiable": int((unverifiable & eligible).sum()),
            }
        )
    return pd.DataFrame(rows)
