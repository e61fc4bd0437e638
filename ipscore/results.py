"""What the notebook API returns: one thin, typed wrapper per command over the engine's own
result object.

Each has `.to_dict()` (exactly the command's `--json`), `.to_frame()` (the result's main
table as a pandas DataFrame) and `.assumptions` (the assumption and unconfirmed values the
result rests on). Any other attribute is the engine object's (`result.verdicts`,
`result.indicators`, `result.unit(...)`), and `.value` is the engine object itself."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from ipscore.scenarios.solve import goal_assumptions


@dataclass(eq=False, repr=False)
class Result:
    """The engine's result `value`, with the notebook methods."""

    value: Any

    def to_dict(self) -> dict[str, Any]:
        """The same dict as the command's `--json`."""
        return self.value.to_json()

    def to_json(self) -> dict[str, Any]:
        """The engine's name for `to_dict`, so a result goes wherever the engine's went."""
        return self.to_dict()

    def to_frame(self) -> pd.DataFrame:
        raise NotImplementedError

    @property
    def assumptions(self) -> list[dict[str, Any]]:
        """The assumption and unconfirmed values used: the `assumptions` of `--json`."""
        return list(self.to_dict().get("assumptions") or [])

    def __getattr__(self, name: str) -> Any:
        # Only reached for names the wrapper lacks; `value` itself must not recurse.
        if name.startswith("__") or name == "value":
            raise AttributeError(name)
        return getattr(self.value, name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {type(self.value).__name__}>"


def scalar_columns(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Records as a table of their scalar fields (nested ones stay in `to_dict()`)."""
    frame = pd.DataFrame(records)
    nested = [c for c in frame.columns if frame[c].map(lambda v: isinstance(v, dict | list)).any()]
    return frame.drop(columns=nested)


class ClassifyResult(Result):
    """`classify`: wraps ipscore.patents.summary.Classification."""

    def to_frame(self) -> pd.DataFrame:
        """One row per evaluated patent, as `classify --out` writes it."""
        return self.value.verdicts.copy()

    @property
    def regions(self) -> pd.DataFrame:
        return self.value.region_table.copy()

    @property
    def rejects(self) -> pd.DataFrame:
        """The rejected rows, as `classify --rejects` writes them."""
        return self.value.batch.rejects.copy()


class MonitorResult(Result):
    """`monitor`: wraps ipscore.plans.progress.PlanResult."""

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator."""
        return scalar_columns(self.to_dict()["indicators"])

    @property
    def assumptions(self) -> list[dict[str, Any]]:
        found = self.to_dict().get("assumptions")
        if found is not None:
            return list(found)
        # Until the plan result lists them itself: the indicators it judged on
        # values the plan file marks unconfirmed or assumed.
        return [
            {"name": i.id, "value": i.target.value, "confidence": i.confidence}
            for i in self.value.plan.indicators
            if i.confidence != "confirmed"
        ]


class ScoreResult(Result):
    """`score`: wraps ipscore.index.score.IndexResult; `explained` is the --explain unit."""

    explained: Any = None

    def __init__(self, value: Any, explained: Any = None) -> None:
        super().__init__(value)
        self.explained = explained

    def to_frame(self) -> pd.DataFrame:
        """One row per unit: score, rank, qualification and status."""
        return scalar_columns(self.to_dict()["units"])


def _numbers(data: Any, prefix: str = "") -> Iterator[tuple[str, float]]:
    """The numeric leaves of nested dicts, by dotted path (lists are left out)."""
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _numbers(value, f"{path}.")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            yield path, value


def _nested_assumptions(*parts: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for part in parts:
        for item in part.get("assumptions") or []:
            if item not in found:
                found.append(item)
    return found


class WhatIfResult(Result):
    """`whatif`: wraps ipscore.scenarios.run.Comparison."""

    @cached_property
    def _data(self) -> dict[str, Any]:
        return self.value.to_json()

    def to_dict(self) -> dict[str, Any]:
        return self._data

    def to_frame(self) -> pd.DataFrame:
        """Every number of the result beside the baseline's, and the change."""
        data = self.to_dict()
        baseline = dict(_numbers(data["baseline"]))
        rows = [
            {"metric": path, "baseline": baseline[path], "scenario": value}
            for path, value in _numbers(data["result"])
            if path in baseline
        ]
        frame = pd.DataFrame(rows, columns=["metric", "baseline", "scenario"])
        return frame.assign(delta=frame["scenario"] - frame["baseline"]).set_index("metric")

    @property
    def flipped(self) -> pd.DataFrame:
        """Patents whose verdict the scenario changed (classification bases)."""
        return pd.DataFrame(self.to_dict().get("flipped") or [])

    @property
    def assumptions(self) -> list[dict[str, Any]]:
        data = self.to_dict()
        if "assumptions" in data:
            return list(data["assumptions"])
        return _nested_assumptions(data["result"], data["baseline"])


@dataclass(eq=False, repr=False)
class SweepResult(Result):
    """`sweep`: the metrics at each value of one knob. `value` is the list of rows."""

    scenario: Any = None
    vary: str = ""
    used: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.id,
            "vary": self.vary,
            "rows": self.value,
            "assumptions": self.used,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per knob value, the knob's column named after it."""
        return pd.DataFrame(self.value).rename(columns={"value": self.vary})

    @property
    def assumptions(self) -> list[dict[str, Any]]:
        """What every step used, the varied knob as its range."""
        return self.used


@dataclass(eq=False, repr=False)
class GoalResult(Result):
    """`goal`: wraps ipscore.scenarios.solve.Solution; `to_dict()` is `goal --json`."""

    scenario: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.id,
            "title": self.scenario.title,
            "goal": self.scenario.goal.model_dump(),
            "solution": {k: v for k, v in self.value.to_json().items() if k != "result"},
            "result": self.value.result,
            "assumptions": goal_assumptions(self.scenario, self.value),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row: the knob, the value found (or the best one) and the metric there."""
        solution = self.to_dict()["solution"]
        return pd.DataFrame([{"vary": self.scenario.goal.vary, **solution}])

    @property
    def assumptions(self) -> list[dict[str, Any]]:
        data = self.to_dict()
        return list(data.get("assumptions") or _nested_assumptions(data["result"]))


class AdviseResult(Result):
    """`advise`: wraps ipscore.advise.advice.Advice."""

    def to_frame(self) -> pd.DataFrame:
        """One row per path to high-value: patent id, region, criterion, date, 万元, action."""
        advice = self.value
        paths = advice.paths.copy()
        positions = paths["position"].to_numpy()
        paths.insert(0, "id", advice.batch.columns["id"].to_numpy()[positions])
        paths.insert(1, "region", advice.batch.columns["region"].to_numpy()[positions])
        return paths.drop(columns="position").reset_index(drop=True)

    @property
    def risks(self) -> pd.DataFrame:
        advice = self.value
        risks = advice.risks.copy()
        risks.insert(0, "id", advice.batch.columns["id"].to_numpy()[risks["position"].to_numpy()])
        return risks.drop(columns="position").reset_index(drop=True)

    @property
    def assumptions(self) -> list[Any]:
        return list(self.to_dict().get("assumptions") or [])


@dataclass(eq=False, repr=False)
class WatchResult(Result):
    """`watch`: the transitions (and alerts) in order and the summary. `value` is the
    Watcher; `to_dict()` holds what `watch --json` prints, one line an item."""

    events: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"events": self.events, "summary": self.summary}

    def to_frame(self) -> pd.DataFrame:
        """One row per transition or alert, in the order they happened."""
        return pd.DataFrame(self.events)

    @property
    def assumptions(self) -> list[dict[str, Any]]:
        found = self.summary.get("assumptions")
        if found is not None:
            return list(found)
        # Until the summary lists them itself: of every rule version the watcher used, the
        # assumption parameters its conditions read, and the version when unconfirmed
        # (the 2026 reading, for instance).
        used: list[dict[str, Any]] = []
        for compiled in self.value._versions.values():
            prepared = compiled.prepared
            version = prepared.version
            if version.confidence != "confirmed":
                entry = {
                    "name": f"{prepared.rule.id} version from {version.effective.start}",
                    "value": version.effective.start.isoformat(),
                    "confidence": version.confidence,
                }
                used.append(entry)
            for item in prepared.assumptions_used():
                entry = {"name": item["name"], "value": item["value"]}
                if entry not in used:
                    used.append(entry)
        return used
