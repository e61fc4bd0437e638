"""`--set` on an index: a copy of the rule with weights, goalposts or parameters changed,
validated again. Keys, each optionally prefixed by the index id:

- `<node or indicator>.weight`: a number
- `<indicator>.goalposts`: [min, max]
- `<indicator>.normalise.<parameter>`: method, target, range, sd_of, ties, …
- `<node>.aggregate`: a method, or `<node>.aggregate.<p|floor>`
- `levels.<n>.aggregate[.<parameter>]` (n = 2 … the top)
- a top-level setting: `coverage`, `missing`, `sensitivity.<parameter>`"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ipscore.errors import InputError
from ipscore.expr.errors import did_you_mean
from ipscore.spec.models import IndexRule


def _nodes(tree: list[dict]) -> dict[str, dict]:
    found = {}
    for node in tree:
        found[node["id"]] = node
        found.update({i["id"]: i for i in node.get("indicators") or []})
        found.update(_nodes(node.get("dimensions") or []))
    return found


def knobs(rule: IndexRule) -> list[str]:
    names = [n.id for n in rule.nodes()] + [i.id for i in rule.indicators]
    return (
        [f"{rule.id}.{n}.weight" for n in names]
        + [f"{rule.id}.{i.id}.goalposts" for i in rule.indicators]
        + [f"{rule.id}.{i.id}.normalise.<parameter>" for i in rule.indicators]
        + [f"{rule.id}.{n.id}.aggregate" for n in rule.nodes()]
        + [f"{rule.id}.coverage", f"{rule.id}.missing", f"{rule.id}.sensitivity.<parameter>"]
    )


def _put(data: dict, path: list[str], value: Any, key: str, rule: IndexRule) -> None:
    *head, last = path
    for part in head:
        if data.get(part) is None:
            data[part] = {}
        elif isinstance(data[part], str):  # the shorthand `aggregate: geometric`
            data[part] = {"method": data[part]}
        data = data[part]
        if not isinstance(data, dict):
            raise KeyError(f"unknown key {key!r}{did_you_mean(key, knobs(rule))}")
    data[last] = value


def _apply(data: dict, rule: IndexRule, key: str, value: Any) -> None:
    parts = key.split(".")
    if parts[0] == rule.id:
        parts = parts[1:]
    nodes = _nodes(data["dimensions"])
    if not parts:
        raise KeyError(f"unknown key {key!r}; known: {', '.join(knobs(rule))}")
    name, rest = parts[0], parts[1:]
    if name in nodes and rest:
        node = nodes[name]
        if rest == ["weight"]:
            node["weight"]["value"] = value
        elif rest == ["goalposts"] and "normalise" in node:
            low, high = value
            node["normalise"].update(method="goalpost", min=low, max=high)
        elif rest[0] == "normalise" and "normalise" in node and len(rest) == 2:
            node["normalise"][rest[1]] = value
        elif rest[0] == "aggregate" and "normalise" not in node:
            if len(rest) == 1:
                node["aggregate"] = value
            else:
                level = next(n.depth() + 1 for n in rule.nodes() if n.id == name)
                current = node.get("aggregate") or rule.level_aggregate(level).model_dump()
                current = {"method": current} if isinstance(current, str) else current
                node["aggregate"] = {**current, rest[1]: value}
        else:
            raise KeyError(f"unknown key {key!r}{did_you_mean(key, knobs(rule))}")
    elif name == "levels" and len(rest) >= 2 and rest[0].isdigit():
        levels = data.get("levels") or [
            {"name": f"level {n}", "aggregate": rule.level_aggregate(n).model_dump()}
            for n in range(2, rule.depth + 1)
        ]
        at = int(rest[0]) - 2
        if not 0 <= at < len(levels):
            raise KeyError(f"{key!r}: levels run from 2 to {rule.depth}")
        _put(levels[at], rest[1:], value, key, rule)
        data["levels"] = levels
    elif name in ("coverage", "missing", "weights") and not rest:
        data[name] = value
    elif name == "sensitivity" and rest:
        _put(data["sensitivity"], rest, value, key, rule)
    else:
        raise KeyError(f"unknown key {key!r}{did_you_mean(key, knobs(rule))}")


def with_sets(rule: IndexRule, sets: dict[str, Any]) -> IndexRule:
    """The rule with every `key: value` applied, validated as a rule file is."""
    if not sets:
        return rule
    data = rule.model_dump(by_alias=True, exclude_none=True)
    for key, value in sets.items():
        _apply(data, rule, key, value)
    try:
        changed = IndexRule.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"index override: {where}: {first['msg']}") from None
    changed._origin = rule._origin
    return changed
