"""Evaluate a scenario beside its baseline: what changed, by how much, and for whom.

The baseline's data are read and parsed once per runner; every scenario evaluation works
on copies, and conditions a change does not touch are re-used, not re-evaluated.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from ipscore.assumptions import compared, merge, scenario_changes
from ipscore.defaults import ACTUALS, DEMO_PATENTS, DEMO_POPULATION, default_as_of
from ipscore.errors import InputError
from ipscore.expr import Env
from ipscore.expr.errors import did_you_mean
from ipscore.index.data import default_data, load_unit_data
from ipscore.index.overrides import knobs as index_knobs
from ipscore.index.overrides import with_sets
from ipscore.index.score import score
from ipscore.patents.classify import evaluate, prepare
from ipscore.patents.load import load_patents
from ipscore.patents.population import load_population
from ipscore.patents.summary import Classification
from ipscore.plans.actuals import load_actuals
from ipscore.plans.progress import PlanResult, evaluate_plan
from ipscore.scenarios import edits
from ipscore.scenarios.models import (
    Base,
    DisableCriteria,
    EditActuals,
    EditPatents,
    EditPopulation,
    Scenario,
    SetParameters,
)
from ipscore.spec.loader import index_rule, patent_rule, plan_rule

Result = Any  # Classification | PlanResult | IndexResult: each has to_json()
FLIPPED_LISTED = 50


def _bundled(value: str | None, demo: Path) -> str | Path | None:
    return demo if value == "demo" else value


@dataclass
class ClassifyRunner:
    base: Base

    @cached_property
    def rule(self):
        return patent_rule(self.base.rules)

    @cached_property
    def as_of(self) -> dt.date:
        return self.base.as_of or default_as_of()

    @cached_property
    def batch(self):
        return load_patents(_bundled(self.base.patents, DEMO_PATENTS))

    @cached_property
    def population(self):
        path = _bundled(self.base.population, DEMO_POPULATION)
        return load_population(path) if path else None

    @cached_property
    def baseline(self) -> Classification:
        return self.evaluate([])

    def knobs(self) -> list[str]:
        version = self.rule.version_for(self.as_of)
        return [f"{self.rule.id}.{p}" for p in version.parameters]

    def _split(self, changes) -> tuple[dict, list[str]]:
        overrides, disabled = {}, []
        version = self.rule.version_for(self.as_of)
        for change in changes:
            if isinstance(change, SetParameters):
                if change.effective and self.rule.version_for(change.effective) is not version:
                    raise InputError(
                        f"overrides written for the version in force on {change.effective} "
                        f"would not apply at as_of {self.as_of} (version from "
                        f"{version.effective.start}): nothing would change"
                    )
                overrides.update({self._local(key): v for key, v in change.set.items()})
            elif isinstance(change, DisableCriteria):
                disabled += [self._local(key) for key in change.disable]
            elif isinstance(change, EditActuals):
                raise InputError("actuals edits need a monitor base, not classify")
        return overrides, disabled

    def _local(self, key: str) -> str:
        rule, _, name = key.partition(".")
        if rule != self.rule.id or not name:
            raise KeyError(
                f"unknown key {key!r}: write <rule>.<name> with rule "
                f"{self.rule.id}{did_you_mean(key, self.knobs())}"
            )
        return name

    def evaluate(self, changes) -> Classification:
        overrides, disabled = self._split(changes)
        prepared = prepare(
            self.rule,
            self.as_of,
            overrides,
            {"sei-ipc": self.base.sei_table} if self.base.sei_table else None,
            disabled,
        )
        batch, population = self.batch, self.population
        env = Env(context={"as_of": pd.Timestamp(self.as_of)})
        for change in changes:
            if isinstance(change, EditPatents):
                batch = edits.edit_patents(batch, change.patents, env)
            elif isinstance(change, EditPopulation):
                population = edits.edit_population(population, change.population)
        reuse = None
        if batch is self.batch and "baseline" in self.__dict__:
            reuse = (self.batch, self.baseline.prepared, self.baseline.verdicts)
        return Classification(prepared, batch, evaluate(batch, prepared, reuse), population)


@dataclass
class MonitorRunner:
    base: Base

    @cached_property
    def plan(self):
        return plan_rule(self.base.plan)

    @cached_property
    def actuals(self):
        path = self.base.actuals or ACTUALS / f"{self.plan.id}.csv"
        return load_actuals(path, self.plan, self.base.region or self.plan.region)

    @cached_property
    def year(self) -> int:
        if self.base.year:
            return self.base.year
        return (
            int(self.actuals.rows["year"].max())
            if len(self.actuals.rows)
            else (self.plan.target_year)
        )

    @cached_property
    def baseline(self) -> PlanResult:
        return self.evaluate([])

    def knobs(self) -> list[str]:
        return []

    def evaluate(self, changes) -> PlanResult:
        actuals = self.actuals
        for change in changes:
            if isinstance(change, EditActuals):
                actuals = edits.edit_actuals(actuals, self.plan, change.actuals)
            else:
                raise InputError(f"a monitor base takes actuals edits only, not {change!r}")
        return evaluate_plan(self.plan, actuals, self.year)


@dataclass
class ScoreRunner:
    """Index scenarios: weights (`<index>.<dimension or indicator>.weight`) and goalposts
    (`<index>.<indicator>.goalposts: [min, max]`)."""

    base: Base

    @cached_property
    def rule(self):
        return index_rule(self.base.index)

    @cached_property
    def data(self):
        return load_unit_data(self.base.data or default_data(self.rule), self.rule, self.base.year)

    @cached_property
    def baseline(self):
        return self.evaluate([])

    def knobs(self) -> list[str]:
        return index_knobs(self.rule)

    def evaluate(self, changes):
        sets: dict[str, Any] = {}
        for change in changes:
            if not isinstance(change, SetParameters):
                raise InputError(f"a score base takes parameter overrides only, not {change!r}")
            sets.update(change.set)
        return score(with_sets(self.rule, sets), self.data)


def runner_for(base: Base) -> ClassifyRunner | MonitorRunner | ScoreRunner:
    return {"classify": ClassifyRunner, "monitor": MonitorRunner, "score": ScoreRunner}[
        base.evaluate
    ](base)


# --- knobs: one numeric or other value of a scenario, addressed by a key ----------------


def _set_nested(data: dict, name: str, value: Any) -> bool:
    for key, item in data.items():
        if key == name and not isinstance(item, dict):
            data[key] = value
            return True
        if isinstance(item, dict) and _set_nested(item, name, value):
            return True
    return False


def with_value(scenario: Scenario, key: str, value: Any) -> Scenario:
    """The scenario with one knob set: `<change id>.<field>` or `<rule>.<parameter>`."""
    head, _, rest = key.partition(".")
    data = scenario.model_dump()
    ids = [c.get("id") for c in data["changes"] if c.get("id")]
    if head in ids:
        change = next(c for c in data["changes"] if c.get("id") == head)
        if not rest or not _set_nested(change, rest, value):
            raise KeyError(f"change {head!r} has no field {rest!r}")
    elif (head, scenario.base.evaluate) in (
        (scenario.base.rules, "classify"),
        (scenario.base.index, "score"),
    ):
        data["changes"].append({"set": {key: value}})
    else:
        known = [*(f"{i}.<field>" for i in ids), *runner_for(scenario.base).knobs()]
        raise KeyError(
            f"unknown key {key!r}{did_you_mean(key, known)}; known: {', '.join(known) or 'none'}"
        )
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise InputError(f"{key} = {value!r}: {err.errors()[0]['msg']}") from None


# --- comparing results -------------------------------------------------------------------


def metric(result: dict[str, Any], path: str) -> Any:
    """`high_value`, `criteria.pledge`, `regions[广州市].per_10k`, `indicators[x].actual`."""
    value: Any = result
    for part in path.split("."):
        name, key = re.fullmatch(r"([^\[\]]+)(?:\[(.+)\])?", part).groups()
        if not isinstance(value, dict) or name not in value:
            raise KeyError(
                f"no {name!r} in the result (path {path!r})"
                f"{did_you_mean(name, value if isinstance(value, dict) else [])}"
            )
        value = value[name]
        if key is not None:
            match = [
                i
                for i in value
                if key in (i.get("region"), i.get("id"), i.get("name"), i.get("unit"))
            ]
            if not match:
                raise KeyError(f"no {key!r} in {name} (path {path!r})")
            value = match[0]
    return value


def _delta(before: Any, after: Any) -> Any:
    if isinstance(before, bool) or isinstance(after, bool):
        return None
    if isinstance(before, int | float) and isinstance(after, int | float):
        return after - before
    if isinstance(before, dict) and isinstance(after, dict):
        found = {k: _delta(before.get(k), after[k]) for k in after if k in before}
        return {k: v for k, v in found.items() if v not in (None, {}, 0)}
    return None


def _keyed(rows: list[dict], key: str) -> dict:
    return {row[key]: row for row in rows}


def delta(baseline: dict, result: dict) -> dict:
    found = {
        k: _delta(baseline[k], result[k])
        for k in result
        if k in baseline and k not in ("regions", "indicators", "units")
    }
    if "units" in result:
        found["units"] = _delta(_keyed(baseline["units"], "unit"), _keyed(result["units"], "unit"))
    if "regions" in result:
        found["regions"] = _delta(
            _keyed(baseline["regions"], "region"), _keyed(result["regions"], "region")
        )
    if "indicators" in result:
        before = _keyed(baseline["indicators"], "id")
        found["indicators"] = {
            i["id"]: {
                "actual": _delta(before[i["id"]]["actual"], i["actual"]),
                "status": f"{before[i['id']]['status']} → {i['status']}",
            }
            for i in result["indicators"]
            if (before[i["id"]]["actual"], before[i["id"]]["status"]) != (i["actual"], i["status"])
        }
    return {k: v for k, v in found.items() if v not in (None, {}, 0)}


def flipped(baseline: Classification, result: Classification) -> dict[str, Any]:
    """Patents whose verdict changed, and why; patents the scenario added are counted."""
    n = len(baseline.verdicts)
    before = baseline.verdicts
    after = result.verdicts.iloc[:n]
    changed = np.flatnonzero(before["high_value"].to_numpy() != after["high_value"].to_numpy())
    rows = pd.DataFrame(
        {
            "id": before["id"].to_numpy()[changed],
            "from": before["high_value"].to_numpy()[changed],
            "to": after["high_value"].to_numpy()[changed],
            "because": [
                f"{a} → {b}"
                for a, b in zip(
                    before["reasons"].to_numpy()[changed],
                    after["reasons"].to_numpy()[changed],
                    strict=True,
                )
            ],
        }
    )
    added = result.verdicts.iloc[n:]
    return {
        "count": len(rows),
        "gained": int(rows["to"].sum()),
        "lost": int((~rows["to"]).sum()),
        "by_reason": rows.groupby("because").size().sort_values(ascending=False).to_dict(),
        "patents": rows.head(FLIPPED_LISTED).to_dict("records"),
        "added": {"count": len(added), "high_value": int(added["high_value"].sum())},
    }


@dataclass
class Comparison:
    scenario: Scenario
    baseline: Result
    result: Result
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        baseline, result = self.baseline.to_json(), self.result.to_json()
        data = {
            "scenario": self.scenario.id,
            "title": self.scenario.title,
            "baseline": baseline,
            "result": result,
            "delta": delta(baseline, result),
            "flipped": [],
            "assumptions": merge(
                compared(baseline.get("assumptions"), result.get("assumptions")),
                scenario_changes(self.scenario),
            ),
        }
        if isinstance(self.result, Classification):
            found = flipped(self.baseline, self.result)
            data["flipped"] = found["patents"]
            data["flipped_summary"] = {k: v for k, v in found.items() if k != "patents"}
        return data | self.details


def compare(scenario: Scenario, runner=None) -> Comparison:
    runner = runner or runner_for(scenario.base)
    return Comparison(scenario, runner.baseline, runner.evaluate(scenario.changes))
