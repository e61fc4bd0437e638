"""Run the `examples` a rule file carries: policy tests analysts can write."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ipscore.patents.classify import evaluate, prepare
from ipscore.patents.validate import validate
from ipscore.spec import PatentRule


@dataclass(frozen=True)
class ExampleResult:
    rule: str
    example: str
    passed: bool
    expected: dict[str, bool]
    got: dict[str, bool | str]


def run_examples(rule: PatentRule) -> list[ExampleResult]:
    results = []
    for example in rule.examples:
        batch = validate(pd.DataFrame([example.record]), f"{rule.id} example {example.id}")
        if len(batch) == 0:
            reason = "; ".join(batch.rejects["reason"])
            got: dict[str, bool | str] = dict.fromkeys(example.expect, f"rejected: {reason}")
        else:
            verdicts = evaluate(batch, prepare(rule, example.as_of))
            got = {key: bool(verdicts[key].iloc[0]) for key in example.expect}
        results.append(
            ExampleResult(rule.id, example.id, got == example.expect, example.expect, got)
        )
    return results
