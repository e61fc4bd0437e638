"""The 高价值发明专利 rule: each criterion's boundary and each eligibility exclusion."""

from __future__ import annotations

import datetime as dt

import pytest

from ipscore.patents.classify import evaluate, prepare
from ipscore.patents.examples import run_examples
from tests.conftest import AS_OF, batch_of


def verdict(rule, change: dict, as_of=AS_OF, **overrides):
    batch = batch_of(change)
    assert len(batch) == 1, batch.rejects.to_dict("records")
    return evaluate(batch, prepare(rule, as_of, overrides)).iloc[0]


def test_base_record_is_eligible_and_passes_nothing(rule):
    row = verdict(rule, {})
    assert row["eligible"] and not row["high_value"]


@pytest.mark.parametrize(
    ("filing", "passes"),
    [
        ("2013-12-31", False),  # exactly 10 years at 2023-12-31: not "more than 10"
        ("2013-12-30", True),  # one day more
        ("2014-01-01", False),
    ],
)
def test_maintained_is_strictly_more_than_ten_calendar_years(rule, filing, passes):
    row = verdict(rule, {"filing_date": filing, "grant_date": "2016-01-01"})
    assert row["maintained"] == passes == row["high_value"]


def test_maintained_from_29_february(rule):
    change = {"filing_date": "2012-02-29", "grant_date": "2014-01-01"}
    assert not verdict(rule, change, dt.date(2022, 2, 28))["maintained"]
    assert verdict(rule, change, dt.date(2022, 3, 1))["maintained"]


def test_maintenance_start_can_be_the_grant_date(rule):
    change = {"filing_date": "2012-01-01", "grant_date": "2015-01-01"}
    assert verdict(rule, change)["maintained"]
    assert not verdict(rule, change, maintenance_start="grant_date")["maintained"]


@pytest.mark.parametrize(
    ("amount", "passes"), [("999.99", False), ("1000", True), ("1000.01", True), ("", False)]
)
def test_pledge_at_the_threshold_counts(rule, amount, passes):
    assert verdict(rule, {"pledge_amount": amount})["pledge"] == passes


def test_hong_kong_as_the_only_family_member(rule):
    assert not verdict(rule, {"family_granted": "HK"})["overseas_family"]
    assert verdict(rule, {"family_granted": "HK"}, hk_mo_tw_is_overseas=True)["overseas_family"]
    assert verdict(rule, {"family_granted": "HK;US"})["overseas_family"]
    assert not verdict(rule, {"family_granted": "CN"})["overseas_family"]


@pytest.mark.parametrize(
    "award",
    ["中国专利金奖", "中国专利银奖", "中国专利优秀奖", "国家科学技术奖", "china_patent_gold"],
)
def test_awards_in_either_spelling(rule, award):
    assert verdict(rule, {"awards": award})["award"]


def test_provincial_award_does_not_count(rule):
    assert not verdict(rule, {"awards": "广东专利奖"})["award"]


def test_sei_scope_main_only_ignores_secondary_codes(rule):
    change = {"ipc": "A47J 27/00;G06F 16/30"}
    assert verdict(rule, change)["strategic_emerging"]
    assert not verdict(rule, change, sei_ipc_scope="main")["strategic_emerging"]


@pytest.mark.parametrize(
    ("change", "failed"),
    [
        ({"patent_type": "实用新型"}, "invention"),
        ({"patent_type": "design"}, "invention"),
        ({"status": "失效", "lapse_date": "2023-06-01"}, "in_force"),
        ({"status": "lapsed", "lapse_date": "2023-12-31"}, "in_force"),
        ({"status": "审中", "grant_date": ""}, "in_force"),
        ({"grant_date": "2024-01-02"}, "in_force"),
        ({"owner_country": "US"}, "domestic"),
        ({"owner_country": "中国香港"}, "domestic"),
        ({"owner_country": "TW"}, "domestic"),
    ],
)
def test_ineligible_patents_are_excluded_even_when_a_criterion_passes(rule, change, failed):
    row = verdict(rule, {**change, "ipc": "G06F 16/30"})
    assert row["strategic_emerging"]
    assert not row[failed] and not row["eligible"] and not row["high_value"]
    assert row["reasons"] == f"not eligible: {failed}"


def test_lapsed_after_as_of_was_in_force(rule):
    assert verdict(rule, {"status": "失效", "lapse_date": "2024-01-01"})["in_force"]


def test_as_of_selects_the_version(rule):
    assert prepare(rule, dt.date(2025, 12, 31)).version.confidence == "confirmed"
    later = prepare(rule, dt.date(2026, 1, 1))
    assert later.version.confidence == "unconfirmed"
    assert "pledge" not in later.criteria_ids and len(later.criteria_ids) == 4
    with pytest.raises(LookupError, match="no version in force on 2020-12-31"):
        prepare(rule, dt.date(2020, 12, 31))


def test_unknown_override_names_close_matches(rule):
    with pytest.raises(KeyError, match="pledge_threshold"):
        prepare(rule, AS_OF, {"pledge_treshold": 500})


def test_rule_examples_pass(rule):
    results = run_examples(rule)
    assert len(results) >= 9
    assert all(r.passed for r in results), [r for r in results if not r.passed]


def test_every_condition_cites_a_source(rule):
    for version in rule.versions:
        for _, condition in version.conditions:
            source = condition.source or rule.source
            assert source.document and source.confidence
        for name, parameter in version.parameters.items():
            assert parameter.confidence in ("confirmed", "unconfirmed", "assumption"), name
