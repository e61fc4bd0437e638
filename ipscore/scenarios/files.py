"""Load scenario files (YAML) with file:line errors, bundled or from a path."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from ipscore.bundled import bundled_dir
from ipscore.expr.errors import did_you_mean
from ipscore.scenarios.models import Scenario
from ipscore.spec.loader import Problem, RuleFileError, _pydantic_problems
from ipscore.spec.yamlfile import YamlError, read_yaml


def library() -> list[Path]:
    return sorted(bundled_dir("scenarios").glob("*.yaml"))


def load_scenario(id_or_path: str | Path) -> Scenario:
    path = Path(id_or_path)
    if not path.exists():
        found = [p for p in library() if p.stem == str(id_or_path)]
        if not found:
            known = [p.stem for p in library()]
            raise LookupError(
                f"no scenario {str(id_or_path)!r}"
                f"{did_you_mean(str(id_or_path), known)}; bundled: "
                f"{', '.join(known)}"
            )
        path = found[0]
    try:
        data, lines = read_yaml(path)
    except YamlError as err:
        raise RuleFileError([Problem(err.file, err.line, "", err.message)]) from None
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise RuleFileError(_pydantic_problems(path, err, lines)) from None
