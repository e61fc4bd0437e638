"""What-ifs: scenario files, overrides, patent and actuals edits, sweeps and goal seeking."""
