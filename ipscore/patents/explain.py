"""Explain one patent's verdict: each condition, the values that decided it, the
parameters it used (with their confidence) and the source it comes from."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from ipscore.expr import ScalarEvaluator, walk
from ipscore.expr import ast as expr_ast
from ipscore.patents.classify import Prepared
from ipscore.patents.validate import PatentBatch
from ipscore.spec import Condition
from ipscore.spec.models.common import provenance


def plain(value: Any) -> Any:
    """A JSON-ready form of an evidence value."""
    if isinstance(value, pd.Timestamp | dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else round(float(value), 4)
    return value


def _table_matches(condition: Condition, record: dict, prepared: Prepared) -> list[dict]:
    """Each of the patent's codes with every table rule that names it: industry, rule
    number, the pattern that matched, any exclusion that removed it, and for the keyword
    rows whether the patent's text was checked."""
    tables = [
        n.args[0].value
        for n in walk(condition.node)
        if isinstance(n, expr_ast.Call) and n.name == "table"
    ]
    mode = prepared.params.get("sei_keywords", "ignore")
    text = " ".join(str(record.get(k) or "") for k in ("title", "abstract"))
    matches = []
    for name in tables:
        for code in record.get("ipc", ()):
            for match in prepared.tables[name].explain_code(code):
                terms = match["keyword_filter"]
                if not match["matched"]:
                    note = f"excluded by {match['excluded_by']} (不含)"
                elif terms and mode == "require":
                    named = [t for t in terms if t in text]
                    match["matched"] = bool(named)
                    note = (
                        f"keyword row: text names {'、'.join(named)}"
                        if named
                        else f"keyword row: text names none of {'、'.join(terms)}"
                    )
                elif terms:
                    note = "keyword row: matched by IPC (sei_keywords: ignore)"
                else:
                    note = ""
                matches.append({**match, "note": note})
    return matches


def _parameters(condition: Condition, prepared: Prepared) -> list[dict]:
    names = {n.name for n in walk(condition.node) if isinstance(n, expr_ast.Param)}
    declared = prepared.version.parameters
    return [
        {
            "name": name,
            "value": plain(prepared.params[name]),
            "unit": declared[name].unit,
            "confidence": declared[name].confidence,
            "overridden": prepared.params[name] != declared[name].value,
        }
        for name in sorted(names)
    ]


def explain_condition(
    kind: str, condition: Condition, record: dict, prepared: Prepared
) -> dict[str, Any]:
    evaluator = ScalarEvaluator(record, prepared.env)
    passed = evaluator.truth(condition.node)
    result = {
        "id": condition.id,
        "kind": kind,
        "label": condition.label,
        "label_en": condition.label_en,
        "passed": bool(passed),
        "when": condition.when,
        "evidence": {k: plain(v) for k, v in evaluator.trace.values.items()},
        "checks": evaluator.trace.checks,
        "failed_parts": [] if passed else evaluator.trace.failed,
        "parameters": _parameters(condition, prepared),
        **provenance(condition.source, prepared.rule.source),
    }
    if kind == "criterion" and "table(" in condition.when:
        result["matches"] = _table_matches(condition, record, prepared)
    return result


def explain(batch: PatentBatch, prepared: Prepared, patent_id: str) -> dict[str, Any]:
    position = batch.position(patent_id)
    if position is None:
        rejected = batch.rejects[batch.rejects["id"] == patent_id]
        if len(rejected):
            reasons = "; ".join(
                f"{r.column}={r.value!r}: {r.reason}" for r in rejected.itertuples()
            )
            raise LookupError(
                f"patent {patent_id} was rejected (row {rejected['row'].iloc[0]}): {reasons}"
            )
        raise LookupError(f"no patent {patent_id!r} in {batch.source}")
    record = batch.record(position)
    conditions = [
        explain_condition(kind, c, record, prepared) for kind, c in prepared.version.conditions
    ]
    eligible = all(c["passed"] for c in conditions if c["kind"] == "eligibility")
    passed_criteria = [c["id"] for c in conditions if c["kind"] == "criterion" and c["passed"]]
    return {
        "id": patent_id,
        "row": int(batch.rows[position]),
        "rules": prepared.rule.id,
        "version": prepared.version.effective.start.isoformat(),
        "version_confidence": prepared.version.confidence,
        "as_of": prepared.as_of.isoformat(),
        "eligible": eligible,
        "high_value": eligible and bool(passed_criteria),
        "passed_criteria": passed_criteria,
        "record": {k: plain(v) for k, v in record.items()},
        "conditions": conditions,
        "assumptions": prepared.assumptions_used(),
    }
