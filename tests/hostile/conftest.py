"""Helpers for the hostile-input suite (issue 15), shared by every tests/hostile/ file.

`run_ipscore` runs the real entry point (`ipscore.cli.main`, guard included) in this process
under a wall-clock alarm, so a hang fails the test instead of stalling CI; `run_ipscore_process`
does the same in a fresh interpreter for what must be seen from outside. `assert_rejected`
states the contract: the exit code, a message naming the file (and line), no traceback."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from ipscore.bundled import bundled_dir

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SECONDS = 20  # generous on a loaded 2-core CI machine; the cases take well under


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float


class TookTooLong(BaseException):
    """Raised by the alarm; a BaseException so the guard under test cannot swallow it."""


def run_ipscore(*args: str, seconds: float = DEFAULT_SECONDS) -> Run:
    """`ipscore ARGS` in this process, through the real guard, bounded by `seconds`."""
    from ipscore.cli import main

    def _alarm(signum, frame):
        raise TookTooLong(f"ipscore {' '.join(args)} ran longer than {seconds} s")

    stdout, stderr = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.perf_counter()
    code = 0
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            main(list(args))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except TookTooLong as late:
        pytest.fail(str(late))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return Run(code, stdout.getvalue(), stderr.getvalue(), time.perf_counter() - started)


def run_ipscore_process(*args: str, seconds: float = 60, env: dict[str, str] | None = None) -> Run:
    """`python -m ipscore ARGS` in a fresh interpreter, killed after `seconds`."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ipscore", *args],
            capture_output=True,
            text=True,
            timeout=seconds,
            cwd=REPO,
            env=env,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"ipscore {' '.join(args)} ran longer than {seconds} s")
    return Run(done.returncode, done.stdout, done.stderr, time.perf_counter() - started)


def assert_rejected(
    run: Run,
    *,
    code: int = 2,
    file: str | Path | None = None,
    line: bool = False,
    mentions: tuple[str, ...] = (),
    within: float | None = None,
) -> None:
    """The bad-input contract: exit `code`, no traceback, the file (with `:LINE` when
    `line`) and every word of `mentions` in the message, and within `within` seconds."""
    shown = f"exit {run.code}\nstdout: {run.stdout[-2000:]}\nstderr: {run.stderr[-2000:]}"
    assert run.code == code, shown
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout, shown
    assert run.stderr.strip(), "no message on stderr\n" + shown
    message = " ".join(run.stderr.split())  # Rich may wrap long lines
    if file is not None:
        name = Path(file).name
        pattern = re.escape(name) + (r":\d+" if line else "")
        assert re.search(pattern, message), f"no {pattern!r} in the message\n" + shown
    for word in mentions:
        assert word in message, f"no {word!r} in the message\n" + shown
    if within is not None:
        assert run.seconds < within, f"took {run.seconds:.1f} s (> {within} s)\n" + shown


def bundled_rule_path(relative: str) -> Path:
    """A bundled rule file, e.g. "patents/cn-high-value-invention.yaml"."""
    return bundled_dir("rules") / relative


def rule_copy(
    tmp_path: Path,
    relative: str = "patents/cn-high-value-invention.yaml",
    edit: Callable[[dict[str, Any]], None] | None = None,
    text: Callable[[str], str] | None = None,
) -> Path:
    """A copy of a bundled rule file under tmp_path with its tables beside it (a table must
    sit in the rule's folder unless --allow-table-path), changed by `edit` (on the data) or
    `text` (on the YAML text)."""
    source = bundled_rule_path(relative)
    target = tmp_path / "rules" / Path(relative).name
    target.parent.mkdir(parents=True, exist_ok=True)
    tables = bundled_dir("rules") / "tables"
    if tables.is_dir() and not (target.parent / "tables").exists():
        shutil.copytree(tables, target.parent / "tables")
    content = source.read_text("utf-8").replace("../tables/", "tables/")
    if edit is not None:
        data = yaml.safe_load(content)
        edit(data)
        content = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if text is not None:
        content = text(content)
    target.write_text(content, "utf-8")
    return target
