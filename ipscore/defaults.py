"""The bundled demo data and the default date, shared by the library and its facade.

They live here, below every domain package, so that the scenario runner and the API facade
both reach them without the runner importing the facade that sits above it.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

DATA = Path(str(resources.files("ipscore").joinpath("data")))
DEMO_PATENTS = DATA / "demo-patents-SYNTHETIC.csv"
DEMO_POPULATION = DATA / "population-guangdong-ILLUSTRATIVE.csv"
ACTUALS = DATA / "actuals"


def default_as_of(today: dt.date | None = None) -> dt.date:
    """The last completed year-end: statistics count stocks at 31 December."""
    today = today or dt.date.today()
    return dt.date(today.year - 1, 12, 31)
