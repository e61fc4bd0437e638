"""Load rule files: YAML → pydantic model, every problem reported as file:line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ipscore.bundled import bundled_dir
from ipscore.expr.errors import did_you_mean
from ipscore.spec.models import IndexRule, PatentRule, PlanRule, RuleFile
from ipscore.spec.tables import table_problem
from ipscore.spec.yamlfile import YamlError, line_of, read_yaml

_RULE_FILE = TypeAdapter(RuleFile)
KINDS = ("patent-classification", "plan", "index", "alert")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path + ': ' if self.path else ''}{self.message}"


class RuleFileError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def _dotted(location: tuple[str | int, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _pydantic_problems(file: Path, err: ValidationError, lines) -> list[Problem]:
    problems = []
    for item in err.errors():
        location = tuple(p for p in item["loc"] if not str(p).startswith("function-"))
        if location and location[0] in KINDS:  # the union's tag, not a key of the file
            location = location[1:]
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        elif item["type"] == "missing":
            message = "required key is missing"
        problems.append(Problem(str(file), line_of(lines, location), _dotted(location), message))
    return problems


def load_rule_file(path: str | Path) -> RuleFile:
    path = Path(path)
    try:
        data, lines = read_yaml(path)
    except YamlError as err:
        raise RuleFileError([Problem(err.file, err.line, "", err.message)]) from None
    if not isinstance(data, dict):
        raise RuleFileError([Problem(str(path), 1, "", "a rule file is a YAML mapping")])
    try:
        rule = _RULE_FILE.validate_python(data)
    except ValidationError as err:
        raise RuleFileError(_pydantic_problems(path, err, lines)) from None
    problems = [
        Problem(str(path), line_of(lines, loc), _dotted(loc), message)
        for loc, message in rule.name_problems()
    ]
    for name, table in getattr(rule, "tables", {}).items():
        problem = table_problem(path, table.file)
        if problem:
            location = ("tables", name, "file")
            problems.append(
                Problem(str(path), line_of(lines, location), _dotted(location), problem)
            )
    if problems:
        raise RuleFileError(problems)
    rule._origin = path.resolve()  # tables are named relative to the rule file
    return rule


def bundled_rules_dir() -> Path:
    return bundled_dir("rules")


def bundled_rule_files() -> list[Path]:
    return sorted(bundled_rules_dir().rglob("*.yaml"))


def resolve_rule(id_or_path: str) -> RuleFile:
    """A rule by bundled id, or by path to a rule file."""
    candidate = Path(id_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return load_rule_file(candidate)
    for file in bundled_rule_files():
        if file.stem == id_or_path:
            return load_rule_file(file)
    known = [f.stem for f in bundled_rule_files()]
    raise LookupError(
        f"no rule {id_or_path!r}{did_you_mean(id_or_path, known)}; bundled: {', '.join(known)}"
    )


def patent_rule(rules: str) -> PatentRule:
    return _rule_of_kind(rules, PatentRule, "a patent-classification rule")


def plan_rule(plan_id: str) -> PlanRule:
    return _rule_of_kind(plan_id, PlanRule, "a plan")


def index_rule(index_id: str) -> IndexRule:
    return _rule_of_kind(index_id, IndexRule, "an index")


def _rule_of_kind(id_or_path: str, kind: type, described: str) -> Any:
    rule = resolve_rule(id_or_path)
    if not isinstance(rule, kind):
        raise LookupError(f"{id_or_path} is a {rule.kind} rule, not {described}")
    return rule
