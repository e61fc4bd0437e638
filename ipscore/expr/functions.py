"""The whitelist of functions an expression may call.

Each function has a vectorized form (columns in, columns out) and a scalar form (one
record's values in, one value out). List arguments are ListColumns in the vectorized form
and tuples of codes in the scalar form; list functions work on the vocabulary of distinct
codes and scatter back to rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ipscore.expr.columns import ListColumn
from ipscore.expr.dates import years_between_scalar, years_between_vec
from ipscore.expr.errors import ExprError

HK_MO_TW = frozenset({"HK", "MO", "TW"})
#: WO is a PCT application (WIPO publishes, never grants): never a granted family member.
NEVER_A_GRANT = frozenset({"WO"})


@dataclass(frozen=True)
class Function:
    name: str
    params: tuple[str, ...]
    doc: str
    vector: Callable[..., Any]
    scalar: Callable[..., Any]
    #: Reads the record through the context (field lookups), not only its arguments.
    needs_context: bool = False


def _require_list(value: Any, fn: str) -> ListColumn:
    if not isinstance(value, ListColumn):
        raise ExprError(f"{fn}() expects a list field (such as ipc or family_granted)")
    return value


def _vocab_mask(codes: ListColumn, key: tuple, compute: Callable[[np.ndarray], np.ndarray]):
    if key not in codes.cache:
        codes.cache[key] = np.asarray(compute(codes.vocab), dtype=bool)
    return codes.cache[key]


def _overseas_mask(vocab: np.ndarray, include_hk_mo_tw: bool) -> np.ndarray:
    excluded = {"CN", *NEVER_A_GRANT} if include_hk_mo_tw else {"CN", *HK_MO_TW, *NEVER_A_GRANT}
    return ~pd.Index(vocab).isin(list(excluded))


# --- vectorized forms -----------------------------------------------------------------


def _ipc_in_vec(codes, table):
    codes = _require_list(codes, "ipc_in")
    return codes.any_rows(_vocab_mask(codes, ("ipc_in", id(table)), table.matches))


def _ipc_in_filtered_vec(codes, table, keywords, title, abstract):
    codes = _require_list(codes, "ipc_in_filtered")
    return table.row_bits(codes, keywords, title, abstract) != 0


def _count_overseas_vec(codes, include_hk_mo_tw):
    codes = _require_list(codes, "count_overseas")
    flag = bool(include_hk_mo_tw)
    mask = _vocab_mask(codes, ("overseas", flag), lambda v: _overseas_mask(v, flag))
    return codes.count_rows(mask)


def _any_of_vec(codes, values):
    codes = _require_list(codes, "any_of")
    wanted = tuple(values)
    mask = _vocab_mask(codes, ("any_of", wanted), lambda v: pd.Index(v).isin(list(wanted)))
    return codes.any_rows(mask)


def _award_families(vocab, families):
    # Imported here: the award vocabulary is patent domain data, the language stays generic.
    from ipscore.patents.awards import counts_as

    return counts_as(vocab, families)


def _award_in_vec(codes, families):
    codes = _require_list(codes, "award_in")
    wanted = tuple(families)
    mask = _vocab_mask(codes, ("award_in", wanted), lambda v: _award_families(v, wanted))
    return codes.any_rows(mask)


def _count_vec(codes):
    return _require_list(codes, "count").lengths


def _is_null_vec(value):
    if isinstance(value, pd.Series):
        return value.isna().to_numpy()
    if isinstance(value, np.ndarray):
        return pd.isna(value)
    return _is_null_scalar(value)


def _ipc_scope_vec(codes, scope):
    codes = _require_list(codes, "ipc_scope")
    if _scope(scope) == "any":
        return codes
    if ("main",) not in codes.row_cache:  # a derived column, kept so sweeps re-use it
        codes.row_cache[("main",)] = codes.first_only()
    return codes.row_cache[("main",)]


def _scope(scope):
    if scope not in ("any", "main"):
        raise ExprError(f'ipc_scope() takes "any" or "main", not {scope!r}')
    return scope


# --- scalar forms ---------------------------------------------------------------------


def _ipc_in_scalar(codes, table):
    return any(table.match_one(code) for code in codes)


def _ipc_in_filtered_scalar(codes, table, keywords, title, abstract):
    return table.record_bits(tuple(codes), keywords, title, abstract) != 0


def _count_overseas_scalar(codes, include_hk_mo_tw):
    excluded = {"CN", *NEVER_A_GRANT} if include_hk_mo_tw else {"CN", *HK_MO_TW, *NEVER_A_GRANT}
    return sum(1 for code in codes if code not in excluded)


def _any_of_scalar(codes, values):
    return any(code in set(values) for code in codes)


def _award_in_scalar(codes, families):
    return bool(_award_families(list(codes), tuple(families)).any()) if codes else False


def _ipc_scope_scalar(codes, scope):
    return tuple(codes) if _scope(scope) == "any" else tuple(codes)[:1]


def _is_null_scalar(value):
    return value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value))


def _date(text):
    try:
        return pd.Timestamp(text)
    except (ValueError, TypeError):
        raise ExprError(f"date() cannot read {text!r}; write YYYY-MM-DD") from None


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in [
        Function(
            "ipc_in",
            ("codes", "table"),
            "true when any of the IPC codes matches a row of the table at its level",
            _ipc_in_vec,
            _ipc_in_scalar,
        ),
        Function(
            "ipc_in_filtered",
            ("codes", "table", "keywords", "title", "abstract"),
            "like ipc_in; the table's keyword-filter rules count always (keywords "
            '"ignore") or only where title or abstract names one of their terms ("require")',
            _ipc_in_filtered_vec,
            _ipc_in_filtered_scalar,
        ),
        Function(
            "ipc_scope",
            ("codes", "scope"),
            'all codes ("any") or only the first, main code ("main")',
            _ipc_scope_vec,
            _ipc_scope_scalar,
        ),
        Function(
            "count_overseas",
            ("jurisdictions", "include_hk_mo_tw"),
            "how many jurisdictions are outside mainland China (HK/MO/TW by the flag)",
            _count_overseas_vec,
            _count_overseas_scalar,
        ),
        Function(
            "any_of",
            ("codes", "values"),
            "true when any code is one of the values",
            _any_of_vec,
            _any_of_scalar,
        ),
        Function(
            "award_in",
            ("awards", "families"),
            "true when an award falls under one of the award families or grades "
            "(national_sci_tech, china_patent.gold …); provincial awards never count",
            _award_in_vec,
            _award_in_scalar,
        ),
        Function(
            "count",
            ("codes",),
            "how many codes the list holds",
            _count_vec,
            lambda codes: len(codes),
        ),
        Function(
            "years_between",
            ("start", "end"),
            "calendar years from start to end, fractional between anniversaries",
            years_between_vec,
            years_between_scalar,
        ),
        Function(
            "is_null", ("value",), "true where the value is missing", _is_null_vec, _is_null_scalar
        ),
        Function("date", ("text",), 'a date literal, date("2021-01-01")', _date, _date),
        Function(
            "field",
            ("name",),
            "the field named by a string, e.g. field($start)",
            None,
            None,
            needs_context=True,
        ),
        Function(
            "table",
            ("name",),
            "a lookup table supplied with the rules",
            None,
            None,
            needs_context=True,
        ),
    ]
}


def register(function: Function) -> None:
    """Add a domain function (e.g. IPC-aware ones from ipscore.patents) to the whitelist."""
    FUNCTIONS[function.name] = function
