"""durable_rules, as ipscore drives it.

What was measured here with durable-rules 2.0.28, and how this adapter works with it:
- `post()` fires only the first matching rule, so each patent is an `assert_fact` (every
  matching rule fires) followed by `retract_fact`: one live fact at a time, one context.
- A ruleset holds at most about 1,024 live contexts (session ids); everything here runs in
  the default session, so that limit is never approached.
- It is not thread-safe, and `Host()` starts timer threads that dispatch rulesets in the
  background. This host never starts them (`_run` is a no-op: no timers or queues are
  used), and one host must be used from one thread.
- An assert that matches no rule raises `MessageNotHandledException`: here that means
  "no condition holds", not an error.
- The `$nex` (not exists) operator hangs; the compiler states missing values as fields.
- 2.0.28 builds on Python 3.11/3.12, not 3.13.
"""

from __future__ import annotations

import json
from typing import Any

from durable import engine


class RecordingHost(engine.Host):
    """A host whose every rule records (fact id, rule name) when it fires."""

    def __init__(self) -> None:
        self.fired: list[tuple[str, str]] = []
        super().__init__()

    def _run(self) -> None:  # no background dispatch threads: see the module docstring
        return None

    def get_action(self, action_name: str):
        def record(c) -> None:
            self.fired.append((c.m["id"], action_name))

        return record

    def add_ruleset(self, name: str, conditions: dict[str, dict[str, Any]]) -> None:
        """One durable rule per named condition; it fires when the condition holds."""
        definition = {
            rule: {"all": [{"m": condition}], "run": rule} for rule, condition in conditions.items()
        }
        # durable_rules keeps the definition; a JSON round trip gives it its own copy.
        self.register_rulesets({name: json.loads(json.dumps(definition))})

    def passing(self, ruleset: str, fact: dict[str, Any]) -> set[str]:
        """The names of the conditions that hold for one fact."""
        self.fired.clear()
        try:
            self.assert_fact(ruleset, fact)
        except engine.MessageNotHandledException:
            return set()  # no rule matched, and durable_rules kept nothing
        fired = {rule for _, rule in self.fired}
        self.retract_fact(ruleset, fact)
        return fired
