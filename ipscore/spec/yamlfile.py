"""Read YAML and remember the line of every key, so errors can say file:line.

Rule and scenario files come from users, so reading one is bounded (README, "Limits and bad
input"): a size cap, a nesting cap checked on the event stream before anything recursive
runs, and a cap on the document's size with aliases expanded, which refuses alias bombs
("billion laughs") before they are built. Duplicate keys and impossible dates are errors
with their line, not a silent last-wins or a ValueError."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

Location = tuple[str | int, ...]

# Bundled rule files are ~10 kB, ~10 levels and ~1,000 nodes; these leave ample room.
MAX_YAML_BYTES = 2_000_000  # IPSCORE_MAX_YAML_BYTES
MAX_YAML_DEPTH = 50  # IPSCORE_MAX_YAML_DEPTH
MAX_YAML_NODES = 200_000  # with aliases expanded; IPSCORE_MAX_YAML_NODES
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# libyaml's loader when PyYAML was built with it: the same safe constructors, ~10× faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _limit(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


class YamlError(ValueError):
    def __init__(self, file: Path | str, line: int | None, message: str):
        self.file, self.line, self.message = str(file), line, message
        where = f"{file}:{line}" if line else str(file)
        super().__init__(f"{where}: {message}")


def read_yaml(path: Path) -> tuple[Any, dict[Location, int]]:
    """The document's data and a map from key path to 1-based line number."""
    text = _read_text(path)
    try:
        _check_depth(path, text)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, {}
            _check_expanded_size(path, node)
            _check_keys_and_dates(path, node)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else None
        raise YamlError(path, line, f"YAML syntax: {err.problem}") from None
    except yaml.YAMLError as err:
        raise YamlError(path, None, f"YAML: {err}") from None
    lines: dict[Location, int] = {}
    _collect_lines(node, (), lines)
    return data, lines


def _read_text(path: Path) -> str:
    cap = _limit("IPSCORE_MAX_YAML_BYTES", MAX_YAML_BYTES)
    try:
        if not path.is_file():
            what = "a folder" if path.is_dir() else "not a regular file"
            raise YamlError(path, None, f"{what}, expected a YAML file")
        size = path.stat().st_size
        if size > cap:
            raise YamlError(
                path,
                None,
                f"{size:,} bytes, more than {cap:,} (limit yaml-bytes, IPSCORE_MAX_YAML_BYTES)",
            )
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise YamlError(path, None, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise YamlError(path, None, err.strerror or str(err)) from None


def _check_depth(path: Path, text: str) -> None:
    """Nesting from the event stream, which PyYAML produces without recursion."""
    cap = _limit("IPSCORE_MAX_YAML_DEPTH", MAX_YAML_DEPTH)
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > cap:
                line = event.start_mark.line + 1
                raise YamlError(
                    path,
                    line,
                    f"nested more than {cap} deep (limit yaml-depth, IPSCORE_MAX_YAML_DEPTH)",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _check_expanded_size(path: Path, root: yaml.Node) -> None:
    """Count nodes as the data would hold them, each alias expanded, without expanding:
    a shared node's count is computed once (the depth is already bounded)."""
    cap = _limit("IPSCORE_MAX_YAML_NODES", MAX_YAML_NODES)
    counted: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        if id(node) in counted:
            return counted[id(node)]
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(item) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(key) + size(value) for key, value in node.value)
        counted[id(node)] = total
        if total > cap:
            raise YamlError(
                path,
                node.start_mark.line + 1,
                f"more than {cap:,} values once aliases are expanded — an alias bomb? "
                "(limit yaml-nodes, IPSCORE_MAX_YAML_NODES)",
            )
        return total

    size(root)


def _check_keys_and_dates(path: Path, root: yaml.Node) -> None:
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            _check_unique_keys(path, node)
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif node.tag == _TIMESTAMP:
            _check_date(path, node)


def _check_unique_keys(path: Path, node: yaml.MappingNode) -> None:
    first_line: dict[Any, int] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.value == "<<":
            continue
        line = key.start_mark.line + 1
        if key.value in first_line:
            raise YamlError(
                path, line, f"duplicate key {key.value!r} (first at line {first_line[key.value]})"
            )
        first_line[key.value] = line


def _check_date(path: Path, node: yaml.ScalarNode) -> None:
    try:
        yaml.SafeLoader.construct_yaml_timestamp(yaml.SafeLoader(""), node)
    except (ValueError, OverflowError) as err:
        raise YamlError(
            path, node.start_mark.line + 1, f"impossible date {node.value!r} ({err})"
        ) from None


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
