"""Read and validate a patent register in one step: a file, or a DataFrame with the
columns as exports name them (the same checks, the same rejects)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ipscore.patents.readers import read_patent_table, schema_columns
from ipscore.patents.validate import PatentBatch, validate

#: What a DataFrame is called in messages, where a file would be named.
DATAFRAME = "DataFrame"


def load_patents(
    source: str | Path | pd.DataFrame | PatentBatch, sheet: str | None = None
) -> PatentBatch:
    if isinstance(source, PatentBatch):
        return source
    if isinstance(source, pd.DataFrame):
        return validate(schema_columns(source.rename(columns=str), DATAFRAME), DATAFRAME)
    return validate(read_patent_table(source, sheet), str(source))
