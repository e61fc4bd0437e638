"""Plan indicators: units, actuals, progress against time (序时进度), status."""
