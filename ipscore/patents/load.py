"""Read and validate a patent register in one step."""

from __future__ import annotations

from pathlib import Path

from ipscore.patents.readers import read_patent_table
from ipscore.patents.validate import PatentBatch, validate


def load_patents(path: str | Path, sheet: str | None = None) -> PatentBatch:
    return validate(read_patent_table(path, sheet), str(path))
