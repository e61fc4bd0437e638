"""Index properties (hypothesis), the sensitivity analysis and the CLI of `score`/`whatif`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ipscore import api
from ipscore.cli import app
from ipscore.index.data import UnitData
from ipscore.index.score import Model, score
from ipscore.index.sensitivity import analyse, run_scores, saltelli, sobol, weight_sets
from ipscore.spec.models import IndexRule
from tests.test_index_methods import _data, _rule

runner = CliRunner()
GD = api.resolve_rule("gd-strong-city")
GP = {"method": "goalpost", "min": 0, "max": 10}


def mixed(floor: float = 1) -> IndexRule:
    """Four levels; min-max, goalposts and z-score; arithmetic, geometric, generalised."""
    return _rule(
        [
            (
                "s1",
                [
                    ("p1", [("a", dict(GP)), ("b", {"method": "min-max", "w": 2})]),
                    ("p2", [("c", {"method": "z-score", "mean": 50, "sd": 10, "clip": (0, 100)})]),
                ],
            ),
            ("s2", [("p3", [("d", dict(GP)), ("e", {"method": "min-max"})])], {"w": 2}),
        ],
        levels=[
            {"name": "pillars", "aggregate": "arithmetic"},
            {"name": "sub-indices", "aggregate": {"method": "geometric", "floor": floor}},
            {"name": "index", "aggregate": {"method": "generalised", "p": 2}},
        ],
    )


MIXED = mixed()
rows = st.integers(2, 7).flatmap(
    lambda n: st.lists(
        st.lists(st.floats(0, 10, allow_nan=False), min_size=5, max_size=5),
        min_size=n,
        max_size=n,
    )
)


@settings(max_examples=60, deadline=None)
@given(rows, st.randoms(use_true_random=False))
def test_scores_are_invariant_to_unit_order(values, random):
    values = np.array(values)
    order = list(range(len(values)))
    random.shuffle(order)
    first = score(MIXED, _data(MIXED, values))
    second = score(MIXED, _data(MIXED, values[order], units=[f"u{i}" for i in order]))
    for position, original in enumerate(order):
        a, b = first.units[original], second.units[position]
        assert a.unit == b.unit and a.rank == b.rank and a.status == b.status
        assert a.score == pytest.approx(b.score, abs=1e-9) or a.score == b.score


MONOTONE = _rule(
    [
        ("s1", [("p1", [("a", dict(GP)), ("b", {"method": "min-max"})])]),
        ("s2", [("p2", [("c", {"method": "percentile"}), ("d", dict(GP))])]),
    ],
    levels=[
        {"name": "pillars", "aggregate": {"method": "geometric", "floor": 1}},
        {"name": "sub-indices", "aggregate": {"method": "harmonic", "floor": 1}},
        {"name": "index", "aggregate": "copeland"},
    ],
)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.lists(st.floats(1, 10), min_size=4, max_size=4), min_size=2, max_size=6),
    st.integers(0, 3),
    st.floats(0.01, 5),
    st.integers(0, 5),
)
def test_raising_a_higher_is_better_indicator_never_lowers_the_score(values, column, step, who):
    values = np.array(values)
    who %= len(values)
    before = score(MONOTONE, _data(MONOTONE, values)).units[who].score
    values[who, column] += step
    after = score(MONOTONE, _data(MONOTONE, values)).units[who].score
    assert after >= before - 1e-9


weights = st.floats(0.01, 10)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(weights, min_size=1, max_size=4), min_size=1, max_size=4), weights)
def test_effective_weights_sum_to_one(groups, top):
    rule = _rule(
        [
            (
                f"g{g}",
                [(f"i{g}_{k}", {"method": "min-max", "w": w}) for k, w in enumerate(ws)],
                {"w": top * (g + 1)},
            )
            for g, ws in enumerate(groups)
        ]
    )
    effective = Model.of(rule).effective_weights()[: len(rule.indicators)]
    assert effective.sum() == pytest.approx(1)
    assert (effective > 0).all()


def _today(rule: IndexRule, values: np.ndarray) -> np.ndarray:
    """The engine before trees: goalposts clipped to 0–100, weighted arithmetic means over
    the indicators a unit has, then over its dimensions."""
    model = Model.of(rule)
    out = np.full(values.shape, np.nan)
    for i, ind in enumerate(rule.indicators):
        low, high = sorted(
            (ind.normalise.min * model.better[i], ind.normalise.max * model.better[i])
        )
        out[:, i] = np.clip((values[:, i] * model.better[i] - low) / (high - low) * 100, 0, 100)
    totals = []
    for row in out:
        dims, dw = [], []
        start = 0
        for d in rule.dimensions:
            part = row[start : start + len(d.indicators)]
            w = np.array([i.weight.value for i in d.indicators]) * np.isfinite(part)
            start += len(d.indicators)
            if w.sum():
                dims.append((w * np.nan_to_num(part)).sum() / w.sum())
                dw.append(d.weight.value)
        totals.append(np.dot(dims, dw) / sum(dw))
    return np.array(totals)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.floats(0, 6000), st.just(np.nan)), min_size=9, max_size=9),
        min_size=1,
        max_size=6,
    )
)
def test_the_two_level_bundled_model_gives_todays_results(values):
    values = np.array(values, dtype=float)
    values[:, 0] = np.nan_to_num(values[:, 0], nan=3.0)  # keep some coverage
    fields = {
        "has_ip_bureau": np.ones(len(values)),
        "major_infringement_incident": np.zeros(len(values)),
        "national_demonstration_city": np.zeros(len(values)),
    }
    data = UnitData(
        [f"u{i}" for i in range(len(values))],
        [i.id for i in GD.indicators],
        values,
        fields,
        2021,
        "t",
    )
    result = score(GD, data)
    expected = _today(GD, values)
    for unit, total in zip(result.units, expected, strict=True):
        if unit.score is not None:
            assert unit.score == pytest.approx(total, abs=1e-9)


# --- sensitivity ---------------------------------------------------------------------------


def test_sobol_indices_of_a_known_function():
    rng = np.random.default_rng(1)
    n, d = 20_000, 3
    x = saltelli(n, d, rng)
    y = 4 * x[:, 0] + x[:, 1]  # variance shares 16/17 and 1/17; x3 does nothing
    first, total = sobol(y, n, d)
    assert first == pytest.approx([16 / 17, 1 / 17, 0], abs=0.03)
    assert total == pytest.approx([16 / 17, 1 / 17, 0], abs=0.03)


def test_uniform_weight_noise_stays_within_the_declared_share():
    rule = _rule(
        [("a", [("x", {"method": "min-max", "w": 2}), ("y", {"method": "min-max"})])],
        sensitivity={"weights": {"method": "uniform", "noise": 0.2, "levels": [1]}},
    )
    model = Model.of(rule)
    drawn = weight_sets(model, 1, 500, np.random.default_rng(3))[:, :2]
    assert (drawn[:, 0] >= 1.6).all() and (drawn[:, 0] <= 2.4).all()
    assert drawn[:, 0].min() < 1.65 and drawn[:, 0].max() > 2.35
    assert (drawn[:, 1] >= 0.8).all() and (drawn[:, 1] <= 1.2).all()


def _r_type7(x: np.ndarray, p: float) -> float:
    """R's quantile(type = 7): h = (n − 1)p, interpolate between the order statistics."""
    x = np.sort(x)
    h = (len(x) - 1) * p
    low = int(np.floor(h))
    return x[low] + (h - low) * (x[min(low + 1, len(x) - 1)] - x[low])


def test_sensitivity_over_weights_and_alternatives_with_r_quantiles():
    rule = MIXED.model_copy(
        update={
            "sensitivity": MIXED.sensitivity.model_validate(
                {
                    "weights": {"method": "uniform", "noise": 0.25, "levels": [1, 2]},
                    "normalisations": ["min-max", "percentile"],
                    "aggregations": ["arithmetic", {"method": "geometric", "floor": 1}],
                    "drop_indicator": True,
                }
            )
        }
    )
    rng = np.random.default_rng(0)
    result = score(rule, _data(rule, rng.uniform(1, 10, (8, 5))))
    first = analyse(result, 64, seed=11)
    names = [i["name"] for i in first["inputs"]]
    assert names == [
        "weights level 1",
        "weights level 2",
        "normalisation",
        "aggregation",
        "drop indicator",
    ]
    assert first["scored_runs"] == 64 * (len(names) + 2)
    assert {row["input"] for row in first["sobol"]} == set(names)
    totals, _, _, _ = run_scores(result, 64, 11)
    ranks = (-totals[:128]).argsort(axis=1).argsort(axis=1) + 1  # no ties in uniform data
    for u, unit in enumerate(result.units):
        assert unit.rank_interval == pytest.approx(
            [_r_type7(ranks[:, u], 0.05), _r_type7(ranks[:, u], 0.95)]
        )
        assert unit.median_rank == pytest.approx(np.median(ranks[:, u]))
    again = score(rule, result.data)
    assert analyse(again, 64, seed=11) == first


# --- CLI --------------------------------------------------------------------------------


def test_score_set_changes_weights_goalposts_and_methods():
    base = api.score_index("gd-strong-city").unit("珠海市").score
    heavier = api.score_index("gd-strong-city", sets={"creation.weight": 0.9}).unit("珠海市").score
    assert heavier != base
    result = runner.invoke(
        app,
        [
            "score",
            "gd-strong-city",
            "--set",
            "gd-strong-city.high_value_per_10k.goalposts=[0, 20]",
            "--set",
            "levels.3.aggregate=minimum",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    index = data["levels"][-1]["nodes"][0]
    assert index["aggregation"] == "minimum"
    for unit in data["units"]:
        if unit["score"] is not None:
            assert unit["nodes"]["index"]["score"] == pytest.approx(
                min(unit["dimensions"].values())
            )
    wrong = runner.invoke(app, ["score", "gd-strong-city", "--set", "creatoin.weight=1"])
    assert wrong.exit_code == 2 and "did you mean 'gd-strong-city.creation.weight'" in wrong.stderr


def test_whatif_on_an_index_base():
    result = runner.invoke(
        app,
        [
            "whatif",
            "--base",
            "gd-strong-city",
            "--set",
            "gd-strong-city.creation.weight=0.6",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["delta"]["units"]["佛山市"]["score"] > 0
    unknown = runner.invoke(
        app, ["whatif", "--base", "gd-strong-city", "--set", "gd-strong-city.x=1"]
    )
    assert unknown.exit_code == 2 and "known: none" not in unknown.stderr


def test_error_text_in_square_brackets_is_printed(tmp_path):
    bad = tmp_path / "d.csv"
    bad.write_text("unit,indicator,year,value\n广州市,[bold]x[/bold],2021,20\n", "utf-8")
    result = runner.invoke(app, ["score", "gd-strong-city", "--data", str(bad)])
    assert result.exit_code == 2 and "'[bold]x[/bold]'" in result.stderr
    rule = tmp_path / "r.yaml"
    rule.write_text(
        GD._origin.read_text("utf-8").replace("qualify: '", "qualify: 'x[/red] and "), "utf-8"
    )
    checked = runner.invoke(app, ["rules", "check", str(rule)])
    assert checked.exit_code == 2 and "x[/red] and" in checked.stderr


def test_cheapest_only_when_asked_and_explain_names_it():
    plain = api.score_index("gd-strong-city")
    assert all(u.cheapest is None for u in plain.units)
    result = runner.invoke(app, ["score", "gd-strong-city", "--explain", "广州市"])
    assert result.exit_code == 0 and "cheapest next point" in result.stdout
    everyone = api.score_index("gd-strong-city", cheapest=True)
    assert all(u.cheapest["points"] > 0 for u in everyone.units if u.score is not None)


def test_provincial_example_is_built_from_raw_data_with_real_populations():
    result = api.score_index("cn-province-example")
    data = result.to_json()
    assert [level["level"] for level in data["levels"]] == [1, 2, 3, 4]
    raw = result.data
    guangdong = raw.units.index("广东省")
    assert raw.fields["population"][guangdong] == 12706  # NBS 2023 常住人口, 万人
    prepared = result.unit("广东省").prepared["high_value_stock"]
    expected = raw.values[guangdong, 0] / 12706  # per 10,000 residents
    treated = [c for c in data["preparation"] if c["step"] == "5: treat" and c["unit"] == "广东省"]
    assert prepared == pytest.approx(expected) or treated
    steps = {(c["step"], c["unit"], c["indicator"]) for c in data["preparation"]}
    assert ("1: screen group ≥ 0.5", "西藏自治区", None) in steps
    assert result.unit("西藏自治区").status == "insufficient_data"
    assert ("2: impute previous-year", "宁夏回族自治区", "ip_court_cases") in steps
    ningxia = raw.units.index("宁夏回族自治区")
    k = raw.indicators.index("ip_court_cases")
    assert result.unit("宁夏回族自治区").prepared["ip_court_cases"] == pytest.approx(
        raw.previous[ningxia, k] / raw.fields["population"][ningxia]
    )
    assert ("4: impute group-median", "青海省", "protection_satisfaction") in steps
    west = [u for u, r in zip(raw.units, raw.fields["region"], strict=True) if r == "西部"]
    others = [
        result.unit(u).prepared["protection_satisfaction"]
        for u in west
        if u not in ("青海省", "西藏自治区")
    ]
    assert result.unit("青海省").prepared["protection_satisfaction"] == pytest.approx(
        np.median(others)
    )


def test_a_geometric_mean_of_a_zero_names_the_node_and_unit():
    result = runner.invoke(
        app, ["score", "cn-province-example", "--set", "levels.3.aggregate.floor=null"]
    )
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "node environment: geometric mean of a score 0 (内蒙古自治区" in result.stderr


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"impute": {"method": "mean", "indicators": ["nope"]}}, "unknown indicator"),
        ({"denominate": {"indicators": ["a"], "by": "region"}}, "kind: number"),
        ({"impute": {"method": "group-mean"}}, "needs `by`"),
        ({"screen": {"threshold": 0.5, "by": "group", "level": 4}}, "is the top"),
    ],
)
def test_bad_preparation_steps_are_rule_errors(step, message):
    with pytest.raises(ValueError, match=message):
        _rule(
            [("p", [("a", dict(GP))])],
            fields=[{"id": "region", "name": "region", "kind": "text"}],
            prepare=[step],
        )


def test_set_a_parameter_of_a_shorthand_aggregation():
    rule = api.resolve_rule("cn-province-example")
    from ipscore.index.overrides import with_sets

    changed = with_sets(rule, {"levels.3.aggregate.floor": 5, "output.aggregate.p": 2})
    assert changed.levels[1].aggregate.floor == 5
    assert changed.dimensions[0].aggregate.method == "geometric"  # the level's, then p
    assert changed.dimensions[0].aggregate.p == 2
    changed = with_sets(GD, {"levels.3.aggregate": "geometric", "levels.3.aggregate.floor": 1})
    assert changed.level_aggregate(3).label() == "geometric floor=1"
