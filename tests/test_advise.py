"""`ipscore advise`: paths derived from the rule, risks, ineligible patents, projection."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ipscore import api
from ipscore.advise import advise
from ipscore.cli import app
from ipscore.patents.classify import evaluate, prepare
from ipscore.patents.population import Population
from tests.conftest import BASE, batch_of

runner = CliRunner()
AS_OF = dt.date(2023, 12, 31)


def _paths(advice, criterion: str | None = None) -> pd.DataFrame:
    paths = advice.paths.copy()
    paths["id"] = advice.batch.columns["id"].to_numpy()[paths["position"].to_numpy()]
    return paths if criterion is None else paths[paths["criterion"] == criterion]


def _maintained_on(batch, rule, day: dt.date) -> np.ndarray:
    return evaluate(batch, prepare(rule, day))["maintained"].to_numpy()


# --- the 10-year boundary ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filed", "as_of", "first"),
    [
        ("2014-06-01", "2023-12-31", "2024-06-02"),  # the example
        ("2012-02-29", "2021-12-31", "2022-03-01"),  # leap day: anniversary on 28 February
        ("2016-02-29", "2025-06-30", "2026-03-01"),  # into the 2026 version: same criterion
        ("2013-03-01", "2022-12-31", "2023-03-02"),
        ("2013-12-31", "2023-12-30", "2024-01-01"),  # one day before the year turns
    ],
)
def test_maintained_date_is_the_day_after_the_tenth_anniversary(rule, filed, as_of, first):
    batch = batch_of({"filing_date": filed, "grant_date": "2018-01-04"})
    advice = advise(batch, rule, dt.date.fromisoformat(as_of))
    path = _paths(advice, "maintained")
    assert len(path) == 1
    day = pd.Timestamp(path["date"].iloc[0]).date()
    assert day.isoformat() == first
    assert _maintained_on(batch, rule, day)[0]
    assert not _maintained_on(batch, rule, day - dt.timedelta(days=1))[0]


def test_annuities_due_before_the_maintained_date(rule):
    # Filed 2014-06-01: the anniversary 2024-06-01 falls before 2024-06-02, so one annuity
    # is due; from 2021-12-31, three (2022-06-01, 2023-06-01, 2024-06-01).
    batch = batch_of({"filing_date": "2014-06-01", "grant_date": "2016-01-04"})
    assert _paths(advise(batch, rule, AS_OF), "maintained")["annuities_due"].tolist() == [1]
    early = advise(batch, rule, dt.date(2021, 12, 31))
    assert _paths(early, "maintained")["annuities_due"].tolist() == [3]


def test_maintenance_start_override_moves_the_date(rule):
    batch = batch_of({"filing_date": "2014-06-01", "grant_date": "2016-01-04"})
    advice = advise(batch, rule, AS_OF, overrides={"maintenance_start": "grant_date"})
    assert pd.Timestamp(_paths(advice, "maintained")["date"].iloc[0]).date() == dt.date(2026, 1, 5)


@settings(max_examples=40, deadline=None)
@given(
    filed=st.lists(st.dates(dt.date(1996, 1, 1), dt.date(2023, 6, 30)), min_size=1, max_size=6),
    as_of=st.dates(dt.date(2021, 1, 1), dt.date(2025, 12, 30)),
)
def test_every_maintained_date_is_the_first_day_classify_says_maintained(rule, filed, as_of):
    rows = [{"filing_date": d.isoformat(), "grant_date": d.isoformat()} for d in filed]
    batch = batch_of(*rows)
    advice = advise(batch, rule, as_of, until=as_of)
    paths = advice.paths[advice.paths["criterion"] == "maintained"]
    for position, day in zip(paths["position"], paths["date"], strict=True):
        first = pd.Timestamp(day).date()
        assert first > as_of
        assert _maintained_on(batch, rule, first)[position]
        assert not _maintained_on(batch, rule, first - dt.timedelta(days=1))[position]
    # every eligible, not-yet-high-value patent got its date
    open_ = advice.verdicts["eligible"] & ~advice.verdicts["high_value"]
    assert set(paths["position"]) == set(np.flatnonzero(open_.to_numpy()))


# --- pledge gap -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "gap"),
    [("", 1000.0), ("0", 1000.0), ("999", 1.0), ("999.9999", 0.0001), ("1000", None)],
)
def test_pledge_gap_at_and_around_the_threshold(rule, amount, gap):
    advice = advise(batch_of({"pledge_amount": amount}), rule, AS_OF)
    pledge = _paths(advice, "pledge")
    if gap is None:
        assert advice.verdicts["high_value"].iloc[0]
        assert pledge.empty
    else:
        assert pledge["amount"].tolist() == [pytest.approx(gap)]


def test_pledge_gap_follows_an_overridden_threshold(rule):
    advice = advise(
        batch_of({"pledge_amount": "499"}), rule, AS_OF, overrides={"pledge_threshold": 500}
    )
    assert _paths(advice, "pledge")["amount"].tolist() == [pytest.approx(1.0)]


# --- several paths; ineligible; high-value risks ----------------------------------------------


def test_a_patent_with_several_paths(rule):
    advice = advise(batch_of({"pledge_amount": "400"}), rule, AS_OF)
    patent = advice.to_json()["patents"][0]
    assert set(patent) >= {"id", "eligible", "high_value", "paths", "risks"}
    assert patent["eligible"] and not patent["high_value"]
    by = {p["criterion"]: p for p in patent["paths"]}
    assert set(by) == {"strategic_emerging", "overseas_family", "maintained", "pledge", "award"}
    assert all(set(p) == {"criterion", "action", "date", "amount"} for p in patent["paths"])
    assert by["maintained"]["date"] == "2030-01-11" and by["maintained"]["amount"] is None
    # anniversaries 2024-01-10 … 2030-01-10 fall before the date
    assert (
        "pay the 7 annuities due before the date (first on 2024-01-10)"
        in (by["maintained"]["action"])
    )
    assert by["pledge"]["amount"] == pytest.approx(600.0) and by["pledge"]["date"] is None
    assert by["strategic_emerging"]["action"] == "determined by IPC; no action"
    assert "china_patent.gold" in by["award"]["action"]
    assert "HK, MO and TW" in by["overseas_family"]["action"]


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"patent_type": "utility_model"}, ["invention"]),
        ({"status": "lapsed", "lapse_date": "2023-05-01"}, ["in_force"]),
        ({"owner_country": "US"}, ["domestic"]),
    ],
)
def test_ineligible_patents_say_why_and_get_no_paths(rule, change, why):
    patent = advise(batch_of(change), rule, AS_OF).to_json()["patents"][0]
    assert patent["eligible"] is False
    assert patent["paths"] == []
    assert patent["not_eligible"] == why


def test_high_value_risks(rule):
    batch = batch_of(
        {"pledge_amount": "1500"},  # pledge only
        {"pledge_amount": "1500", "family_granted": "US"},  # two criteria
    )
    advice = advise(batch, rule, AS_OF, until=dt.date(2026, 6, 30))
    patents = advice.to_json()["patents"]
    first = {r["risk"] for r in patents[0]["risks"]}
    assert {"pledge_only", "single_criterion", "criterion_dropped", "annuity_due"} <= first
    assert patents[0]["rests_on"] == ["pledge"]
    second = {r["risk"] for r in patents[1]["risks"]}
    assert second == {"annuity_due"}
    due = [r for r in patents[1]["risks"] if r["risk"] == "annuity_due"]
    assert due[0]["date"] == "2024-01-10"
    short = advise(batch, rule, AS_OF, until=dt.date(2024, 1, 9)).to_json()["patents"][1]
    assert short["risks"] == []  # the annuity falls after the horizon


# --- projection against a hand count ------------------------------------------------------------


def test_projection_against_a_hand_count(rule):
    batch = batch_of(
        {"filing_date": "2014-06-01", "grant_date": "2016-06-01"},  # A: maintained 2024-06-02
        {"pledge_amount": "1000"},  # B: pledge; the 2026 version drops it
        {"filing_date": "2005-03-01", "grant_date": "2008-01-01"},  # C: term ends 2025-03-01
        {
            "filing_date": "2012-01-01",
            "grant_date": "2014-01-01",
            "status": "lapsed",
            "lapse_date": "2020-05-01",
        },  # D: lapsed
        {"family_granted": "US", "region": "深圳市"},  # E
    )
    people = pd.DataFrame(
        {"region": ["广州市", "深圳市"], "year": [2023, 2023], "population": [2.0, 4.0]}
    )
    advice = advise(batch, rule, AS_OF, dt.date(2026, 12, 31), population=Population(people, "t"))
    table = advice.projection.set_index(["region", "basis", "date"])

    def count(region, basis, year):
        return table.loc[(region, basis, dt.date(year, 12, 31)), "high_value"]

    paid = [count("广州市", "all_annuities_paid", y) for y in (2023, 2024, 2025, 2026)]
    assert paid == [2, 3, 2, 1]  # B+C; +A; −C (term); −B (pledge dropped in 2026)
    assert [count("深圳市", "all_annuities_paid", y) for y in (2023, 2026)] == [1, 1]
    assert count("(all)", "all_annuities_paid", 2024) == 4
    per = table.loc[("广州市", "all_annuities_paid", dt.date(2024, 12, 31)), "per_10k"]
    assert per == pytest.approx(1.5)
    # Observed lapses: 1 lapse in 31 invention-years at risk (A 7, B 1, C 16, D 6, E 1),
    # every age pooled (fewer than 30 at risk): each anniversary kept with 30/31.
    keep = 30 / 31
    assert advice.lapse_rates["lapsed"].sum() == 1
    assert advice.lapse_rates["at_risk"].sum() == 31
    observed = [count("广州市", "observed_lapse_rates", y) for y in (2023, 2024, 2025)]
    assert observed == pytest.approx([2, 3 * keep, 2 * keep**2])


def test_projection_against_a_plan_target(rule):
    batch = batch_of({"pledge_amount": "1000"}, {"family_granted": "US"})
    people = pd.DataFrame({"region": ["广州市"], "year": [2023], "population": [0.05]})
    plan = api.plan_rule("gz-14th-ip")
    advice = advise(batch, rule, AS_OF, population=Population(people, "t"), plan=plan)
    assert advice.until == dt.date(2025, 12, 31)  # the plan's target year-end
    projected = {p["basis"]: p for p in advice.plan["projected"]}
    assert projected["all_annuities_paid"]["per_10k"] == pytest.approx(40.0)
    assert projected["all_annuities_paid"]["meets"] is True


# --- command line -----------------------------------------------------------------------------


@pytest.fixture
def register(tmp_path):
    path = tmp_path / "r.csv"
    rows = [BASE, {**BASE, "id": "CN201400000002", "filing_date": "2014-06-01"}]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_cli_json_shape(register):
    result = runner.invoke(app, ["advise", str(register), "--as-of", "2023-12-31", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"as_of", "until", "patents", "projection", "assumptions"} <= set(data)
    assert data["as_of"] == "2023-12-31" and data["until"] == "2025-12-31"
    row = data["projection"][0]
    assert {"region", "date", "high_value", "per_10k", "basis"} <= set(row)
    second = next(p for p in data["patents"] if p["id"] == "CN201400000002")
    maintained = next(p for p in second["paths"] if p["criterion"] == "maintained")
    assert maintained["date"] == "2024-06-02"


def test_cli_set_and_rich_output(register):
    result = runner.invoke(
        app,
        ["advise", str(register), "--as-of", "2023-12-31", "--set", "pledge_threshold=500"],
    )
    assert result.exit_code == 0, result.output
    assert "2024-06-02" in result.stdout and "500" in result.stdout
    assert "Projection" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--until", "2020-01-01"], "before --as-of"),
        (["--plan", "gz-14th-ip"], "--population"),
        (["--set", "nothing=1"], "no parameter"),
        (["--report", "x.pdf"], ".xlsx or .html"),
    ],
)
def test_cli_bad_input_exits_2(register, args, message):
    result = runner.invoke(app, ["advise", str(register), "--as-of", "2023-12-31", *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_strategic_emerging_names_the_nearest_table_row(rule):
    # H01M 10/00 is in no rule of the 2021 table; the closest pattern of its subclass is
    # the subgroup H01M10/02 (rule 5.2).
    batch = batch_of({"ipc": "H01M 10/00"}, {"ipc": "A47J 27/00"})
    actions = _paths(advise(batch, rule, AS_OF), "strategic_emerging")["action"].tolist()
    assert actions[0] == (
        "determined by IPC; no action (nearest SEI table row in its subclass: "
        "H01M10/02 → 5.2 新能源汽车装置、配件制造)"
    )
    assert actions[1] == "determined by IPC; no action"  # no row in subclass A47J


def test_overseas_path_names_a_family_member_pending_abroad(register, tmp_path):
    families = tmp_path / "families.csv"
    families.write_text(
        "申请号,同族国家,是否授权\n"
        "CN201400000002,US,否\n"  # pending abroad: the way to a grant
        "CN201400000002,HK,否\n"  # HK is not 海外 under the default assumption
        "CN201400000002,WO,否\n",  # a PCT application, never a family member
        encoding="utf-8",
    )
    args = ["advise", str(register), "--as-of", "2023-12-31", "--json"]
    with_list = json.loads(runner.invoke(app, [*args, "--families", str(families)]).stdout)
    without = json.loads(runner.invoke(app, args).stdout)

    def overseas(data, patent):
        found = next(p for p in data["patents"] if p["id"] == patent)
        return next(p for p in found["paths"] if p["criterion"] == "overseas_family")["action"]

    assert overseas(with_list, "CN201400000002").startswith(
        "the grant of its family member pending in US"
    )
    assert "--families FILE" in overseas(without, "CN201400000002")
