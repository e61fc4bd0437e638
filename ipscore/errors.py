"""Errors that end a command with exit code 2 (bad input or bad rules)."""


class InputError(ValueError):
    """The input cannot be read at all: wrong format, encoding or missing columns."""


class LimitError(InputError):
    """An input exceeds one of the documented limits (see README, "Limits and bad input").

    `limit` is the limit's name as documented, so the message and tests can name it."""

    def __init__(self, limit: str, message: str):
        self.limit = limit
        super().__init__(f"{message} (limit {limit})")
