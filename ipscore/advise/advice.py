"""`ipscore advise`: what it would take for each patent, and where the register is heading.

The result is built from columns: one classification at as_of, one long table of paths
(a row per patent and criterion it could still meet), one long table of risks, and the
projection. `to_json()` nests them per patent for the --json contract.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ipscore.advise.paths import (
    anniversaries,
    as_day,
    criterion_paths,
    kind_of,
    next_anniversary,
    to_iso,
)
from ipscore.advise.projection import project
from ipscore.assumptions import merge, record, version_assumption
from ipscore.errors import InputError
from ipscore.patents.classify import Prepared, evaluate, prepare
from ipscore.patents.population import Population
from ipscore.patents.validate import PatentBatch
from ipscore.spec import PatentRule, PlanRule

PATH_COLUMNS = ["position", "criterion", "action", "date", "amount", "annuities_due"]
RISK_COLUMNS = ["position", "risk", "criterion", "date", "detail"]


@dataclass
class Advice:
    prepared: Prepared
    until: dt.date
    batch: PatentBatch
    verdicts: pd.DataFrame
    paths: pd.DataFrame  # PATH_COLUMNS, date as datetime64[D]
    risks: pd.DataFrame  # RISK_COLUMNS
    projection: pd.DataFrame
    lapse_rates: pd.DataFrame
    plan: dict[str, Any] | None
    assumptions: list[dict[str, Any]]

    def ranked_paths(self, top: int = 20, by: str = "date") -> pd.DataFrame:
        """The soonest (by="date") or cheapest (by="amount") paths, with id and region."""
        paths = self.paths[self.paths[by].notna()]
        paths = paths.sort_values([by, "position"], kind="stable").head(top).copy()
        positions = paths["position"].to_numpy()
        paths["id"] = self.batch.columns["id"].to_numpy()[positions]
        paths["region"] = self.batch.columns["region"].to_numpy()[positions]
        return paths

    def counts(self) -> dict[str, int]:
        v = self.verdicts
        near = self.paths[self.paths["date"].notna()]
        near = near[near["date"] <= as_day(self.until)]
        return {
            "evaluated": len(v),
            "eligible": int(v["eligible"].sum()),
            "high_value": int(v["high_value"].sum()),
            "not_eligible": int((~v["eligible"]).sum()),
            "with_paths": int(self.paths["position"].nunique()),
            "counting_by_until": int(near["position"].nunique()),
            "at_risk": int(self.risks["position"].nunique()),
        }

    def to_json(self) -> dict[str, Any]:
        p = self.prepared
        return {
            "as_of": p.as_of.isoformat(),
            "until": self.until.isoformat(),
            "rules": p.rule.id,
            "version": p.version.effective.start.isoformat(),
            "counts": self.counts(),
            "patents": _without_gc(self._patents_json),
            "projection": _projection_json(self.projection),
            "lapse_rates": self.lapse_rates.to_dict("records"),
            "plan": self.plan,
            "assumptions": self.assumptions,
        }

    def _patents_json(self) -> list[dict[str, Any]]:
        v = self.verdicts
        paths = _grouped(self.paths, ["criterion", "action", "date", "amount"])
        risks = _grouped(self.risks, RISK_COLUMNS[1:])
        # What each reason code says, worked out once per code rather than per patent.
        reasons = v["reasons"].array
        criteria = set(self.prepared.criteria_ids)
        extra = [_reason_entry(str(label), criteria) for label in reasons.categories]
        ids = v["id"].astype(object).tolist()
        eligible = v["eligible"].tolist()
        high = v["high_value"].tolist()
        codes = reasons.codes.tolist()
        return [
            {
                "id": pid,
                "eligible": ok,
                "high_value": hv,
                "paths": paths.get(i) or [],
                "risks": risks.get(i) or [],
                **extra[code],
            }
            for i, (pid, ok, hv, code) in enumerate(zip(ids, eligible, high, codes, strict=True))
        ]


def _without_gc(build):
    """Build millions of small dicts with the cyclic garbage collector paused: they hold no
    cycles, and its repeated passes over the growing heap would triple the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return build()
    finally:
        if enabled:
            gc.enable()


def _reason_entry(label: str, criteria: set[str]) -> dict[str, list[str]]:
    if label.startswith("not eligible: "):
        return {"not_eligible": label.removeprefix("not eligible: ").split("+")}
    passed = [c for c in label.split("+") if c in criteria]
    return {"rests_on": passed} if passed else {}


def _grouped(frame: pd.DataFrame, keep: list[str]) -> dict[int, list[dict[str, Any]]]:
    """Records per patent position, None for missing values, from plain column lists."""
    columns = []
    for name in keep:
        values = frame[name]
        if name == "date":
            columns.append(to_iso(values.to_numpy()).tolist())
        else:
            cells = values.astype(object)
            columns.append(cells.where(values.notna(), None).tolist())
    grouped: dict[int, list[dict[str, Any]]] = {}
    for position, *cells in zip(frame["position"].tolist(), *columns, strict=True):
        grouped.setdefault(position, []).append(dict(zip(keep, cells, strict=True)))
    return grouped


def _projection_json(table: pd.DataFrame) -> list[dict[str, Any]]:
    rows = table.assign(date=table["date"].map(dt.date.isoformat))
    rows = rows.astype(object).where(rows.notna(), None)
    return [
        {
            "region": r["region"],
            "date": r["date"],
            "high_value": round(float(r["high_value"]), 1),
            "per_10k": None if r["per_10k"] is None else round(float(r["per_10k"]), 3),
            "basis": r["basis"],
            "population": r["population"],
        }
        for r in rows.to_dict("records")
    ]


# --- building the advice -----------------------------------------------------------------


def advise(
    batch: PatentBatch,
    rule: PatentRule,
    as_of: dt.date,
    until: dt.date | None = None,
    overrides: Mapping[str, Any] | None = None,
    tables: Mapping[str, Any] | None = None,
    population: Population | None = None,
    plan: PlanRule | None = None,
) -> Advice:
    until = until or _default_until(as_of, plan)
    if until < as_of:
        raise InputError(f"--until {until} is before --as-of {as_of}")
    prepared = prepare(rule, as_of, overrides, tables)
    verdicts = evaluate(batch, prepared)
    paths = _paths(batch, prepared, verdicts)
    risks = _risks(batch, prepared, verdicts, until)
    projection, rates = project(batch, rule, as_of, until, overrides, tables, population)
    plan_json = _plan_json(plan, projection, population) if plan else None
    return Advice(
        prepared,
        until,
        batch,
        verdicts,
        paths,
        risks,
        projection,
        rates,
        plan_json,
        _assumptions(prepared, rule, until, population),
    )


def _default_until(as_of: dt.date, plan: PlanRule | None) -> dt.date:
    if plan is not None and plan.target_year >= as_of.year:
        return dt.date(plan.target_year, 12, 31)
    return dt.date(as_of.year + 2, 12, 31)


def _paths(batch: PatentBatch, prepared: Prepared, verdicts: pd.DataFrame) -> pd.DataFrame:
    open_ = verdicts["eligible"].to_numpy() & ~verdicts["high_value"].to_numpy()
    positions = np.flatnonzero(open_)
    filing = np.asarray(batch.columns["filing_date"].to_numpy(), dtype="M8[D]")
    parts = []
    for condition in prepared.version.criteria:  # one vectorized pass per criterion
        path = criterion_paths(condition, batch.columns, positions, prepared)
        date = path.date if path.date is not None else np.full(len(positions), "NaT", "M8[D]")
        keep = ~np.isnat(date) if path.kind == "time" else np.ones(len(positions), bool)
        due = np.zeros(len(positions), dtype=np.int64)
        action: Any = path.action
        if path.kind == "time":
            due, first = anniversaries(filing[positions], as_day(prepared.as_of), date)
            action = _renewal_action(due, first)
        amount = path.amount if path.amount is not None else np.full(len(positions), np.nan)
        parts.append(
            pd.DataFrame(
                {
                    "position": positions[keep],
                    "criterion": condition.id,
                    "action": action if isinstance(action, str) else action[keep],
                    "date": date[keep],
                    "amount": amount[keep],
                    "annuities_due": due[keep],
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=PATH_COLUMNS)
    paths = pd.concat(parts, ignore_index=True)
    return paths.sort_values(["position"], kind="stable", ignore_index=True)


def _renewal_action(due: np.ndarray, first: np.ndarray) -> np.ndarray:
    """'keep it in force: pay the N annuities due before the date (first YYYY-MM-DD)…',
    built with vectorized string operations."""
    count = pd.Series(due).astype(str)
    noun = pd.Series(np.where(due == 1, " annuity", " annuities"))
    when = pd.Series(to_iso(first)).fillna("")
    text = "keep it in force: pay the " + count + noun + " due before the date (first on "
    text = text + when + "); it counts from the date"
    none = "keep it in force; no annuity falls due before the date, it counts from then"
    return np.where(due > 0, text.to_numpy(dtype=object), none)


def _risks(
    batch: PatentBatch, prepared: Prepared, verdicts: pd.DataFrame, until: dt.date
) -> pd.DataFrame:
    high = verdicts["high_value"].to_numpy()
    ids = prepared.criteria_ids
    passed = np.column_stack([verdicts[c].to_numpy() for c in ids]) if ids else np.zeros((0, 0))
    n_passed = passed.sum(axis=1) if ids else np.zeros(len(verdicts), dtype=np.int64)
    carrying = np.argmax(passed, axis=1) if ids else np.zeros(len(verdicts), dtype=np.int64)
    kinds = {c.id: kind_of(c) for c in prepared.version.criteria}
    later = prepared.rule.version_for(until).criteria
    later_ids = {c.id for c in later}
    parts = []
    single = np.flatnonzero(high & (n_passed == 1))
    labels = np.asarray(ids, dtype=object)[carrying[single]] if ids else []
    no_date = np.full(len(single), "NaT", "M8[D]")
    parts.append(
        _risk_frame(single, "single_criterion", labels, no_date, "rests on one criterion only")
    )
    for c, kind in kinds.items():
        only = single[labels == c]
        if kind == "amount":
            parts.append(
                _risk_frame(
                    only,
                    "pledge_only",
                    c,
                    no_date[: len(only)],
                    "rests on the pledge alone: lost when the pledge ends",
                )
            )
        if c not in later_ids:
            parts.append(
                _risk_frame(
                    only,
                    "criterion_dropped",
                    c,
                    no_date[: len(only)],
                    f"the rule version in force on {until} drops {c}",
                )
            )
    filing = np.asarray(batch.columns["filing_date"].to_numpy(), dtype="M8[D]")
    high_at = np.flatnonzero(high)
    due = next_anniversary(filing[high_at], as_day(prepared.as_of))
    within = ~np.isnat(due) & (due <= as_day(until))
    parts.append(
        _risk_frame(
            high_at[within],
            "annuity_due",
            None,
            due[within],
            "an annuity falls due; unpaid, the patent lapses",
        )
    )
    risks = pd.concat(parts, ignore_index=True)
    return risks.sort_values(["position", "risk"], kind="stable", ignore_index=True)


def _risk_frame(positions, risk, criterion, dates, detail) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "position": np.asarray(positions, dtype=np.int64),
            "risk": risk,
            "criterion": criterion,
            "date": np.asarray(dates, dtype="M8[D]"),
            "detail": detail,
        }
    )


def _plan_json(plan: PlanRule, projection: pd.DataFrame, population) -> dict[str, Any]:
    indicator = next((i for i in plan.indicators if i.from_patents), None)
    if indicator is None:
        raise InputError(f"plan {plan.id} has no indicator derived from patents")
    if population is None:
        raise InputError("--plan needs --population FILE for the per-10,000 figure")
    target_day = dt.date(indicator.target.year, 12, 31)
    rows = projection[projection["region"] == plan.region]
    if rows.empty:
        raise InputError(f"no patents in the plan's region {plan.region!r}")
    at_target = rows[rows["date"] == target_day]
    return {
        "id": plan.id,
        "region": plan.region,
        "indicator": indicator.id,
        "name": indicator.name,
        "target": indicator.target.value,
        "target_year": indicator.target.year,
        "projected": [
            {
                "basis": r["basis"],
                "date": target_day.isoformat(),
                "per_10k": None if pd.isna(r["per_10k"]) else round(float(r["per_10k"]), 3),
                "meets": None
                if pd.isna(r["per_10k"])
                else bool(r["per_10k"] >= indicator.target.value),
            }
            for r in at_target.to_dict("records")
        ],
        "note": None
        if len(at_target)
        else f"the projection ends before {target_day}; pass --until {target_day}",
    }


#: How advise projects, as (name, note): its own method, not a rule's value, so each is an
#: assumption of this command, with no published source (none exists for a projection).
METHOD_ASSUMPTIONS = (
    (
        "register_only",
        "Only patents in the register: grants it records after as_of count from their "
        "grant date; no other application is granted.",
    ),
    (
        "all_annuities_paid",
        "all_annuities_paid: every annuity is paid; pledges, family grants and awards stay "
        "as registered; an invention lapses at the end of its 20-year term "
        "(专利法 第四十二条).",
    ),
    (
        "observed_lapse_rates",
        "observed_lapse_rates: each patent survives each anniversary with 1 − the rate at "
        "which this register's inventions of that age lapsed (lapse_rates; term expiries "
        "excluded).",
    ),
    (
        "annuity_dates",
        "Annuities fall due on each filing anniversary (专利法实施细则: 年费 by 申请日).",
    ),
    (
        "projection_versions",
        "Each projection date is classified by the rule version in force on that date.",
    ),
    (
        "pending_families",
        "Family members pending abroad come only from a --families list (granted: no); "
        "without one, an overseas_family path asks for any grant abroad.",
    ),
)


def _assumptions(
    prepared: Prepared, rule: PatentRule, until: dt.date, population
) -> list[dict[str, Any]]:
    later = rule.version_for(until)

    def method(name: str, value: Any, note: str) -> dict[str, Any]:
        return record(
            name, value, "assumption", file_source=rule.source, note=note, used_in=["advise"]
        )

    notes = [
        method(
            "paths_version",
            str(prepared.version.effective.start),
            "Paths use the rule version in force on as_of "
            f"({prepared.version.effective.start}); a path's date assumes nothing else changes.",
        ),
        *(method(name, True, note) for name, note in METHOD_ASSUMPTIONS),
    ]
    if later is not prepared.version:
        notes.append(
            method(
                "later_version",
                str(later.effective.start),
                f"The version from {later.effective.start} ({later.confidence}) is in force "
                f"by {until}: criteria {', '.join(c.id for c in later.criteria)}.",
            )
        )
        if later.confidence != "confirmed":
            notes.append(version_assumption(rule, later))
    if population is not None:
        notes.append(
            method(
                "population",
                str(population.source),
                f"Population: {population.source}, the latest figure at or before each year, "
                "held flat after.",
            )
        )
    return merge(notes, prepared.assumptions_used())
