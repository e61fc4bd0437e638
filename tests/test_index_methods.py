"""Each index method against values computed by hand from COINr's documented formulas:
normalisations with their parameters, aggregations, the winsorisation loop, group
imputation, per-group screening, a 4-level tree with mixed aggregations, `missing: zero`."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ipscore.errors import InputError
from ipscore.index.data import UnitData
from ipscore.index.methods import aggregate, normalise_column
from ipscore.index.prepare import kurt, log_ct, prepare, skew, treat, winsorise
from ipscore.index.score import Model, score
from ipscore.spec.models import IndexRule
from ipscore.spec.models.index import Aggregate, Normalise, TreatSpec

X = np.array([1.0, 2.0, 4.0, 8.0, np.nan])


def norm(method: str, better: float = 1, x=X, **params) -> list:
    out = normalise_column(x, Normalise(method=method, **params), better)
    return [None if np.isnan(v) else round(float(v), 6) for v in out]


def test_min_max_any_range():  # n_minmax: (x - min)/(max - min)·(u - l) + l
    assert norm("min-max") == [0, round(100 / 7, 6), round(300 / 7, 6), 100, None]
    assert norm("min-max", range=(1, 10)) == [
        1,
        round(1 + 9 / 7, 6),
        round(1 + 27 / 7, 6),
        10,
        None,
    ]
    # lower is better: COINr multiplies by −1 first, so the lowest value scores the top
    assert norm("min-max", better=-1) == [100, round(600 / 7, 6), round(400 / 7, 6), 0, None]


def test_z_score_mean_sd_sample_or_population_and_clip():  # n_zscore, sd() = sample SD
    mean, sample = 3.75, math.sqrt(28.75 / 3)
    population = math.sqrt(28.75 / 4)
    assert norm("z-score") == [round((v - mean) / sample, 6) for v in (1, 2, 4, 8)] + [None]
    scaled = norm("z-score", mean=50, sd=10, sd_of="population")
    assert scaled[:4] == [round(50 + 10 * (v - mean) / population, 6) for v in (1, 2, 4, 8)]
    clipped = norm("z-score", mean=50, sd=10, sd_of="population", clip=(40, 60))
    assert clipped[:4] == [40, round(50 + 10 * (2 - mean) / population, 6), scaled[2], 60]


def test_goalposts_both_directions_truncation_and_scale():  # n_goalposts
    assert norm("goalpost", min=0, max=5) == [20, 40, 80, 100, None]
    assert norm("goalpost", better=-1, min=0, max=5) == [80, 60, 20, 0, None]
    assert norm("goalpost", min=0, max=5, truncate=False)[3] == 160
    assert norm("goalpost", min=0, max=5, scale=1) == [0.2, 0.4, 0.8, 1, None]


def test_distance_to_target_coinr_and_ipscore_ratio():
    # n_dist2targ: (x − min)/(targ − min); lower: (max − x)/(max − targ); cap_max
    assert norm("distance-to-target", target=6) == [0, 20, 60, 140, None]
    assert norm("distance-to-target", target=6, cap=True)[3] == 100
    assert norm("distance-to-target", better=-1, target=2) == [
        round(700 / 6, 6),
        100,
        round(400 / 6, 6),
        0,
        None,
    ]
    # ipscore's former distance-to-target, kept under its own name: value / target, clipped
    assert norm("ratio-to-target", target=5) == [20, 40, 80, 100, None]
    assert norm("ratio-to-target", better=-1, target=2) == [100, 100, 50, 25, None]


def test_rank_ties_and_percentile():  # n_rank, n_prank = (rank − 1)/(n − 1)
    x = np.array([3.0, 1.0, 3.0, 2.0])
    assert norm("rank", x=x) == [3, 1, 3, 2]
    assert norm("rank", x=x, ties="average") == [3.5, 1, 3.5, 2]
    assert norm("rank", x=x, ties="max") == [4, 1, 4, 2]
    assert norm("rank", x=x, ties="first") == [3, 1, 4, 2]
    assert norm("rank", x=x, better=-1) == [1, 4, 1, 3]
    assert norm("percentile", x=x) == [round(200 / 3, 6), 0, round(200 / 3, 6), round(100 / 3, 6)]


def agg(method: str, x, w, **params) -> float:
    return float(
        aggregate(np.array([x], float), np.array(w, float), Aggregate(method=method, **params))[0]
    )


def test_aggregations_reweight_over_what_a_unit_has():
    x, w = [4.0, 1.0, np.nan], [1, 1, 2]
    assert agg("arithmetic", x, w) == 2.5  # a_amean
    assert agg("geometric", x, w) == pytest.approx(2)  # a_gmean
    assert agg("harmonic", x, w) == pytest.approx(2 / (1 / 4 + 1))  # a_hmean
    assert agg("generalised", x, w, p=2) == pytest.approx(math.sqrt(8.5))  # a_genmean
    assert agg("generalised", x, w, p=1) == pytest.approx(2.5)
    assert agg("minimum", x, w) == 1
    assert agg("geometric", [4.0, 0.0], [1, 1], floor=1) == pytest.approx(2)


def test_geometric_of_a_zero_is_an_error_unless_a_floor_is_declared():
    with pytest.raises(InputError, match="declare `floor:`"):
        agg("geometric", [4.0, 0.0], [1, 1])
    with pytest.raises(InputError, match="harmonic"):
        agg("harmonic", [4.0, 0.0], [1, 1])


def test_copeland_counts_pairwise_wins():  # a_copeland over the outranking matrix
    x = np.array([[3.0, 1.0], [2.0, 2.0], [1.0, 3.0]])
    out = aggregate(x, np.array([0.6, 0.4]), Aggregate(method="copeland"))
    assert list(out) == [2, 0, -2]
    even = aggregate(x, np.array([0.5, 0.5]), Aggregate(method="copeland"))
    assert list(even) == [0, 0, 0]


def test_skew_and_kurtosis_are_excels():  # COINr skew()/kurt(): e1071 type 2
    x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    n, d = 5, x - x.mean()
    m2, m3, m4 = (d**2).mean(), (d**3).mean(), (d**4).mean()
    g1, g2 = m3 / m2**1.5, m4 / m2**2 - 3
    assert skew(x) == pytest.approx(g1 * math.sqrt(n * (n - 1)) / (n - 2))
    assert kurt(x) == pytest.approx(((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3)))


def test_winsorisation_loop_on_a_skewed_indicator():
    x = np.array([*range(1, 19), 200.0, 300.0])  # skew 3.10, kurtosis 9.09: fails
    treated, points = winsorise(x, TreatSpec())
    # 300 → 200 (still failing), then both 200s → 18: two points, now passing
    assert list(treated[-3:]) == [18, 18, 18] and points == [(18, "winhi"), (19, "winhi")]
    assert abs(skew(treated)) < 2


def test_log_ct_when_winsorising_up_to_winmax_does_not_suffice():
    x = np.array([*range(1, 23), 100.0, 200.0, 300.0, 400.0, 500.0])
    rule = _rule([("a", [("x", {"method": "min-max"})])])
    out, notes = treat(rule, x[:, None], TreatSpec(winmax=1))
    assert notes[0][1]["treatment"] == "log_CT"  # COINr's f2, applied to the original x
    assert np.allclose(out[:, 0], np.log(x - 1 + 0.01 * 499))
    assert np.allclose(log_ct(x), out[:, 0])


def _rule(groups, **extra) -> IndexRule:
    """groups: [(id, [(indicator id, normalise) …]) …] or nested for deeper trees."""

    def node(spec):
        gid, children, *more = spec
        options = more[0] if more else {}
        body = {
            "id": gid,
            "name": gid,
            "weight": {"value": options.get("w", 1), "confidence": "assumption"},
        }
        if "aggregate" in options:
            body["aggregate"] = options["aggregate"]
        if isinstance(children[0][1], dict):
            body["indicators"] = [
                {
                    "id": iid,
                    "name": iid,
                    "unit": "x",
                    "normalise": n,
                    "weight": {
                        "value": n.pop("w", 1) if "w" in n else 1,
                        "confidence": "assumption",
                    },
                    **({"direction": n.pop("direction")} if "direction" in n else {}),
                }
                for iid, n in children
            ]
        else:
            body["dimensions"] = [node(c) for c in children]
        return body

    return IndexRule.model_validate(
        {
            "id": "t",
            "title": "t",
            "title_en": "t",
            "kind": "index",
            "official": False,
            "notice": "test",
            "source": {"document": "test", "confidence": "unconfirmed"},
            "qualify": "total >= 0",
            "coverage": 0.01,
            "dimensions": [node(g) for g in groups],
            **extra,
        }
    )


def _data(rule, values, fields=None, units=None) -> UnitData:
    values = np.asarray(values, float)
    return UnitData(
        units or [f"u{i}" for i in range(len(values))],
        [i.id for i in rule.indicators],
        values,
        fields or {},
        2021,
        "test",
    )


def test_group_imputation_by_a_unit_attribute():
    rule = _rule(
        [("a", [("x", {"method": "min-max"}), ("y", {"method": "min-max"})])],
        fields=[{"id": "region", "name": "region", "kind": "text"}],
        prepare=[{"impute": {"method": "group-mean", "by": "region"}}],
    )
    values = [[1, 10], [3, 20], [np.nan, 30], [100, 40], [np.nan, 50]]
    region = np.array(["east", "east", "east", "west", "west"], dtype=object)
    done = prepare(rule, _data(rule, values, {"region": region}))
    assert done.values[2, 0] == 2  # the mean of east's 1 and 3 (COINr i_mean_grp)
    assert done.values[4, 0] == 100  # west's only value
    assert [(c["unit"], c["indicator"], c["after"]) for c in done.changes] == [
        ("u2", "x", 2.0),
        ("u4", "x", 100.0),
    ]
    median = rule.model_copy(
        update={
            "prepare": [
                rule.prepare[0].model_copy(
                    update={
                        "impute": rule.prepare[0].impute.model_copy(
                            update={"method": "group-median"}
                        )
                    }
                )
            ]
        }
    )
    values[1][0] = 5
    values[0][0] = 1
    values.insert(0, [2, 5])
    region = np.array(["east", *region], dtype=object)
    assert prepare(median, _data(median, values, {"region": region})).values[3, 0] == 2


def test_screening_overall_and_per_group():
    groups = [
        ("a", [("x", {"method": "min-max"}), ("y", {"method": "min-max"})]),
        ("b", [("z", {"method": "min-max"}), ("v", {"method": "min-max"})]),
    ]
    values = [[1, np.nan, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3]]  # u0: 75 % overall, 50 % in a
    overall = _rule(groups, prepare=[{"screen": {"threshold": 0.6}}])
    by_group = _rule(groups, prepare=[{"screen": {"threshold": 0.6, "by": "group"}}])
    assert not prepare(overall, _data(overall, values)).screened.any()
    done = prepare(by_group, _data(by_group, values))
    assert list(done.screened) == [True, False, False]
    result = score(by_group, _data(by_group, values))
    assert result.units[0].status == "insufficient_data" and result.units[0].score is None
    # a screened unit leaves the comparison: min-max over u1 and u2 only
    assert result.units[1].normalised["x"] == 0 and result.units[2].normalised["x"] == 100


def four_levels() -> IndexRule:
    gp = {"method": "goalpost", "min": 0, "max": 10}
    return _rule(
        [
            (
                "s1",
                [
                    ("p1", [("a", dict(gp)), ("b", dict(gp, w=3))]),
                    ("p2", [("c", dict(gp))], {"aggregate": "minimum"}),
                ],
                {"w": 1},
            ),
            ("s2", [("p3", [("d", dict(gp)), ("e", dict(gp))])], {"w": 3}),
        ],
        levels=[
            {"name": "pillars", "aggregate": "arithmetic"},
            {"name": "sub-indices", "aggregate": {"method": "geometric"}},
            {"name": "index", "aggregate": "harmonic"},
        ],
    )


def test_four_level_tree_with_mixed_aggregations():
    rule = four_levels()
    assert rule.depth == 4
    result = score(rule, _data(rule, [[2, 6, 5, 4, 9], [10, 10, 10, 10, 10]]))
    u = result.units[0]
    p1 = (20 * 1 + 60 * 3) / 4  # arithmetic, weights 1:3 → 50
    p2 = 50.0
    s1 = math.sqrt(p1 * p2)  # geometric, equal weights → 50
    s2 = (40 + 90) / 2  # one pillar → 65
    total = 1 / (0.25 / s1 + 0.75 / s2)  # harmonic, weights 1:3
    assert u.nodes["p1"]["score"] == pytest.approx(p1)
    assert u.nodes["s1"]["score"] == pytest.approx(s1)
    assert u.nodes["s2"]["score"] == pytest.approx(s2)
    assert u.score == pytest.approx(total)
    assert result.units[1].score == pytest.approx(100) and result.units[1].rank == 1
    data = result.to_json()
    assert [level["name"] for level in data["levels"]] == [
        "indicators",
        "pillars",
        "sub-indices",
        "index",
    ]
    effective = Model.of(rule).effective_weights()
    assert data["effective_weights"]["b"] == pytest.approx(0.25 * 0.5 * 0.75)
    assert sum(data["effective_weights"].values()) == pytest.approx(1)
    assert effective[-1] == 1
    # points add up only where every aggregation above is arithmetic: none here
    assert u.contributions["a"] is None


def test_missing_zero_for_a_lower_is_better_indicator():
    groups = [
        ("a", [("cost", {"method": "min-max", "direction": "lower"}), ("x", {"method": "min-max"})])
    ]
    zero = _rule(groups, missing="zero")
    values = [[10, 1], [20, 2], [np.nan, 3], [30, 4]]
    result = score(zero, _data(zero, values))
    missing = result.units[2]
    assert missing.normalised["cost"] == 0  # zero points, not the best (100)
    # the others' normalisation is what it is without the missing unit: 10 → 100, 30 → 0
    assert [result.units[k].normalised["cost"] for k in (0, 1, 3)] == [100, 50, 0]
    assert missing.score == pytest.approx((0 + 100 * 2 / 3) / 2)
