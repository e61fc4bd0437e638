"""Projection of the high-value stock to future year-ends, from the register alone.

Two bases, each a count per region and date:
- `all_annuities_paid`: the register as it stands, every annuity paid, each invention
  ending at its 20-year term (专利法 第四十二条), classified at each date by the rule
  version in force then (so a version that drops a criterion shows in the line);
- `observed_lapse_rates`: the same patents, each weighted by its chance of surviving the
  anniversaries between as_of and the date, from the lapse rates by age that this
  register itself shows (lapsed inventions / inventions in force, per year of age).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ipscore.advise.paths import as_day
from ipscore.expr.dates import _anniversary, _parts, years_between_vec
from ipscore.patents.classify import evaluate, prepare
from ipscore.patents.population import Population, per_10k
from ipscore.patents.validate import PatentBatch
from ipscore.spec import PatentRule

#: 专利法 第四十二条: an invention patent's term is twenty years from the filing date.
INVENTION_TERM_YEARS = 20
MAX_AGE = 25
#: Fewer inventions than this at risk at an age: that age takes the pooled rate.
MIN_AT_RISK = 30


def projection_dates(as_of: dt.date, until: dt.date) -> list[dt.date]:
    """as_of, every 31 December after it up to `until`, and `until` itself."""
    dates = [as_of]
    dates += [dt.date(y, 12, 31) for y in range(as_of.year, until.year + 1)]
    dates.append(until)
    return sorted({d for d in dates if as_of <= d <= until})


def _days(column: pd.Series) -> np.ndarray:
    return np.asarray(column.to_numpy(), dtype="M8[D]")


def term_end(filing: np.ndarray) -> np.ndarray:
    missing = np.isnat(filing)
    y, m, d = _parts(np.where(missing, np.datetime64("2000-01-01", "D"), filing))
    end = _anniversary(y + INVENTION_TERM_YEARS, m, d)
    return np.where(missing, np.datetime64("NaT", "D"), end)


def with_term_lapses(batch: PatentBatch) -> PatentBatch:
    """The register with each patent lapsing at its term's end, unless it lapses earlier."""
    lapse = _days(batch.columns["lapse_date"])
    end = term_end(_days(batch.columns["filing_date"]))
    earliest = np.where(np.isnat(lapse) | (end < lapse), end, lapse)
    column = pd.Series(earliest.astype("M8[s]"), name="lapse_date")
    return dataclasses.replace(batch, columns={**batch.columns, "lapse_date": column})


def lapse_rates(batch: PatentBatch, as_of: dt.date) -> pd.DataFrame:
    """Per year of age k: inventions in force before their k-th anniversary (at risk),
    those that lapsed in that year of age, and the rate. Term expiries are not lapses."""
    invention = (batch.columns["patent_type"] == "invention").to_numpy()
    filing = _days(batch.columns["filing_date"])
    grant = _days(batch.columns["grant_date"])
    lapse = _days(batch.columns["lapse_date"])
    day = as_day(as_of)
    granted = invention & ~np.isnat(grant) & ~np.isnat(filing) & (grant <= day)
    lapsed = granted & ~np.isnat(lapse) & (lapse <= day)
    exit_day = np.where(lapsed, lapse, day)
    first = np.floor(years_between_vec(filing, grant)) + 1
    last = np.floor(years_between_vec(filing, exit_day))
    first = np.where(lapsed, np.minimum(first, last), first)
    use = granted & ~np.isnan(last) & (first <= last) & (last < MAX_AGE)
    events_at = last[use & lapsed].astype(np.int64)
    # difference array: +1 at the first age at risk, -1 after the last
    delta = np.bincount(first[use].astype(np.int64), minlength=MAX_AGE + 2)
    delta -= np.bincount(last[use].astype(np.int64) + 1, minlength=MAX_AGE + 2)
    at_risk = np.cumsum(delta)[: MAX_AGE + 1]
    lapses = np.bincount(events_at, minlength=MAX_AGE + 1)[: MAX_AGE + 1]
    lapses[INVENTION_TERM_YEARS:] = 0  # the end of the term is not a lapse
    pooled = lapses.sum() / max(int(at_risk.sum()), 1)
    # Ages with few patents at risk take the pooled rate rather than a noisy 0 or 100 %.
    rate = np.where(at_risk >= MIN_AT_RISK, lapses / np.maximum(at_risk, 1), pooled)
    rate[INVENTION_TERM_YEARS:] = 0.0
    return pd.DataFrame(
        {"age": np.arange(MAX_AGE + 1), "at_risk": at_risk, "lapsed": lapses, "rate": rate}
    )


def survival(rates: pd.DataFrame, filing: np.ndarray, start: dt.date, end: dt.date):
    """Each patent's chance of passing every anniversary in (start, end]."""
    log_keep = np.cumsum(np.log(np.clip(1.0 - rates["rate"].to_numpy(), 1e-12, 1.0)))
    age_start = np.floor(years_between_vec(filing, as_day(start)))
    age_end = np.floor(years_between_vec(filing, as_day(end)))
    ok = ~np.isnan(age_start) & ~np.isnan(age_end)
    a = np.clip(np.where(ok, age_start, 0), 0, MAX_AGE).astype(np.int64)
    b = np.clip(np.where(ok, age_end, 0), 0, MAX_AGE).astype(np.int64)
    return np.where(ok, np.exp(log_keep[b] - log_keep[a]), 1.0)


def project(
    batch: PatentBatch,
    rule: PatentRule,
    as_of: dt.date,
    until: dt.date,
    overrides: Mapping[str, Any] | None,
    tables: Mapping[str, Any] | None,
    population: Population | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows region, date, basis, high_value, population, per_10k; and the lapse rates."""
    future = with_term_lapses(batch)
    rates = lapse_rates(batch, as_of)
    filing = _days(batch.columns["filing_date"])
    regions = batch.columns["region"].astype(object).fillna("(none)").to_numpy()
    parts = []
    for day in projection_dates(as_of, until):  # a handful of dates: one pass each
        prepared = prepare(rule, day, _known(overrides, rule, day), tables)
        high = evaluate(future, prepared)["high_value"].to_numpy()
        weight = survival(rates, filing, as_of, day)
        frame = pd.DataFrame({"region": regions[high], "paid": 1.0, "observed": weight[high]})
        sums = frame.groupby("region", sort=True)[["paid", "observed"]].sum()
        sums.loc["(all)"] = sums.sum()
        sums = sums.rename(
            columns={"paid": "all_annuities_paid", "observed": "observed_lapse_rates"}
        )
        long = sums.reset_index().melt("region", var_name="basis", value_name="high_value")
        long["date"] = day
        parts.append(long)
    table = pd.concat(parts, ignore_index=True)
    return _per_10k(table, population), rates


def _known(overrides, rule: PatentRule, day: dt.date) -> dict[str, Any]:
    """Overrides of parameters the version in force at `day` has (a later version may
    drop one, e.g. the pledge threshold)."""
    params = rule.version_for(day).parameters
    return {k: v for k, v in (overrides or {}).items() if k in params}


def _per_10k(table: pd.DataFrame, population: Population | None) -> pd.DataFrame:
    """Population of the date's year (latest figure at or before it); the whole register
    ("(all)") only when every region in it has a figure."""
    table["population"] = np.nan
    if population is not None:
        years = table["date"].map(lambda d: d.year)
        for year in sorted(set(years)):
            people = population.for_year(year)["population"]
            rows = (years == year).to_numpy()
            table.loc[rows, "population"] = table.loc[rows, "region"].map(people).to_numpy()
            present = table.loc[rows & (table["region"] != "(all)").to_numpy(), "region"]
            total = people.reindex(present.unique()).sum(min_count=present.nunique())
            table.loc[rows & (table["region"] == "(all)").to_numpy(), "population"] = total
    table["per_10k"] = [
        per_10k(c, p) for c, p in zip(table["high_value"], table["population"], strict=True)
    ]
    return table.sort_values(["region", "basis", "date"], ignore_index=True)
