"""Rule files: pydantic models, loading with file:line errors, versions by date."""

from ipscore.spec.loader import (
    Problem,
    RuleFileError,
    bundled_rule_files,
    load_rule_file,
    resolve_rule,
)
from ipscore.spec.models import (
    Condition,
    IndexRule,
    Indicator,
    Parameter,
    PatentRule,
    PlanRule,
    RuleFile,
    Source,
    Version,
)

__all__ = [
    "Condition",
    "IndexRule",
    "Indicator",
    "Parameter",
    "PatentRule",
    "PlanRule",
    "Problem",
    "RuleFile",
    "RuleFileError",
    "Source",
    "Version",
    "bundled_rule_files",
    "load_rule_file",
    "resolve_rule",
]
