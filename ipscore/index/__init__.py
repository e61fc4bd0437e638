"""Composite indices (强市 scoring): normalise, weight, aggregate, gates, sensitivity."""
