"""The README's examples are real: every marked block is re-run and compared.

A block is marked by an HTML comment on the line before its fence:

- `<!-- example: ipscore ARGS -->` — the block is the whole output of that command;
- `<!-- example -->` — the block holds `$ ipscore ARGS` lines (a trailing `\\` continues
  one), each followed by its output.

A line that is only `…` stands for any number of lines left out. Trailing spaces and blank
lines at either end are ignored; nothing else is normalised, so a changed number, label or
column fails. Commands run in-process from the repository root, as the CLI prints to a pipe
(200 columns).

After a deliberate change of output, `python -m tests.test_readme_examples --update`
rewrites the marked blocks, keeping their `…` elisions (a block whose shown piece is gone
is named, to fix by hand)."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
ELIDED = "…"
MARK = re.compile(r"^<!-- example(?::\s*(?P<command>.+?))?\s*-->\s*$")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>```+)")


@dataclass
class Example:
    line: int  # 1-based line of the marker in README.md
    command: str
    expected: list[str]
    start: int  # 0-based index of the block's first content line
    end: int  # 0-based index of its closing fence
    indent: str = ""  # the fence's indent (a block in a list item)

    @property
    def name(self) -> str:
        return f"README.md:{self.line} {self.command}"


def _block(lines: list[str], fence_at: int) -> tuple[int, int]:
    """The content lines of the fenced block opening at `fence_at`: [start, end)."""
    opening = FENCE.match(lines[fence_at])
    if opening is None:
        raise ValueError(f"README.md:{fence_at + 1}: an example marker must precede a ``` block")
    close = opening["indent"] + opening["fence"]
    for end in range(fence_at + 1, len(lines)):
        if lines[end].rstrip() == close:
            return fence_at + 1, end
    raise ValueError(f"README.md:{fence_at + 1}: the example block is never closed")


def _console(lines: list[str], start: int, end: int, line: int, indent: int) -> list[Example]:
    """`$ ipscore …` lines and the output under each."""
    found: list[Example] = []
    i = start
    while i < end:
        text = lines[i].strip()
        if not text.startswith("$ "):
            if not found:
                raise ValueError(f"README.md:{i + 1}: output before the first `$ ` command")
            found[-1].expected.append(lines[i][indent:])
            found[-1].end = i + 1
            i += 1
            continue
        command = text[2:]
        while command.endswith("\\"):
            i += 1
            command = command[:-1].rstrip() + " " + lines[i].strip()
        found.append(Example(line, command, [], i + 1, i + 1, " " * indent))
        i += 1
    return found


def examples(text: str | None = None) -> list[Example]:
    lines = (README.read_text(encoding="utf-8") if text is None else text).splitlines()
    found: list[Example] = []
    for number, line in enumerate(lines):
        mark = MARK.match(line.strip())
        if mark is None:
            continue
        start, end = _block(lines, number + 1)
        indent = len(lines[number + 1]) - len(lines[number + 1].lstrip())
        body = [content[indent:] for content in lines[start:end]]
        if mark["command"]:
            found.append(Example(number + 1, mark["command"], body, start, end, " " * indent))
        else:
            found.extend(_console(lines, start, end, number + 1, indent))
    return found


def run(command: str) -> str:
    """The command's stdout, run in-process from the repository root."""
    from typer.testing import CliRunner

    from ipscore.cli import app

    words = shlex.split(command)
    if words[0] != "ipscore":
        raise ValueError(f"{command!r}: an example runs ipscore")
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(app, words[1:])
    finally:
        os.chdir(here)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{command}: {result.exception!r}"
    )
    return result.stdout


def _clean(lines: list[str]) -> list[str]:
    lines = [line.rstrip() for line in lines]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def mismatch(expected: list[str], actual: list[str]) -> str | None:
    """None when `actual` matches `expected` (a `…` line matching any lines), else where not."""
    expected, actual = _clean(expected), _clean(actual)
    pieces: list[list[str]] = [[]]
    for line in expected:
        if line.strip() == ELIDED:
            pieces.append([])
        else:
            pieces[-1].append(line)
    position = 0
    for index, piece in enumerate(pieces):
        if index == 0:
            if actual[: len(piece)] != piece:
                return _first_difference(piece, actual[: len(piece)], 0)
            position = len(piece)
            continue
        if not piece:
            continue
        found = next(
            (
                at
                for at in range(position, len(actual) - len(piece) + 1)
                if actual[at : at + len(piece)] == piece
            ),
            None,
        )
        if found is None:
            return f"not found in the output after line {position}: {piece[0]!r}"
        position = found + len(piece)
    ends_shown = len(pieces) == 1 or bool(pieces[-1])
    if ends_shown and position != len(actual):
        return f"the output goes on after the shown lines: {actual[position]!r}"
    return None


def _first_difference(expected: list[str], actual: list[str], offset: int) -> str:
    for i, (want, got) in enumerate(zip(expected, actual, strict=False)):
        if want != got:
            return f"output line {offset + i + 1}:\n  shown: {want!r}\n  got:   {got!r}"
    return f"the output has {len(actual)} lines, the README shows {len(expected)}"


def _needs_durable_rules(example: Example) -> bool:
    return shlex.split(example.command)[1] == "watch"


FOUND = examples()


def test_readme_marks_examples_of_every_kind():
    commands = {shlex.split(e.command)[1] for e in FOUND}
    assert {"monitor", "whatif", "sweep", "goal", "advise", "watch", "score"} <= commands


@pytest.mark.parametrize("example", FOUND, ids=[e.name for e in FOUND])
def test_readme_example_output(example: Example):
    if _needs_durable_rules(example) and importlib.util.find_spec("durable") is None:
        pytest.skip("watch needs durable_rules (Python 3.11/3.12)")
    problem = mismatch(example.expected, run(example.command).splitlines())
    assert problem is None, f"{example.name}\n{problem}"


def test_matcher_elides_and_catches_a_changed_line():
    shown = ["a", "…", "d", "e"]
    assert mismatch(shown, ["a", "b", "c", "d", "e"]) is None
    assert mismatch(shown, ["a", "d", "e", "f"]) is not None
    assert mismatch(shown, ["a", "b", "d", "x"]) is not None
    assert mismatch(["x", "y"], ["x", "y "]) is None
    assert mismatch(["x", "y"], ["x", "z"]) is not None
    assert mismatch(["…", "y"], ["x", "y"]) is None


def test_refreshing_keeps_the_elisions():
    fresh = ["head", "a", "b2", "c", "d", "tail"]
    assert refreshed(["…", "b2", "old c", "…"], fresh) == ["…", "b2", "c", "…"]
    assert refreshed(["head", "x", "…", "d"], fresh) == ["head", "a", "…", "d", "tail"]
    assert refreshed(["…", "zz"], fresh) is None


def test_console_blocks_split_commands_and_continuations():
    text = (
        "<!-- example -->\n```console\n$ ipscore rules list \\\n    --json\nout 1\n"
        "$ ipscore goal x\nout 2\n```\n"
    )
    first, second = examples(text)
    assert first.command == "ipscore rules list --json" and first.expected == ["out 1"]
    assert second.command == "ipscore goal x" and second.expected == ["out 2"]


def refreshed(expected: list[str], fresh: list[str]) -> list[str] | None:
    """`expected` redone from `fresh` output, keeping its `…` elisions: each shown piece is
    found again by the start of its first line and keeps its length (the last one runs to
    the end of the output unless a `…` follows it). None when a piece is not found."""
    pieces: list[list[str]] = [[]]
    for line in _clean(expected):
        if line.strip() == ELIDED:
            pieces.append([])
        else:
            pieces[-1].append(line)
    out: list[str] = []
    position = 0
    for index, piece in enumerate(pieces):
        if index:
            out.append(ELIDED)
        if not piece:
            continue
        key = piece[0][:20]
        at = (
            position
            if index == 0
            else next((k for k in range(position, len(fresh)) if fresh[k].startswith(key)), None)
        )
        if at is None:
            return None
        last = index == len(pieces) - 1
        length = len(fresh) - at if last else len(piece)
        out += fresh[at : at + length]
        position = at + length
    return out


def update() -> int:
    """Rewrite the marked blocks from fresh output, keeping their `…` elisions."""
    lines = README.read_text(encoding="utf-8").splitlines()
    for example in sorted(FOUND, key=lambda e: e.start, reverse=True):
        output = _clean(run(example.command).splitlines())
        fresh = refreshed(example.expected, output)
        if fresh is None:
            print(f"{example.name}: a shown piece is gone, fix it by hand", file=sys.stderr)
            continue
        indent = example.indent
        lines[example.start : example.end] = [indent + line if line else "" for line in fresh]
    README.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__" and "--update" in sys.argv:
    raise SystemExit(update())
