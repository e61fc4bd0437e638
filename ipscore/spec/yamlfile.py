"""Read YAML and remember the line of every key, so errors can say file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

Location = tuple[str | int, ...]


class YamlError(ValueError):
    def __init__(self, file: Path | str, line: int | None, message: str):
        self.file, self.line, self.message = str(file), line, message
        where = f"{file}:{line}" if line else str(file)
        super().__init__(f"{where}: {message}")


def read_yaml(path: Path) -> tuple[Any, dict[Location, int]]:
    """The document's data and a map from key path to 1-based line number."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise YamlError(path, None, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise YamlError(path, None, err.strerror or str(err)) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else None
        raise YamlError(path, line, f"YAML syntax: {err.problem}") from None
    lines: dict[Location, int] = {}
    if node is not None:
        _collect_lines(node, (), lines)
    return data, lines


def _collect_lines(node: yaml.Node, here: Location, lines: dict[Location, int]) -> None:
    lines.setdefault(here, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        merges = [value for key, value in node.value if key.value == "<<"]
        for key, value in node.value:
            if key.value != "<<":
                lines.setdefault((*here, key.value), key.start_mark.line + 1)
                _collect_lines(value, (*here, key.value), lines)
        # Merged keys (YAML `<<: *anchor`) sit at this level unless written out here.
        for value in merges:
            for merged in value.value if isinstance(value, yaml.SequenceNode) else [value]:
                _collect_lines(merged, here, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_lines(item, (*here, index), lines)


def line_of(lines: dict[Location, int], location: Location) -> int | None:
    """The line of the deepest known key on `location`."""
    for cut in range(len(location), -1, -1):
        found = lines.get(tuple(location[:cut]))
        if found is not None:
            return found
    return None
