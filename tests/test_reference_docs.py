"""docs/reference/ is generated from the code: a stale page fails here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "make_reference_docs.py"
_spec = importlib.util.spec_from_file_location("make_reference_docs", SCRIPT)
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)


@pytest.mark.parametrize("page", sorted(reference.PAGES))
def test_reference_page_is_up_to_date(page):
    path = reference.OUT / page
    written = path.read_text(encoding="utf-8") if path.exists() else ""
    assert written == reference.PAGES[page](), (
        f"{path} is stale: run `python scripts/make_reference_docs.py` and commit the result"
    )


def test_every_function_and_command_is_documented():
    functions = reference.functions()
    for name in reference.registry():
        assert f"`{name}(" in functions
    assert "## `ipscore rules check`" in reference.cli()
