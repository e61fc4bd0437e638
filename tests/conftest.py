from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import Phase, settings

from ipscore.patents.validate import PatentBatch, validate
from ipscore.spec import resolve_rule

os.environ["COLUMNS"] = "160"  # Rich reports in CLI tests: wide enough not to wrap names

#: scripts/mutation.sh sets IPSCORE_MUTATION_EXAMPLES: every property test then runs at most
#: that many examples, derandomized, with no deadline, no example database and no shrinking
#: (a failure found is enough to kill a mutant; shrinking it can take minutes), so that one
#: mutant costs seconds and a rerun meets the same examples. Unset, nothing changes.
MUTATION_EXAMPLES = int(os.environ.get("IPSCORE_MUTATION_EXAMPLES", "0"))
FAST_PHASES = (Phase.explicit, Phase.generate)
if MUTATION_EXAMPLES:
    settings.register_profile(
        "mutation",
        max_examples=MUTATION_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=FAST_PHASES,
    )
    settings.load_profile("mutation")


def _capped(current: settings) -> settings:
    """The test's own settings with the mutation profile's limits applied on top."""
    return settings(
        current,
        max_examples=min(current.max_examples, MUTATION_EXAMPLES),
        derandomize=True,
        deadline=None,
        database=None,
        phases=[p for p in current.phases if p in FAST_PHASES],
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A test's own @settings(max_examples=...) beats the profile, so cap them here too.
    if not MUTATION_EXAMPLES:
        return
    for item in items:
        test = getattr(item, "obj", None)
        own = getattr(test, "_hypothesis_internal_use_settings", None)
        if isinstance(own, settings):
            test._hypothesis_internal_use_settings = _capped(own)
        machine = getattr(item, "cls", None)  # a RuleBasedStateMachine.TestCase
        if machine is not None and isinstance(getattr(machine, "settings", None), settings):
            machine.settings = _capped(machine.settings)


FIXTURES = Path(__file__).resolve().parent / "fixtures"
SOURCES = FIXTURES / "sources"  # copies of the project sources, see fixtures/PROVENANCE.md
AS_OF = dt.date(2023, 12, 31)

#: A valid, domestic, in-force invention that passes no criterion: tests change one thing.
BASE = {
    "id": "CN202010000001",
    "patent_type": "invention",
    "filing_date": "2020-01-10",
    "grant_date": "2022-02-01",
    "status": "valid",
    "lapse_date": "",
    "ipc": "A47J 27/00",
    "owner_country": "CN",
    "region": "广州市",
    "family_granted": "",
    "pledge_amount": "",
    "awards": "",
}


@pytest.fixture(scope="session")
def rule():
    return resolve_rule("cn-high-value-invention")


def batch_of(*changes: dict) -> PatentBatch:
    rows = [{**BASE, "id": f"CN2020100{i:05d}", **change} for i, change in enumerate(changes)]
    return validate(pd.DataFrame(rows, dtype=object), "test")
