"""Hostile options and the last-resort guard (issue 15) and watch without durable_rules
(issue 17)."""

from __future__ import annotations

import pytest

from ipscore import __version__, api
from ipscore.scenarios.solve import MAX_SWEEP_STEPS
from tests.hostile.conftest import assert_rejected, run_ipscore, run_ipscore_process

SCENARIO = "pledge-threshold-500"


@pytest.mark.parametrize(
    ("span", "words"),
    [
        ("0:1000:nan", ("finite",)),
        ("0:inf:1", ("finite",)),
        ("-inf:0:1", ("finite",)),
        ("0:1e12:1", ("sweep-steps",)),
        ("0:100000:1", ("sweep-steps", f"{MAX_SWEEP_STEPS:,}")),
        ("0:10", ("KEY=START:STOP:STEP",)),
        ("10:0:1", ("STOP ≥ START",)),
    ],
)
def test_sweep_ranges(span, words):
    result = run_ipscore("sweep", SCENARIO, "--vary", f"pledge_threshold={span}")
    assert_rejected(result, mentions=(f"pledge_threshold={span}", *words), within=10)


def test_sweep_step_cap_is_configurable(monkeypatch):
    monkeypatch.setenv("IPSCORE_MAX_SWEEP_STEPS", "3")
    result = run_ipscore("sweep", SCENARIO, "--vary", "x=0:10:1")
    assert_rejected(result, mentions=("sweep-steps", "11 steps"))


@pytest.mark.parametrize("value", ["[unclosed", "{a: 1", "'open", "&a [*b]"])
def test_bad_yaml_set_value(value):
    result = run_ipscore("whatif", "--base", "demo", "--set", f"x={value}")
    assert_rejected(result, mentions=("--set", "not YAML"), within=10)


def test_set_without_equals():
    assert_rejected(run_ipscore("whatif", "--base", "demo", "--set", "x"), mentions=("KEY=VALUE",))


def _explode(*args, **kwargs):
    raise ZeroDivisionError("planted")


def test_internal_error_is_one_line_exit_1_with_the_debug_hint(monkeypatch):
    monkeypatch.setattr(api, "bundled_rules", _explode)
    result = run_ipscore("rules", "list")
    assert_rejected(result, code=1, mentions=("internal error", "ZeroDivisionError", "--debug"))
    assert len(result.stderr.strip().splitlines()) == 1


def test_debug_shows_the_traceback(monkeypatch):
    monkeypatch.setattr(api, "bundled_rules", _explode)
    result = run_ipscore("--debug", "rules", "list")
    assert result.code == 1
    assert "Traceback" in result.stderr and "planted" in result.stderr


def test_file_system_errors_are_bad_input(monkeypatch, tmp_path):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "x.csv"))

    monkeypatch.setattr(api, "bundled_rules", denied)
    assert_rejected(run_ipscore("rules", "list"), file="x.csv", mentions=("Permission denied",))


def test_version():
    result = run_ipscore("--version")
    assert result.code == 0
    assert result.stdout.strip() == f"ipscore {__version__}"


def test_watch_without_durable_rules_says_what_and_which_python(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "durable", None)  # as on Python 3.13+
    result = run_ipscore("watch", "ipscore/data/demo-events-SYNTHETIC.jsonl")
    assert_rejected(result, mentions=("durable_rules", "Python 3.11 or 3.12", "ipscore watch"))
    assert result.stdout == ""


def test_a_real_process_gets_the_same_contract():
    """`python -m ipscore` end to end: the entry point, the guard and the exit code."""
    result = run_ipscore_process("sweep", SCENARIO, "--vary", "x=0:inf:1", seconds=60)
    assert_rejected(result, mentions=("finite",))
