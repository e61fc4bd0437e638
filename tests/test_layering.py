"""The package's import graph shows the design: no cycles, and nothing below the facade
imports it. grimp reads every import statement, including those inside functions (an
import inside a function hides a cycle from Python's loader, not from this test)."""

from __future__ import annotations

import collections
import graphlib
import subprocess
import sys
import textwrap

import grimp
import pytest

TOP = ("ipscore.api", "ipscore.cli", "ipscore.__main__")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    # Imports under `if TYPE_CHECKING:` name types for annotations only; they never run.
    return grimp.build_graph("ipscore", cache_dir=None, exclude_type_checking_imports=True)


def _edges(graph: grimp.ImportGraph, unit) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = collections.defaultdict(set)
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            if unit(importer) != unit(imported):
                edges[unit(importer)].add(unit(imported))
    return edges


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    try:
        graphlib.TopologicalSorter(edges).prepare()
    except graphlib.CycleError as error:
        return error.args[1]
    return None


def _module(name: str) -> str:
    return name


def _package(name: str) -> str:
    """ipscore.spec.models.patents → ipscore.spec; top-level modules stand for themselves."""
    return ".".join(name.split(".")[:2])


@pytest.mark.parametrize("unit", [_module, _package], ids=["modules", "packages"])
def test_no_import_cycles(graph, unit):
    cycle = _cycle(_edges(graph, unit))
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_nothing_below_the_facade_imports_it(graph):
    offending = [
        f"{importer} imports {imported}"
        for imported in ("ipscore.api", "ipscore.cli")
        for importer in graph.find_modules_that_directly_import(imported)
        if importer not in TOP and importer != "ipscore"
    ]
    assert offending == []


def test_the_checks_catch_what_they_are_for():
    """The cycle finder finds a planted cycle, and the graph holds imports inside functions."""
    assert _cycle({"a": {"b"}, "b": {"a"}}) is not None
    planted = grimp.build_graph("ipscore", cache_dir=None)
    planted.add_import(importer="ipscore.spec.loader", imported="ipscore.patents.schema")
    assert _cycle(_edges(planted, _package)) is not None
    # ipscore.report.handoff imports its writers inside a function.
    graph = grimp.build_graph("ipscore", cache_dir=None)
    assert graph.direct_import_exists(
        importer="ipscore.report.handoff", imported="ipscore.report.workbook"
    )


def test_domain_functions_need_no_import_side_effect():
    """ipc_under and award_in work in a fresh interpreter that never imported
    ipscore.patents: the registry loads its entry points itself."""
    script = textwrap.dedent(
        """
        import sys
        from ipscore.expr import Env, ScalarEvaluator, parse
        assert "ipscore.patents" not in sys.modules, "imported too early"
        record = {"ipc": ("G06N 3/08",), "awards": ("china_patent.gold",)}
        evaluator = ScalarEvaluator(record, Env({}), tracing=False)
        print(evaluator.truth(parse('ipc_under(ipc, "G06N")')),
              evaluator.truth(parse('award_in(awards, ["china_patent"])')))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
