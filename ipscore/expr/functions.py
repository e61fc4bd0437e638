"""The registry of functions an expression may call: the whitelist and its backends.

Each function is one `Function` record holding everything about it in one place: its
signature (for the type checker), its meaning (for the reference docs), its backends and a
hypothesis strategy for its arguments (for the tests that hold the backends equal).

Backends, in the spirit of pandera's: an evaluator asks `form(name, backend)` and never
names a function itself, so a new backend is a new key in `Function.forms`, not a change
to any rule or evaluator.
- "vectorized": columns in, a column out. List arguments are ListColumns; list functions
  work on the vocabulary of distinct codes and scatter back to rows.
- "scalar": one record's values in, one value out; lists are tuples of codes.
- "event": the value a durable_rules fact carries for the call (ipscore.expr.durable
  precomputes calls on records as fact features); by default the scalar form.

Domain functions (IPC notation, award vocabulary) are defined in their packages and
named in ipscore.plugins; the registry loads them explicitly the first time it is asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from ipscore.expr.columns import ListColumn
from ipscore.expr.dates import years_between_scalar, years_between_vec
from ipscore.expr.errors import ExprError
from ipscore.expr.signature import Signature
from ipscore.plugins import load

HK_MO_TW = frozenset({"HK", "MO", "TW"})
#: WO is a PCT application (WIPO publishes, never grants): never a granted family member.
NEVER_A_GRANT = frozenset({"WO"})
#: Dates the tests draw: inside pandas' Timestamp range, around any register's dates.
_EARLIEST, _LATEST = dt.date(1950, 1, 1), dt.date(2100, 12, 31)
BACKENDS = ("vectorized", "scalar", "event")

#: Builds a hypothesis strategy of argument tuples (AST nodes) from a kit the tests supply:
#: kit.st is hypothesis.strategies, kit.of(kind) expressions of a kind, kit.field(name) a
#: field, kit.literal(value) a literal. The package never imports hypothesis itself.
ArgumentStrategy = Callable[[Any], Any]


@dataclass(frozen=True)
class Function:
    name: str
    params: tuple[str, ...]
    doc: str
    signature: Signature
    #: Backend name → implementation. Context functions (field, table) have none: the
    #: evaluators resolve them against the record and the rule's tables.
    forms: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    arguments: ArgumentStrategy | None = None
    #: Reads the record through the context (field lookups), not only its arguments.
    needs_context: bool = False

    def form(self, backend: str) -> Callable[..., Any]:
        if backend in self.forms:
            return self.forms[backend]
        if backend == "event" and "scalar" in self.forms:
            return self.forms["scalar"]
        raise ExprError(f"{self.name}() has no {backend} form")

    # The two forms every evaluator of this package uses, by their usual names.
    @property
    def vector(self) -> Callable[..., Any]:
        return self.form("vectorized")

    @property
    def scalar(self) -> Callable[..., Any]:
        return self.form("scalar")


def require_list(value: Any, fn: str) -> ListColumn:
    if not isinstance(value, ListColumn):
        raise ExprError(f"{fn}() expects a list field (such as ipc or family_granted)")
    return value


def vocab_mask(codes: ListColumn, key: tuple, compute: Callable[[np.ndarray], np.ndarray]):
    if key not in codes.cache:
        codes.cache[key] = np.asarray(compute(codes.vocab), dtype=bool)
    return codes.cache[key]


def _overseas_mask(vocab: np.ndarray, include_hk_mo_tw: bool) -> np.ndarray:
    excluded = {"CN", *NEVER_A_GRANT} if include_hk_mo_tw else {"CN", *HK_MO_TW, *NEVER_A_GRANT}
    return ~pd.Index(vocab).isin(list(excluded))


# --- vectorized forms -----------------------------------------------------------------


def _ipc_in_vec(codes, table):
    codes = require_list(codes, "ipc_in")
    return codes.any_rows(vocab_mask(codes, ("ipc_in", id(table)), table.matches))


def _ipc_in_filtered_vec(codes, table, keywords, title, abstract):
    codes = require_list(codes, "ipc_in_filtered")
    return table.row_bits(codes, keywords, title, abstract) != 0


def _count_overseas_vec(codes, include_hk_mo_tw):
    codes = require_list(codes, "count_overseas")
    flag = bool(include_hk_mo_tw)
    mask = vocab_mask(codes, ("overseas", flag), lambda v: _overseas_mask(v, flag))
    return codes.count_rows(mask)


def _any_of_vec(codes, values):
    codes = require_list(codes, "any_of")
    wanted = tuple(values)
    mask = vocab_mask(codes, ("any_of", wanted), lambda v: pd.Index(v).isin(list(wanted)))
    return codes.any_rows(mask)


def _count_vec(codes):
    return require_list(codes, "count").lengths


def _is_null_vec(value):
    if isinstance(value, pd.Series):
        return value.isna().to_numpy()
    if isinstance(value, np.ndarray):
        return pd.isna(value)
    return _is_null_scalar(value)


def _ipc_scope_vec(codes, scope):
    codes = require_list(codes, "ipc_scope")
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


def _ipc_scope_scalar(codes, scope):
    return tuple(codes) if _scope(scope) == "any" else tuple(codes)[:1]


def _is_null_scalar(value):
    return value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value))


def _date(text):
    try:
        return pd.Timestamp(text)
    except (ValueError, TypeError):
        raise ExprError(f"date() cannot read {text!r}; write YYYY-MM-DD") from None


# --- argument strategies (for the tests; `kit` is built in tests/expressions.py) ----------


def _ipc_in_args(kit):
    return kit.st.tuples(kit.of("list"), kit.table())


def _ipc_in_filtered_args(kit):
    mode = kit.literal(kit.st.sampled_from(["ignore", "require"]))
    return kit.st.tuples(kit.of("list"), kit.table(), mode, kit.of("text"), kit.of("text"))


def _ipc_scope_args(kit):
    return kit.st.tuples(kit.of("list"), kit.literal(kit.st.sampled_from(["any", "main"])))


def _count_overseas_args(kit):
    return kit.st.tuples(kit.of("list"), kit.literal(kit.st.booleans()))


def _any_of_args(kit):
    values = kit.st.lists(kit.st.sampled_from(kit.list_codes), min_size=0, max_size=3)
    return kit.st.tuples(kit.of("list"), kit.literal(values))


def _one_list_arg(kit):
    return kit.st.tuples(kit.of("list"))


def _two_dates_args(kit):
    return kit.st.tuples(kit.of("date"), kit.of("date"))


def _any_arg(kit):
    return kit.st.tuples(kit.of("any"))


def _date_args(kit):
    return kit.st.tuples(kit.literal(kit.st.dates(_EARLIEST, _LATEST).map(lambda d: d.isoformat())))


def _field_args(kit):
    return kit.st.tuples(kit.literal(kit.st.sampled_from(kit.field_names)))


def _table_args(kit):
    return kit.st.tuples(kit.literal(kit.st.sampled_from(kit.table_names)))


def _forms(vectorized, scalar) -> dict[str, Callable[..., Any]]:
    return {"vectorized": vectorized, "scalar": scalar}


CORE: tuple[Function, ...] = (
    Function(
        "ipc_in",
        ("codes", "table"),
        "true when any of the IPC codes matches a row of the table at its level",
        Signature(("list", "table"), "bool"),
        _forms(_ipc_in_vec, _ipc_in_scalar),
        _ipc_in_args,
    ),
    Function(
        "ipc_in_filtered",
        ("codes", "table", "keywords", "title", "abstract"),
        "like ipc_in; the table's keyword-filter rules count always (keywords "
        '"ignore") or only where title or abstract names one of their terms ("require")',
        Signature(
            ("list", "table", "text", "text", "text"), "bool", {2: ("ignore", "require")}, (2,)
        ),
        _forms(_ipc_in_filtered_vec, _ipc_in_filtered_scalar),
        _ipc_in_filtered_args,
    ),
    Function(
        "ipc_scope",
        ("codes", "scope"),
        'all codes ("any") or only the first, main code ("main")',
        Signature(("list", "text"), "list", {1: ("any", "main")}, (1,)),
        _forms(_ipc_scope_vec, _ipc_scope_scalar),
        _ipc_scope_args,
    ),
    Function(
        "count_overseas",
        ("jurisdictions", "include_hk_mo_tw"),
        "how many jurisdictions are outside mainland China (HK/MO/TW by the flag)",
        Signature(("list", "bool"), "number", constant=(1,)),
        _forms(_count_overseas_vec, _count_overseas_scalar),
        _count_overseas_args,
    ),
    Function(
        "any_of",
        ("codes", "values"),
        "true when any code is one of the values",
        Signature(("list", "list"), "bool", constant=(1,)),
        _forms(_any_of_vec, _any_of_scalar),
        _any_of_args,
    ),
    Function(
        "count",
        ("codes",),
        "how many codes the list holds",
        Signature(("list",), "number"),
        _forms(_count_vec, len),
        _one_list_arg,
    ),
    Function(
        "years_between",
        ("start", "end"),
        "calendar years from start to end, fractional between anniversaries",
        Signature(("date", "date"), "number"),
        _forms(years_between_vec, years_between_scalar),
        _two_dates_args,
    ),
    Function(
        "is_null",
        ("value",),
        "true where the value is missing",
        Signature(("any",), "bool"),
        _forms(_is_null_vec, _is_null_scalar),
        _any_arg,
    ),
    Function(
        "date",
        ("text",),
        'a date literal, date("2021-01-01")',
        Signature(("text",), "date", constant=(0,)),
        _forms(_date, _date),
        _date_args,
    ),
    Function(
        "field",
        ("name",),
        "the field named by a string, e.g. field($start)",
        Signature(("text",), "any", constant=(0,)),
        arguments=_field_args,
        needs_context=True,
    ),
    Function(
        "table",
        ("name",),
        "a lookup table supplied with the rules",
        Signature(("text",), "table", constant=(0,)),
        arguments=_table_args,
        needs_context=True,
    ),
)


@cache
def registry() -> dict[str, Function]:
    """Every function, by name: the core ones above and those the entry points provide."""
    functions: dict[str, Function] = {}
    for function in (*CORE, *(f for group in load("expr.functions") for f in group)):
        if function.name in functions:
            raise ValueError(f"expression function {function.name}() is defined twice")
        functions[function.name] = function
    return functions


def lookup(name: str) -> Function | None:
    return registry().get(name)


def form(name: str, backend: str) -> Callable[..., Any]:
    """The implementation of function `name` in `backend`."""
    return registry()[name].form(backend)
