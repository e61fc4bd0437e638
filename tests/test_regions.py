"""Places resolve to GB/T 2260 divisions; population files in Chinese and in persons."""

from __future__ import annotations

import pytest

from ipscore.errors import InputError
from ipscore.patents.population import load_population
from ipscore.regions import divisions, resolve_places


@pytest.mark.parametrize(
    ("place", "code"),
    [
        ("广州", "440100"),
        ("广州市", "440100"),
        ("440100", "440100"),
        ("440106000000", "440106"),
        ("天河区", "440106"),
        ("510000广东省广州市天河区珠江新城", "440106"),
        ("广东(44)", "440000"),
        ("44", "440000"),
        ("河南", "410000"),
        ("广东省", "440000"),
    ],
)
def test_spellings_resolve_to_one_division(place, code):
    assert resolve_places([place]).codes == [code]


@pytest.mark.parametrize("place", ["美国(US)", "火星", "999999"])
def test_unresolvable_places_say_why(place):
    resolution = resolve_places([place])
    assert resolution.codes == [None] and resolution.reasons[0]


def test_levels():
    table = divisions()
    assert table.at_level("440106", "city") == "440100"
    assert table.at_level("440106", "province") == "440000"
    assert table.at_level("440000", "city") == "440000"  # less precise stays as it is
    assert table.at_level("429004", "city") == "429004"  # 仙桃市: no city above it
    assert table.name("440100") == "广州市"


def _population(tmp_path, text: str):
    path = tmp_path / "pop.csv"
    path.write_text(text, "utf-8")
    return load_population(path)


def test_chinese_headers_and_places_in_any_spelling(tmp_path):
    population = _population(tmp_path, "地区,年份,常住人口\n广州,2021,1881.06\n")
    table = population.by_place(2021, "city")
    assert table.loc["440100", "population"] == 1881.06


def test_persons_are_recognised_and_converted(tmp_path):
    population = _population(tmp_path, "地区,年份,人口\n广州市,2021,18810600\n")
    assert population.table["population"].tolist() == [1881.06]
    assert "persons" in population.notes[0]
    by_unit = _population(tmp_path, "地区,年份,人口,单位\n广州市,2021,18810600,人\n")
    assert by_unit.table["population"].tolist() == [1881.06]
    by_header = _population(tmp_path, "地区,年份,常住人口(人)\n广州市,2021,18810600\n")
    assert by_header.table["population"].tolist() == [1881.06]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("地区,年份,人口\n广州市,2021,18810600\n韶关市,2021,285.5\n", "pop.csv:2: .*persons"),
        ("地区,年份,人口\n广州市,inf,1881\n", "pop.csv:2: year"),
        ("地区,年份,人口\n广州市,2021.5,1881\n", "pop.csv:2: year"),
        ("地区,年份,人口\n广州市,2021,inf\n", "pop.csv:2: .*population"),
        ("地区,年份,人口,单位\n广州市,2021,1881,千人\n", "pop.csv:2: unit"),
        (
            "地区,年份,人口\n广州市,2021,1881\n深圳市,2021,1768\n广州市,2021,1882\n",
            "pop.csv:4: .*line 2",
        ),
    ],
)
def test_bad_population_files_name_the_line(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        _population(tmp_path, text)


def test_bundled_statistics_carry_their_source():
    from ipscore.api import _DATA

    provinces = load_population(_DATA / "statistics" / "province-resident-population.csv")
    assert len(provinces.table) == 31 * 6
    assert provinces.by_place(2023, "province").loc["440000", "population"] > 12000
    national = load_population(_DATA / "statistics" / "national-population.csv")
    assert national.for_year(2023).loc["全国", "population"] == 140967
    readme = (_DATA / "statistics" / "README.md").read_text("utf-8")
    assert "data.stats.gov.cn" in readme and "ILLUSTRATIVE" in readme


def test_unresolvable_places_are_reported_with_counts_and_a_row():
    import datetime as dt

    import pandas as pd

    from ipscore import api
    from ipscore.patents.validate import validate
    from tests.conftest import BASE

    places = ["广州", "火星", "广州市", "火星", "天河区"]
    frame = pd.DataFrame(
        [{**BASE, "id": f"CN20201000000{i}", "region": p} for i, p in enumerate(places)]
    )
    rule = api.patent_rule("cn-high-value-invention")
    data = api.classify(validate(frame, "t"), rule, dt.date(2023, 12, 31)).to_json()
    assert [(r["region"], r["code"]) for r in data["regions"]] == [
        ("广州市", "440100"),
        ("火星", None),
    ]
    assert data["unresolved_regions"] == [
        {
            "place": "火星",
            "rows": 2,
            "first_row": 2,
            "reason": "no administrative division recognised",
        }
    ]
