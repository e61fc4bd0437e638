"""The last net under every command: an escaped exception becomes one clear line on stderr.

Causes are fixed at their root (limits, validation); this only decides what a user sees when
something slips through: exit 2 when the input is at fault, exit 1 for a fault of ipscore, and
never a traceback unless `--debug` asks for it."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable

from rich.console import Console
from rich.markup import escape

from ipscore.errors import InputError
from ipscore.expr.errors import ExprError
from ipscore.plans.units import UnitError
from ipscore.spec.loader import RuleFileError
from ipscore.spec.yamlfile import YamlError

# LookupError is left out on purpose: a stray KeyError or IndexError is a bug of ipscore.
BAD_INPUT = (InputError, ExprError, RuleFileError, YamlError, UnitError, OSError)
HINT = "run again with --debug for the traceback"


def exit_code(problem: BaseException) -> int:
    """2 when the input (files, options, disk) is at fault, 1 for a fault of ipscore."""
    if isinstance(problem, (UnicodeError, *BAD_INPUT)):
        return 2
    return 1


def describe(problem: BaseException) -> str:
    """The message a user reads, with the hint; never a traceback."""
    if isinstance(problem, OSError) and problem.strerror:
        where = f"{problem.filename}: " if problem.filename else ""
        return f"{where}{problem.strerror}"
    text = (problem.args[0] if isinstance(problem, KeyError) and problem.args else None) or str(
        problem
    )
    if exit_code(problem) == 2:
        return str(text)
    first = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return f"internal error ({type(problem).__name__}{': ' + first if first else ''})"


def guarded(run: Callable[[], object], debug: Callable[[], bool]) -> None:
    """Run a command; turn any escaped exception into a message and an exit code."""
    try:
        run()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
    except Exception as problem:
        wants_traceback = debug() or "--debug" in sys.argv
        if wants_traceback:
            traceback.print_exc()
        code = exit_code(problem)
        hint = "" if wants_traceback else f" ({HINT})"
        Console(stderr=True).print(
            f"[bold red]error:[/] {escape(describe(problem))}{hint}",
            highlight=False,
            soft_wrap=True,
        )
        raise SystemExit(code) from None
