"""The consoles the CLI prints to.

Rich sizes tables to the console width and crops what does not fit. Piped output has no
width (Rich falls back to 80 columns), so a wide table lost its last column. Here a pipe
or a file gets a fixed wide width, and a narrow terminal is treated as at least that
wide: the terminal wraps a long line, which loses nothing."""

from __future__ import annotations

import os

from rich.console import Console

#: Wide enough for every report ipscore prints; cells fold (wrap) within it.
WIDE = 200
#: Below this, a terminal is narrow: print at WIDE and let the terminal wrap lines.
NARROW = 100


def make_console(stderr: bool = False) -> Console:
    console = Console(stderr=stderr)
    if console.is_terminal and console.width >= NARROW:
        return console
    asked = os.environ.get("COLUMNS", "")
    width = max(WIDE, int(asked)) if asked.isdigit() else WIDE
    return Console(stderr=stderr, width=width)
