from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import pytest

from ipscore.patents.validate import PatentBatch, validate
from ipscore.spec import resolve_rule

os.environ["COLUMNS"] = "160"  # Rich reports in CLI tests: wide enough not to wrap names

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
