"""Patent lifecycle events through durable_rules: compile, stream, watch."""
