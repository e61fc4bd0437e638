"""Errors that end a command with exit code 2 (bad input or bad rules)."""


class InputError(ValueError):
    """The input cannot be read at all: wrong format, encoding or missing columns."""
