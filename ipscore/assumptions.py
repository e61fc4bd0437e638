"""The assumptions and unconfirmed values a result used, as data every renderer prints.

One shape for every command (classify, monitor, score, whatif, sweep, goal, watch, advise):

    name, value, unit, confidence, note, used_in, source, source_confidence, source_inherited

`confidence` is the rule file's (assumption or unconfirmed: a confirmed value is not listed);
`source_inherited` is true where the value has no source of its own and the rule file's
source stands in for it. The rule files hold the facts; this module only gathers them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ipscore.expr import ast as expr_ast
from ipscore.expr import walk
from ipscore.spec.models.common import Condition, Source, provenance

if TYPE_CHECKING:  # only for annotations: the builders read attributes, nothing more
    from ipscore.patents.classify import Prepared
    from ipscore.spec.models import IndexRule, PatentRule, PlanRule

FIELDS = (
    "name",
    "value",
    "unit",
    "confidence",
    "note",
    "used_in",
    "source",
    "source_confidence",
    "source_inherited",
)

#: What a confidence means (FACTS.md's definitions), for values whose file gives no note.
MEANING = {
    "unconfirmed": "widely repeated, but no primary text was found",
    "assumption": "no published value: ipscore's assumption",
}
_NO_SOURCE = {"source": None, "source_confidence": None, "source_inherited": False}


def record(
    name: str,
    value: Any,
    confidence: str,
    *,
    file_source: Source | None,
    source: Source | None = None,
    unit: str | None = None,
    note: str | None = None,
    used_in: Iterable[str] | str = (),
    **extra: Any,
) -> dict[str, Any]:
    used = [used_in] if isinstance(used_in, str) else list(used_in)
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "confidence": confidence,
        "note": " ".join(note.split()) if note else MEANING.get(confidence),
        "used_in": used,
        **(provenance(source, file_source) if file_source or source else _NO_SOURCE),
        **extra,
    }


def merge(*lists: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One list, each (name, used_in) once, in first-seen order."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for items in lists:
        for item in items or ():
            seen.setdefault((item["name"], repr(item.get("used_in"))), item)
    return list(seen.values())


def compared(baseline: list[dict], result: list[dict]) -> list[dict[str, Any]]:
    """A what-if's assumptions: the scenario's, each with the baseline's value where the
    scenario changed it, then those only the baseline used."""
    before = {(a["name"], repr(a.get("used_in"))): a for a in baseline or ()}
    found = []
    for item in result or ():
        was = before.pop((item["name"], repr(item.get("used_in"))), None)
        if was is not None and was.get("value") != item.get("value"):
            item = {**item, "baseline_value": was.get("value")}
        found.append(item)
    return found + [{**a, "baseline_only": True} for a in before.values()]


def scenario_changes(scenario: Any, solved: str | None = None) -> list[dict[str, Any]]:
    """A scenario's changes: hypothetical values every what-if result rests on."""
    found = []
    for n, change in enumerate(scenario.changes, 1):
        name = getattr(change, "id", None) or f"change {n}"
        value = change.model_dump(mode="json", exclude={"id"}, exclude_defaults=True)
        note = f"a what-if change of scenario {scenario.id}: hypothetical, not a published value"
        if solved and solved.split(".", 1)[0] == name:
            note += f"; {solved} is the value solved for"
        found.append(
            record(
                f"scenario.{name}",
                value,
                "assumption",
                file_source=None,
                note=note,
                used_in=[scenario.id],
            )
        )
    return found


def varied(items: list[dict], key: str, values: list[Any]) -> list[dict[str, Any]]:
    """A sweep's assumptions: the knob it varies shows the range, not one value."""
    span = f"{values[0]:g}…{values[-1]:g} (varied)" if values else "(varied)"

    def knob(name: str) -> bool:  # the key may carry the rule id: RULE.NAME
        return key == name or key.endswith(f".{name}")

    return [{**a, "value": span} if knob(a["name"]) else a for a in items]


# --- patent classification --------------------------------------------------------------


def _params_of(condition: Condition) -> set[str]:
    return {n.name for n in walk(condition.node) if isinstance(n, expr_ast.Param)}


def patent_assumptions(prepared: Prepared) -> list[dict[str, Any]]:
    """Parameters the version's conditions read that are not confirmed, and the version
    itself when it is not confirmed (the unconfirmed 2026 reading)."""
    rule, version = prepared.rule, prepared.version
    readers: dict[str, list[str]] = {}
    for _, condition in version.conditions:
        for name in sorted(_params_of(condition)):
            readers.setdefault(name, []).append(condition.id)
    found = []
    if version.confidence != "confirmed":
        found.append(version_assumption(rule, version))
    for name, p in version.parameters.items():
        if p.confidence == "confirmed" or name not in readers:
            continue
        found.append(
            record(
                name,
                prepared.params[name],
                p.confidence,
                file_source=rule.source,
                source=p.source,
                unit=p.unit,
                note=p.note,
                used_in=readers[name],
                overridden=prepared.params[name] != p.value,
            )
        )
    return found


def watch_assumptions(prepared: Iterable[Prepared]) -> list[dict[str, Any]]:
    """Every version a watch compiled: its unconfirmed parameters, and the version itself
    when it is not confirmed (the 2026 reading, once time passes 2026-01-01)."""
    return merge(*(patent_assumptions(p) for p in prepared))


def alert_assumptions(compiled: Iterable[Any]) -> list[dict[str, Any]]:
    """The alert windows a watch used (compiled alert-rule versions) that no law fixes."""
    found = []
    for c in compiled:
        texts = {a: spec.alert.model_dump_json() for a, spec in c.alerts.items()}
        for name, p in c.version.parameters.items():
            users = [a for a, text in texts.items() if f"${name}" in text]
            if p.confidence == "confirmed" or not users:
                continue
            found.append(
                record(
                    name,
                    p.value,
                    p.confidence,
                    file_source=c.rule.source,
                    source=p.source,
                    unit=p.unit,
                    note=p.note,
                    used_in=users,
                )
            )
    return merge(found)


def version_assumption(rule: PatentRule, version: Any) -> dict[str, Any]:
    window = f"{version.effective.start}…{version.effective.end or ''}"
    return record(
        "rule_version",
        f"{rule.id} {window}",
        version.confidence,
        file_source=rule.source,
        source=getattr(version, "source", None),
        note=version.note or "this version of the rule is not confirmed by a published text",
        used_in=[c.id for _, c in version.conditions],
    )


def condition_sources(rule: PatentRule, version: Any) -> list[dict[str, Any]]:
    """Each condition's source, or the rule file's where it has none of its own."""
    return [
        {"item": c.id, "kind": kind, **provenance(c.source, rule.source)}
        for kind, c in version.conditions
    ]


# --- plans ------------------------------------------------------------------------------


def plan_assumptions(plan: PlanRule) -> list[dict[str, Any]]:
    """Each baseline and target whose value is not confirmed (the national plan has some)."""
    found = []
    for indicator in plan.indicators:
        parts = (("baseline", indicator.baseline), ("target", indicator.target))
        for part, value in parts:
            if value is None:
                continue
            confidence = value.confidence or indicator.confidence
            if confidence == "confirmed":
                continue
            found.append(
                record(
                    f"{indicator.id}.{part}",
                    value.value,
                    confidence,
                    file_source=plan.source,
                    source=indicator.source,
                    unit=indicator.unit,
                    note=value.note
                    or indicator.note
                    or f"{part} {value.year}: {MEANING[confidence]}",
                    used_in=[indicator.name],
                    year=value.year,
                )
            )
    return found


# --- composite indices ------------------------------------------------------------------


def index_assumptions(rule: IndexRule) -> list[dict[str, Any]]:
    """Weights, normalisations, gates, bonus points and the qualification rule that no
    published source confirms."""
    s = rule.source

    def weight(item) -> dict[str, Any]:  # a tree node's or an indicator's
        w = item.weight
        return record(
            f"{item.id}.weight", w.value, w.confidence, file_source=s, source=w.source,
            note=w.note, used_in=[item.name],
        )  # fmt: skip

    found = [weight(d) for d in rule.nodes() if d.weight.confidence != "confirmed"]
    for i in rule.indicators:
        if i.weight.confidence != "confirmed":
            found.append(weight(i))
        n = i.normalise
        if n.confidence != "confirmed":
            goalpost = n.method == "goalpost"
            found.append(
                record(
                    f"{i.id}.goalposts" if goalpost else f"{i.id}.normalise",
                    [n.min, n.max] if goalpost else n.method,
                    n.confidence,
                    file_source=s,
                    source=n.source or i.source,
                    unit=i.unit if goalpost else None,
                    used_in=[i.name],
                )
            )
    for group, items in (("gate", rule.gates), ("bonus", rule.bonus)):
        for gate in items:
            if gate.confidence == "confirmed":
                continue
            points = getattr(gate, "points", None)
            found.append(
                record(
                    f"{group}.{gate.id}",
                    gate.when if points is None else f"+{points:g} if {gate.when}",
                    gate.confidence,
                    file_source=s,
                    source=gate.source,
                    note=gate.note or gate.label,
                    used_in=[gate.label],
                )
            )
    if not rule.official:
        found.append(
            record(
                "qualify",
                rule.qualify,
                "assumption",
                file_source=s,
                note="the qualification rule of ipscore's own model, not an official threshold",
                used_in=["qualified"],
            )
        )
    return found


def index_sources(rule: IndexRule) -> list[dict[str, Any]]:
    """Each indicator's, gate's and bonus's source, or the rule file's where it has none."""
    rows = [
        {"item": i.id, "kind": "indicator", **provenance(i.source, rule.source)}
        for i in rule.indicators
    ]
    rows += [
        {"item": g.id, "kind": "gate", **provenance(g.source, rule.source)} for g in rule.gates
    ]
    rows += [
        {"item": b.id, "kind": "bonus", **provenance(b.source, rule.source)} for b in rule.bonus
    ]
    return rows
