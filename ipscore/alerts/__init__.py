"""Portfolio alerts: `kind: alert` rule files compiled to durable_rules rulesets.

`names` (what an alert may refer to) imports without durable_rules; `compile` and `engine`
need it, and are imported only by the watcher when alerts are asked for.
"""
