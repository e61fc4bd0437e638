"""Pydantic models of rule files, one module per rule kind. A rule file is data; these
models are its schema."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ipscore.spec.models.alerts import AlertRule
from ipscore.spec.models.common import *  # noqa: F403
from ipscore.spec.models.index import *  # noqa: F403
from ipscore.spec.models.index import IndexRule
from ipscore.spec.models.patents import *  # noqa: F403
from ipscore.spec.models.patents import PatentRule
from ipscore.spec.models.plans import *  # noqa: F403
from ipscore.spec.models.plans import PlanRule

RuleFile = Annotated[PatentRule | PlanRule | IndexRule | AlertRule, Field(discriminator="kind")]
