"""Sweeps and goal seeking over the real evaluation (no closed forms written by hand)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import yaml

from ipscore.assumptions import merge, scenario_changes, varied
from ipscore.errors import InputError, LimitError
from ipscore.scenarios.models import Goal, Scenario
from ipscore.scenarios.run import metric, runner_for, with_value

MAX_STEPS = 60
# Each sweep step is one full evaluation; more than this is a mistake, not an analysis.
# Raise it with the environment variable IPSCORE_MAX_SWEEP_STEPS.
MAX_SWEEP_STEPS = 1000


def max_sweep_steps() -> int:
    return int(os.environ.get("IPSCORE_MAX_SWEEP_STEPS", MAX_SWEEP_STEPS))


def parse_range(text: str) -> tuple[str, list[float]]:
    """`KEY=START:STOP:STEP` → the key and the values, STOP included."""
    key, _, span = text.partition("=")
    try:
        start, stop, step = (float(x) for x in span.split(":"))
    except ValueError:
        raise InputError(f"--vary {text!r}: write KEY=START:STOP:STEP") from None
    if not all(math.isfinite(x) for x in (start, stop, step)):
        raise InputError(f"--vary {text!r}: START, STOP and STEP must be finite numbers")
    if step <= 0 or stop < start:
        raise InputError(f"--vary {text!r}: STEP must be positive and STOP ≥ START")
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > max_sweep_steps():
        raise LimitError(
            "sweep-steps",
            f"--vary {text!r}: {count:,} steps, more than {max_sweep_steps():,} "
            "(IPSCORE_MAX_SWEEP_STEPS)",
        )
    return key, [round(start + i * step, 10) for i in range(count)]


def parse_set(item: str) -> tuple[str, Any]:
    """`--set KEY=VALUE` → the key and the value read as YAML (500, 500.0, true, [a, b])."""
    key, equals, text = item.partition("=")
    if not equals or not key.strip():
        raise InputError(f"--set {item!r}: write KEY=VALUE")
    try:
        return key.strip(), yaml.safe_load(text)
    except yaml.YAMLError as err:
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        mark = getattr(err, "problem_mark", None)
        column = f" at column {mark.column + 1}" if mark is not None else ""
        raise InputError(f"--set {item!r}: the value is not YAML ({problem}{column})") from None


def sweep(scenario: Scenario, key: str, values: list[float], paths: list[str]):
    return sweep_with_assumptions(scenario, key, values, paths)[0]


def sweep_with_assumptions(
    scenario: Scenario, key: str, values: list[float], paths: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The sweep's rows, and the assumptions its evaluations used (the knob as a range)."""
    runner = runner_for(scenario.base)
    rows, used = [], []
    for value in values:
        result = runner.evaluate(with_value(scenario, key, value).changes).to_json()
        rows.append({"value": value, **{p: metric(result, p) for p in paths}})
        used = merge(used, result.get("assumptions") or [])
    return rows, varied(merge(used, scenario_changes(scenario)), key, values)


def goal_assumptions(scenario: Scenario, solution: Solution) -> list[dict[str, Any]]:
    """The solved result's assumptions and the scenario's changes (the knob solved for)."""
    goal = scenario.goal
    solved = goal.vary if goal else None
    return merge(solution.result.get("assumptions") or [], scenario_changes(scenario, solved))


@dataclass
class Solution:
    reachable: bool
    value: float | None
    metric: Any
    best_value: float
    best_metric: Any
    monotone: bool
    evaluations: int
    result: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


def seek(scenario: Scenario, goal: Goal | None = None) -> Solution:
    """The smallest (or, for a falling metric, largest) knob value that meets the goal,
    by bisection; says so when the range cannot reach it."""
    goal = goal or scenario.goal
    if goal is None:
        raise ValueError(f"scenario {scenario.id} has no goal")
    runner = runner_for(scenario.base)
    calls = 0

    def measure(value: float) -> tuple[float, dict]:
        nonlocal calls
        calls += 1
        result = runner.evaluate(with_value(scenario, goal.vary, value).changes).to_json()
        found = metric(result, goal.metric)
        return (float("nan") if found is None else float(found)), result

    def ok(measured: float) -> bool:
        if np.isnan(measured):
            return False
        return (
            measured >= goal.at_least if goal.at_least is not None else (measured <= goal.at_most)
        )

    probes = np.linspace(goal.low, goal.high, 7)
    measured = [measure(v)[0] for v in probes]
    steps = np.diff([m for m in measured if not np.isnan(m)])
    monotone = bool((steps >= -1e-12).all() or (steps <= 1e-12).all())
    wanted = goal.at_least if goal.at_least is not None else goal.at_most
    best = int(np.nanargmin([abs(m - wanted) if not np.isnan(m) else np.inf for m in measured]))
    passing = [i for i, m in enumerate(measured) if ok(m)]
    if not passing:
        _, result = measure(probes[best])
        return Solution(
            False, None, None, float(probes[best]), measured[best], monotone, calls, result
        )
    # The least change that meets the goal: the low end if it already does, else the first
    # failing → passing step, narrowed by bisection.
    first = passing[0]
    failing_end = probes[first - 1] if first > 0 else probes[0]
    passing_end = probes[first]
    for _ in range(MAX_STEPS if first > 0 else 0):
        if abs(passing_end - failing_end) <= goal.tolerance * max(1.0, abs(passing_end)):
            break
        middle = (passing_end + failing_end) / 2
        if ok(measure(middle)[0]):
            passing_end = middle
        else:
            failing_end = middle
    value, result = passing_end, measure(passing_end)[1]
    return Solution(
        True,
        float(value),
        metric(result, goal.metric),
        float(value),
        metric(result, goal.metric),
        monotone,
        calls,
        result,
    )
