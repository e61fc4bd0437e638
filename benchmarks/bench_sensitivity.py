"""Benchmark the Monte Carlo sensitivity analysis (not a test): 1,000 runs over 21 units ×
20 indicators, against a per-run loop that scores each run separately, in the same run.

    python benchmarks/bench_sensitivity.py
"""

from __future__ import annotations

import time

import numpy as np

from ipscore.index.data import UnitData
from ipscore.index.score import Model, aggregate, normalise, score
from ipscore.index.sensitivity import analyse, draw
from ipscore.spec.models import IndexRule


def rule_of(dimensions: int, per_dimension: int) -> IndexRule:
    return IndexRule.model_validate(
        {
            "id": "bench",
            "title": "bench",
            "title_en": "bench",
            "kind": "index",
            "official": False,
            "notice": "synthetic benchmark index",
            "source": {"document": "benchmark", "confidence": "unconfirmed"},
            "qualify": "total >= 50 and gates_passed",
            "dimensions": [
                {
                    "id": f"d{d}",
                    "name": f"d{d}",
                    "weight": {"value": 1, "confidence": "assumption"},
                    "indicators": [
                        {
                            "id": f"i{d}_{k}",
                            "name": f"i{d}_{k}",
                            "unit": "x",
                            "normalise": {"method": "goalpost", "min": 0, "max": 100},
                            "weight": {"value": 1 + k, "confidence": "assumption"},
                        }
                        for k in range(per_dimension)
                    ],
                }
                for d in range(dimensions)
            ],
        }
    )


def main() -> None:
    rule = rule_of(4, 5)
    rng = np.random.default_rng(1)
    data = UnitData(
        [f"u{i}" for i in range(21)],
        [i.id for i in rule.indicators],
        rng.uniform(0, 100, (21, 20)),
        {},
        2021,
        "synthetic",
    )
    result = score(rule, data, with_cheapest=False)
    timings = []
    for _ in range(5):
        began = time.perf_counter()
        analyse(result, 1000, 7)
        timings.append(time.perf_counter() - began)
    model = Model.of(rule)
    choice = draw(model, 50, 7)
    began = time.perf_counter()
    for run in range(50):  # reference: one run at a time, as a loop would do it
        aggregate(
            normalise(data.values, model),
            model,
            choice["indicator_weights"][run],
            choice["dimension_weights"][run],
        )
    loop = (time.perf_counter() - began) / 50 * 1000
    best = min(timings)
    print("21 units × 20 indicators, 1,000 runs")
    print(
        f"vectorized: {', '.join(f'{t * 1000:.0f}' for t in timings)} ms (best {best:.3f} s;"
        f" target ≤ 2 s)"
    )
    print(f"one run at a time: {loop:.3f} s for 1,000 (extrapolated from 50)")
    print(f"speed-up: {loop / best:.0f}×")


if __name__ == "__main__":
    main()
