"""docs/api.md is real: its ```python blocks (and the README's) run as doctests and must print
what they show.

The blocks share one namespace, in order, from the repository root (the bundled data's
paths are relative to it). A block right after `<!-- needs: durable_rules -->` is skipped
where durable_rules cannot be installed (Python 3.13+). Comparison is stdlib doctest's,
with NORMALIZE_WHITESPACE (trailing spaces of wide DataFrames) and `...` for elisions.

`python -m tests.test_api_docs --update` rewrites the shown outputs from a fresh run."""

from __future__ import annotations

import contextlib
import doctest
import importlib.util
import io
import os
import re
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "api.md"
BLOCK = re.compile(
    r"(?P<needs><!-- needs: (?P<what>\w+) -->\n)?```python\n(?P<body>.*?)^```", re.S | re.M
)
FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
AVAILABLE = {"durable_rules": importlib.util.find_spec("durable") is not None}


@dataclass
class Block:
    line: int
    body: str
    needs: str | None


def blocks(text: str | None = None, doc: Path = DOC) -> list[Block]:
    text = doc.read_text(encoding="utf-8") if text is None else text
    return [
        Block(text.count("\n", 0, m.start("body")) + 1, m["body"], m["what"])
        for m in BLOCK.finditer(text)
    ]


@contextlib.contextmanager
def _at_root():
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(here)


def _failures(found: list[Block], doc: Path = DOC) -> list[str]:
    """Each failing example, as doctest reports it, with its line in docs/api.md."""
    parser, globs, problems = doctest.DocTestParser(), {"__name__": "api_md"}, []
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    with _at_root():
        for block in found:
            if block.needs and not AVAILABLE.get(block.needs, False):
                continue
            name = doc.relative_to(ROOT).as_posix()
            test = parser.get_doctest(block.body, globs, name, str(doc), block.line - 1)
            report = io.StringIO()
            result = runner.run(test, out=report.write, clear_globs=False)
            globs.update(test.globs)  # DocTest works on a copy; the next block goes on
            if result.failed:
                problems.append(report.getvalue())
    return problems


def test_api_docs_run_and_print_what_they_show():
    found = blocks()
    assert len(found) >= 8, "docs/api.md should walk through every notebook function"
    problems = _failures(found)
    assert not problems, "\n".join(problems)


def test_the_readmes_python_example_runs():
    found = blocks(doc=ROOT / "README.md")
    assert found
    problems = _failures(found, ROOT / "README.md")
    assert not problems, "\n".join(problems)


def test_a_changed_output_fails():
    planted = "```python\n>>> 1 + 1\n3\n```\n"
    assert _failures(blocks(planted))


def test_every_notebook_function_is_shown():
    text = DOC.read_text(encoding="utf-8")
    import ipscore

    for name in ipscore.__all__:
        if name != "__version__":
            assert f"ipscore.{name}(" in text, name


def _fresh(source: str, globs: dict) -> str:
    """What the interactive interpreter prints for one example."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            exec(compile(source, "<api.md>", "single"), globs)
        except Exception:
            lines = traceback.format_exception_only(*sys.exc_info()[:2])
            print("Traceback (most recent call last):\n    ...\n" + "".join(lines), end="")
    return out.getvalue()


def update() -> None:
    """Rewrite every shown output from a fresh run, in order, in one namespace."""
    text = DOC.read_text(encoding="utf-8")
    parser, globs = doctest.DocTestParser(), {"__name__": "api_md"}
    pieces, last = [], 0
    with _at_root():
        for match in BLOCK.finditer(text):
            lines: list[str] = []
            for example in parser.get_examples(match["body"]):
                source = example.source.rstrip("\n").split("\n")
                lines += [">>> " + source[0], *("... " + line for line in source[1:])]
                printed = _fresh(example.source, globs).rstrip("\n")
                if printed:
                    lines += [ln.rstrip() or "<BLANKLINE>" for ln in printed.split("\n")]
            pieces.append(text[last : match.start("body")] + "\n".join(lines) + "\n")
            last = match.end("body")
    pieces.append(text[last:])
    DOC.write_text("".join(pieces), encoding="utf-8")


if __name__ == "__main__" and "--update" in sys.argv:
    update()
elif __name__ == "__main__":
    pytest.main([__file__])
