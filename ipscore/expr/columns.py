"""ListColumn: a column of code lists (IPC codes, jurisdictions, awards) stored once.

Rows hold int32 indices into a vocabulary of distinct codes (CSR layout). Functions over
lists are computed on the vocabulary, which has thousands of entries, and mapped back to
millions of rows with one numpy scatter, so no Python code ever loops over rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np


class ListColumn:
    def __init__(self, vocab: np.ndarray, codes: np.ndarray, offsets: np.ndarray):
        self.vocab = np.asarray(vocab, dtype=object)
        self.codes = np.asarray(codes, dtype=np.int32)
        self.offsets = np.asarray(offsets, dtype=np.int64)
        # Masks over the vocabulary, keyed by what computed them: sweeps re-use them.
        #: Results per vocabulary value: shared by every `take` of this column.
        self.cache: dict[Any, np.ndarray] = {}
        #: Results per row: this column's own (a `take` has other rows).
        self.row_cache: dict[Any, Any] = {}
        self._parents: np.ndarray | None = None

    @classmethod
    def from_lists(cls, rows: Sequence[Sequence[str]]) -> ListColumn:
        flat = [code for row in rows for code in row]
        vocab, codes = (
            np.unique(np.asarray(flat, dtype=object), return_inverse=True)
            if flat
            else (
                np.array([], dtype=object),
                np.array([], dtype=np.int32),
            )
        )
        offsets = np.concatenate([[0], np.cumsum([len(row) for row in rows])]).astype(np.int64)
        return cls(vocab, codes, offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def parents(self) -> np.ndarray:
        """The row of each stored code; computed once, used by every function."""
        if self._parents is None:
            self._parents = np.repeat(np.arange(len(self), dtype=np.int64), self.lengths)
        return self._parents

    def row(self, i: int) -> tuple[str, ...]:
        return tuple(self.vocab[self.codes[self.offsets[i] : self.offsets[i + 1]]])

    def to_lists(self) -> list[tuple[str, ...]]:
        codes = self.vocab[self.codes].tolist()
        offsets = self.offsets.tolist()
        return [tuple(codes[a:b]) for a, b in pairwise(offsets)]

    def any_rows(self, vocab_mask: np.ndarray) -> np.ndarray:
        hits = vocab_mask[self.codes]
        out = np.zeros(len(self), dtype=bool)
        out[self.parents[hits]] = True
        return out

    def count_rows(self, vocab_mask: np.ndarray) -> np.ndarray:
        hits = vocab_mask[self.codes]
        return np.bincount(self.parents[hits], minlength=len(self)).astype(np.int64)

    def take(self, index: np.ndarray) -> ListColumn:
        index = np.asarray(index, dtype=np.int64)
        lengths = self.lengths[index]
        new_offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        shift = np.repeat(self.offsets[index] - new_offsets[:-1], lengths)
        positions = shift + np.arange(new_offsets[-1], dtype=np.int64)
        taken = ListColumn(self.vocab, self.codes[positions], new_offsets)
        taken.cache = self.cache  # same vocabulary, same masks
        return taken

    def first_only(self) -> ListColumn:
        """Each row's first code only (for an IPC list: the main classification)."""
        has_any = self.lengths > 0
        offsets = np.concatenate([[0], np.cumsum(has_any)]).astype(np.int64)
        return ListColumn(self.vocab, self.codes[self.offsets[:-1][has_any]], offsets)
