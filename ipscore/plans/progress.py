"""Judge plan indicators against time (FACTS.md §4, common practice; no official formula).

- level and share: progress = (actual − base) ÷ (target − base);
- cumulative (新增): the additions since the base year ÷ the target sum;
- growth_rate (年均增长 x %): the realised compound annual growth against x;
- elapsed share (序时进度) = (year of the actual − base year) ÷ (target year − base year);
- at or after the target year: met / not_met; before it: met_early, on_track when
  progress ≥ elapsed, lagging otherwise; no_data without an actual; no_baseline when a
  level has no published baseline, so its pace cannot be judged.
A ≤ comparator reverses every comparison (the progress formula already does).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from ipscore.assumptions import merge, plan_assumptions
from ipscore.plans.actuals import Actuals
from ipscore.spec.models import Indicator, PlanRule
from ipscore.spec.models.common import provenance

STATUSES = ("met", "met_early", "on_track", "lagging", "not_met", "no_data", "no_baseline")


@dataclass(frozen=True)
class IndicatorResult:
    id: str
    name: str
    name_en: str
    unit: str
    category: str
    attribute: str | None
    kind: str
    baseline: float | None
    baseline_year: int | None
    target: float
    target_year: int
    comparator: str
    actual: float | None
    actual_year: int | None
    progress: float | None
    attainment: float | None  # actual ÷ target, shown where no baseline gives a progress
    elapsed: float | None
    status: str
    gap: float | None
    required_growth: float | None  # % a year from the latest actual to the target
    growth_so_far: float | None  # % a year since the baseline
    required_per_year: float | None  # cumulative indicators: additions a year still needed
    derived: bool
    source: str | None  # where the actual came from
    # The rule file's standing of this indicator: its confidence, and that of its baseline
    # and target where they differ; the indicator's citation, or the plan's (inherited).
    confidence: str = "confirmed"
    baseline_confidence: str | None = None
    target_confidence: str | None = None
    rule_source: str | None = None
    rule_source_inherited: bool = False

    @property
    def unconfirmed(self) -> bool:
        parts = (self.confidence, self.baseline_confidence, self.target_confidence)
        return any(c not in (None, "confirmed") for c in parts)


def meets(actual: float, target: float, comparator: str) -> bool:
    if comparator == ">=":
        return actual >= target
    if comparator == "<=":
        return actual <= target
    return math.isclose(actual, target, rel_tol=1e-9, abs_tol=1e-12)


def cagr(start: float, end: float, years: float) -> float | None:
    """Compound annual growth in %, or None where it is undefined."""
    if years <= 0 or start <= 0 or end < 0:
        return None
    return ((end / start) ** (1 / years) - 1) * 100


def _status(
    met: bool,
    progress: float | None,
    elapsed: float | None,
    year: int,
    indicator: Indicator,
    has_baseline: bool,
) -> str:
    if year >= indicator.target.year:
        return "met" if met else "not_met"
    if met and indicator.kind != "growth_rate":
        return "met_early"
    if not has_baseline and indicator.kind in ("level", "share"):
        return "no_baseline"
    if progress is None or elapsed is None:
        return "no_baseline"
    return "on_track" if progress >= elapsed else "lagging"


def _elapsed(plan: PlanRule, indicator: Indicator, year: int) -> float:
    start = (
        indicator.baseline.year
        if indicator.baseline and indicator.kind != "cumulative"
        else plan.base_year
    )
    span = indicator.target.year - start
    return (year - start) / span if span > 0 else 1.0


def _level(plan, indicator, rows) -> dict[str, Any]:
    latest = rows.iloc[-1]
    actual, year = float(latest["value"]), int(latest["year"])
    target, baseline = indicator.target, indicator.baseline
    progress = growth = None
    if baseline is not None and target.value != baseline.value:
        progress = (actual - baseline.value) / (target.value - baseline.value)
        growth = cagr(baseline.value, actual, year - baseline.year)
    years_left = target.year - year
    required = cagr(actual, target.value, years_left) if years_left > 0 else None
    return {
        "actual": actual,
        "actual_year": year,
        "progress": progress,
        "gap": target.value - actual,
        "required_growth": required,
        "growth_so_far": growth,
        "met": meets(actual, target.value, target.comparator),
        "has_baseline": baseline is not None,
        "derived": bool(latest["derived"]),
        "source": latest["source"],
    }


def _cumulative(plan, indicator, rows) -> dict[str, Any]:
    additions = rows[rows["year"] > plan.base_year]
    if additions.empty:
        return {}
    total, year = float(additions["value"].sum()), int(additions["year"].max())
    target = indicator.target
    years_left = target.year - year
    return {
        "actual": total,
        "actual_year": year,
        "progress": total / target.value,
        "gap": target.value - total,
        "required_growth": None,
        "growth_so_far": None,
        "required_per_year": (target.value - total) / years_left if years_left > 0 else None,
        "met": meets(total, target.value, target.comparator),
        "has_baseline": True,
        "derived": bool(additions["derived"].any()),
        "source": "; ".join(str(s) for s in additions["source"].dropna()),
    }


def _growth(plan, indicator, rows, actuals: Actuals, year: int) -> dict[str, Any]:
    target, base = indicator.target, plan.base_year
    if not rows.empty:  # the realised rate given directly, as in Guangdong's 十三五 table
        latest = rows.iloc[-1]
        rate, at, source = float(latest["value"]), int(latest["year"]), latest["source"]
    else:  # derived from the levels of the series it grows
        levels = actuals.for_indicator(indicator.grows, year) if indicator.grows else rows
        start = levels[levels["year"] == base]
        later = levels[levels["year"] > base]
        if start.empty or later.empty:
            return {}
        at = int(later["year"].iloc[-1])
        rate = cagr(float(start["value"].iloc[0]), float(later["value"].iloc[-1]), at - base)
        if rate is None:
            return {}
        source = f"derived: CAGR of {indicator.grows} {base}–{at}"
    rate_target = target.value / 100
    years_left, years_done = target.year - at, at - base
    required = None
    if years_left > 0:
        needed = (1 + rate_target) ** (target.year - base) / (1 + rate / 100) ** years_done
        required = (needed ** (1 / years_left) - 1) * 100
    return {
        "actual": rate,
        "actual_year": at,
        "progress": rate / target.value,
        "gap": target.value - rate,
        "required_growth": required,
        "growth_so_far": rate,
        "met": meets(rate, target.value, target.comparator),
        "has_baseline": True,
        "derived": rows.empty,
        "source": source,
    }


def _attainment(actual: float | None, indicator: Indicator) -> float | None:
    target = indicator.target
    if actual is None or target.value == 0 or actual == 0:
        return None
    return target.value / actual if target.comparator == "<=" else actual / target.value


def evaluate_indicator(
    plan: PlanRule, indicator: Indicator, actuals: Actuals, year: int
) -> IndicatorResult:
    rows = actuals.for_indicator(indicator.id, year)
    if indicator.kind == "growth_rate":
        found = _growth(plan, indicator, rows, actuals, year)
    elif rows.empty:
        found = {}
    elif indicator.kind == "cumulative":
        found = _cumulative(plan, indicator, rows)
    else:
        found = _level(plan, indicator, rows)
    status, elapsed = "no_data", None
    if found:
        elapsed = _elapsed(plan, indicator, found["actual_year"])
        status = _status(
            found["met"],
            found["progress"],
            elapsed,
            found["actual_year"],
            indicator,
            found["has_baseline"],
        )
    baseline = indicator.baseline
    return IndicatorResult(
        id=indicator.id,
        name=indicator.name,
        name_en=indicator.name_en,
        unit=indicator.unit,
        category=indicator.category,
        attribute=indicator.attribute,
        kind=indicator.kind,
        baseline=baseline.value if baseline else None,
        baseline_year=baseline.year if baseline else None,
        target=indicator.target.value,
        target_year=indicator.target.year,
        comparator=indicator.target.comparator,
        actual=found.get("actual"),
        actual_year=found.get("actual_year"),
        progress=found.get("progress"),
        attainment=_attainment(found.get("actual"), indicator),
        elapsed=elapsed,
        status=status,
        gap=found.get("gap"),
        required_growth=found.get("required_growth"),
        growth_so_far=found.get("growth_so_far"),
        required_per_year=found.get("required_per_year"),
        derived=found.get("derived", False),
        source=found.get("source"),
        **_standing(plan, indicator),
    )


def _standing(plan: PlanRule, indicator: Indicator) -> dict[str, Any]:
    cited = provenance(indicator.source, plan.source)
    baseline = indicator.baseline
    return {
        "confidence": indicator.confidence,
        "baseline_confidence": (baseline.confidence or indicator.confidence) if baseline else None,
        "target_confidence": indicator.target.confidence or indicator.confidence,
        "rule_source": cited["source"],
        "rule_source_inherited": cited["source_inherited"],
    }


@dataclass(frozen=True)
class PlanResult:
    plan: PlanRule
    region: str
    year: int
    indicators: list[IndicatorResult]
    #: assumptions of what fed it, e.g. the patent classification behind --from-patents
    upstream_assumptions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def assumptions(self) -> list[dict[str, Any]]:
        return merge(plan_assumptions(self.plan), self.upstream_assumptions)

    def counts(self, results: list[IndicatorResult] | None = None) -> dict[str, Any]:
        results = self.indicators if results is None else results
        counts = {s: sum(r.status == s for r in results) for s in STATUSES}
        met = counts["met"] + counts["met_early"]
        counts["completion_rate"] = met / len(results) if results else None
        return counts

    def by(self, key: str) -> dict[str, dict[str, Any]]:
        groups: dict[str, list[IndicatorResult]] = {}
        for result in self.indicators:
            groups.setdefault(getattr(result, key) or "unspecified", []).append(result)
        return {name: self.counts(group) for name, group in groups.items()}

    def to_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan.id,
            "title": self.plan.title,
            "region": self.region,
            "year": self.year,
            "base_year": self.plan.base_year,
            "target_year": self.plan.target_year,
            "indicators": [asdict(r) for r in self.indicators],
            "summary": self.counts(),
            "by_attribute": self.by("attribute"),
            "by_category": self.by("category"),
            "assumptions": self.assumptions,
        }


def evaluate_plan(plan: PlanRule, actuals: Actuals, year: int) -> PlanResult:
    return PlanResult(
        plan,
        actuals.region,
        year,
        [evaluate_indicator(plan, i, actuals, year) for i in plan.indicators],
    )
