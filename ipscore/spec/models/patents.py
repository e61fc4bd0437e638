"""`kind: patent-classification`: conditions over patent records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, model_validator

from ipscore.expr import check
from ipscore.expr.errors import did_you_mean
from ipscore.plugins import load_one
from ipscore.spec.models.common import (
    Example,
    RuleId,
    Source,
    Strict,
    TableRef,
    Version,
    check_versions_do_not_overlap,
)


class PatentRule(Strict):
    id: RuleId
    title: str
    title_en: str
    kind: Literal["patent-classification"]
    description: str | None = None
    source: Source
    tables: dict[str, TableRef] = {}
    versions: list[Version] = Field(min_length=1)
    examples: list[Example] = []
    _origin: Path | None = PrivateAttr(None)

    def table_path(self, name: str) -> Path:
        base = self._origin.parent if self._origin else Path.cwd()
        return base / self.tables[name].file

    @model_validator(mode="after")
    def _windows_do_not_overlap(self) -> PatentRule:
        check_versions_do_not_overlap([v.effective for v in self.versions])
        return self

    def name_problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Names an expression or example uses that the rule does not provide."""
        names = load_one("spec.patent_names")()
        problems = []
        for index, version in enumerate(self.versions):
            for group in ("eligibility", "criteria"):
                for position, condition in enumerate(getattr(version, group)):
                    for message in check(
                        condition.node,
                        fields=names,
                        params=version.parameters,
                        tables=self.tables,
                    ):
                        problems.append((("versions", index, group, position, "when"), message))
        for index, example in enumerate(self.examples):
            try:
                version = self.version_for(example.as_of)
            except LookupError as err:  # an example no version covers: say where
                problems.append((("examples", index, "as_of"), str(err)))
                continue
            known = {"eligible", "high_value"} | {c.id for _, c in version.conditions}
            for key in example.expect:
                if key not in known:
                    problems.append(
                        (
                            ("examples", index, "expect", key),
                            f"unknown condition {key!r}{did_you_mean(key, known)}",
                        )
                    )
        return problems

    def version_for(self, as_of: dt.date) -> Version:
        for version in self.versions:
            if version.effective.contains(as_of):
                return version
        spans = ", ".join(f"{v.effective.start}…{v.effective.end or ''}" for v in self.versions)
        raise LookupError(f"rule {self.id} has no version in force on {as_of} (versions: {spans})")


# --- plans -----------------------------------------------------------------------------
