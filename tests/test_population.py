"""每万人口高价值发明专利拥有量: counts per 10,000 resident people."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ipscore import api
from ipscore.errors import InputError
from ipscore.patents.population import load_population, per_10k
from ipscore.patents.validate import validate
from tests.conftest import BASE


def test_guangzhou_2021_from_a_classification(rule):
    # FACTS.md §2: 37,000 high-value patents ÷ 1,881.06万 residents = 19.7 (reported as 20).
    rows = pd.DataFrame([BASE] * 37_000)
    rows["id"] = [f"CN{i:012d}" for i in range(37_000)]
    rows["region"] = "广州市"
    rows["ipc"] = "G06F 1/16"
    rows["filing_date"], rows["grant_date"] = "2018-01-10", "2020-02-01"
    result = api.classify(
        validate(rows, "gz"), rule, dt.date(2021, 12, 31), population_file=api.DEMO_POPULATION
    )
    (region,) = result.to_json()["regions"]
    assert region["high_value"] == 37_000 and region["population"] == 1881.06
    assert region["population_year"] == 2021
    assert round(region["per_10k"], 1) == 19.7


def test_latest_year_at_or_before_is_used(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("region,year,population\nA,2020,100\nA,2022,200\nB,2023,50\n", "utf-8")
    table = load_population(path).for_year(2021)
    assert table.loc["A", "population"] == 100 and "B" not in table.index


def test_no_population_gives_no_figure():
    assert per_10k(10, None) is None and per_10k(10, 0) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("region,year\nA,2020\n", "lacks column"),
        ("region,year,population\nA,2020,-1\n", "pop.csv:2"),
        ("region,year,population\nA,2020,1\nA,2020,2\n", "repeats year"),
    ],
)
def test_bad_population_tables(tmp_path, text, message):
    path = tmp_path / "pop.csv"
    path.write_text(text, "utf-8")
    with pytest.raises(InputError, match=message):
        load_population(path)
