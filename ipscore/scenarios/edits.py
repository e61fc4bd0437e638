"""Apply scenario edits to copies of the data; the baseline's objects are never touched."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from ipscore.errors import InputError
from ipscore.expr import Env, ExprError, ListColumn, VectorEvaluator, parse, require_valid
from ipscore.patents.population import Population
from ipscore.patents.schema import CONTEXT_NAMES, FIELD_BY_NAME, FIELD_NAMES
from ipscore.patents.validate import LIST_NORMALIZERS, PARSERS, Issues, PatentBatch
from ipscore.plans.actuals import Actuals
from ipscore.scenarios.models import ActualsEdit, PatentEdit, PopulationEdit
from ipscore.spec.models import PlanRule


def _where(batch: PatentBatch, text: str, env: Env) -> np.ndarray:
    try:
        node = parse(text)
        require_valid(node, text, fields=(*FIELD_NAMES, *CONTEXT_NAMES), params=env.params)
    except ExprError as err:
        raise InputError(f"patent edit `where: {text}`: {err}") from None
    return VectorEvaluator(batch.columns, env, len(batch)).truth(node)


def _parsed_value(field: str, value) -> object:
    spec = FIELD_BY_NAME.get(field)
    if spec is None or spec.kind in ("list", "id"):
        raise InputError(
            f"patent edit: cannot set {field!r}; settable: "
            f"{', '.join(f for f, s in FIELD_BY_NAME.items() if s.kind not in ('list', 'id'))}"
        )
    issues = Issues()
    parsed = PARSERS[spec.kind](pd.Series([value], dtype=object), spec, issues)
    if issues.parts:
        raise InputError(f"patent edit: {field} = {value!r}: {issues.table()['reason'][0]}")
    return parsed.iloc[0]


def _set(column: pd.Series, mask: np.ndarray, value) -> pd.Series:
    if isinstance(column.dtype, pd.CategoricalDtype):
        if not pd.isna(value) and value not in column.cat.categories:
            column = column.cat.add_categories([value])
        return column.where(~mask, value)
    return column.where(~mask, value)


def _append_codes(column: ListColumn, mask: np.ndarray, codes: list[str]) -> ListColumn:
    vocab = list(column.vocab)
    for code in codes:
        if code not in vocab:
            vocab.append(code)
    new_codes = np.array([vocab.index(code) for code in codes], dtype=np.int32)
    lengths = column.lengths + mask.astype(np.int64) * len(new_codes)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    out = np.empty(offsets[-1], dtype=np.int32)
    old_rows = column.parents
    within = np.arange(len(column.codes)) - column.offsets[:-1][old_rows]
    out[offsets[:-1][old_rows] + within] = column.codes
    targets = np.flatnonzero(mask)
    for j, code in enumerate(new_codes):
        out[offsets[:-1][targets] + column.lengths[targets] + j] = code
    return ListColumn(np.asarray(vocab, dtype=object), out, offsets)


def _normalized_codes(field: str, values: list[str] | str) -> list[str]:
    values = [values] if isinstance(values, str) else list(values)
    normalize, reason = LIST_NORMALIZERS[field]
    canonical = normalize(pa.array([str(v) for v in values], type=pa.string())).to_pylist()
    bad = [v for v, c in zip(values, canonical, strict=True) if c is None]
    if bad:
        raise InputError(f"patent edit: add {field}: {', '.join(map(repr, bad))}: {reason}")
    return list(canonical)


def edit_patents(batch: PatentBatch, edit: PatentEdit, env: Env) -> PatentBatch:
    mask = _where(batch, edit.where, env)
    columns = dict(batch.columns)
    for field, value in edit.set.items():
        columns[field] = _set(columns[field], mask, _parsed_value(field, value))
    for field, values in edit.add.items():
        if FIELD_BY_NAME.get(field) is None or FIELD_BY_NAME[field].kind != "list":
            raise InputError(
                f"patent edit: `add` is for list fields (ipc, family_granted, "
                f"awards), not {field!r}"
            )
        columns[field] = _append_codes(columns[field], mask, _normalized_codes(field, values))
    if edit.renew:
        columns["status"] = _set(columns["status"], mask, "valid")
        columns["lapse_date"] = columns["lapse_date"].where(~mask, pd.NaT)
    edited = PatentBatch(batch.source, batch.read, columns, batch.rows, batch.rejects, batch.absent)
    return _clone(edited, mask, edit.clone) if edit.clone else edited


def _clone(batch: PatentBatch, mask: np.ndarray, copies: int) -> PatentBatch:
    templates = np.flatnonzero(mask)
    index = np.concatenate([np.arange(len(batch)), np.repeat(templates, copies)])
    grown = batch.take(index)
    ids = np.array(grown.columns["id"].astype(object), dtype=object)  # writable copy
    suffix = np.tile(np.arange(1, copies + 1), len(templates))
    ids[len(batch) :] = [f"{i}+S{k}" for i, k in zip(ids[len(batch) :], suffix, strict=True)]
    grown.columns["id"] = pd.Series(ids, dtype="str")
    grown.rows[len(batch) :] = 0  # scenario rows have no input row
    return grown


def edit_actuals(actuals: Actuals, plan: PlanRule, edit: ActualsEdit) -> Actuals:
    indicator = plan.indicator(edit.indicator) or plan.series_for(edit.indicator)
    if indicator is None:
        from ipscore.expr.errors import did_you_mean

        names = [n for i in (*plan.indicators, *plan.series) for n in (i.id, i.name)]
        raise KeyError(
            f"actuals edit: plan {plan.id} has no indicator {edit.indicator!r}"
            f"{did_you_mean(edit.indicator, names)}"
        )
    if edit.set is not None:
        return actuals.with_row(indicator.id, edit.year, edit.set, "scenario: set")
    rows = actuals.for_indicator(indicator.id, edit.year or 10_000)
    if rows.empty:
        raise InputError(
            f"actuals edit: no actual of {indicator.name} to "
            f"{'scale' if edit.scale is not None else 'project'}"
        )
    latest = rows.iloc[-1]
    if edit.scale is not None:
        return actuals.with_row(
            indicator.id,
            int(latest["year"]),
            latest["value"] * edit.scale,
            f"scenario: × {edit.scale:g}",
        )
    years = edit.project.to_year - int(latest["year"])
    value = latest["value"] * (1 + edit.project.growth / 100) ** years
    return actuals.with_row(
        indicator.id,
        edit.project.to_year,
        value,
        f"scenario: {latest['value']:g} ({int(latest['year'])}) grown {edit.project.growth:g}%/yr",
    )


def edit_population(population: Population | None, edit: PopulationEdit) -> Population:
    if population is None:
        raise InputError("population edit: the base has no population table")
    table = population.table
    kept = table[~((table["region"] == edit.region) & (table["year"] == edit.year))]
    added = pd.DataFrame([{"region": edit.region, "year": edit.year, "population": edit.value}])
    return Population(pd.concat([kept, added], ignore_index=True), population.source)
