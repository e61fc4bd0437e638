"""Expression functions that know the patent domain: IPC hierarchy and award vocabulary.

They are listed here, not registered by importing this module: ipscore.plugins names this
`FUNCTIONS` as an entry point and ipscore.expr.functions.registry() loads it.
"""

from __future__ import annotations

import numpy as np

from ipscore.expr.columns import ListColumn
from ipscore.expr.errors import ExprError
from ipscore.expr.functions import Function, require_list, vocab_mask
from ipscore.expr.signature import Signature
from ipscore.patents.awards import counts_as
from ipscore.patents.ipc import under

#: IPC codes the tests draw parents from: a subclass, a main group and subgroups.
IPC_PARENTS = ("G06N", "G06N 3/00", "G06N 3/08", "H04L 9/32", "A61K", "H01M 10/00")
AWARD_FAMILIES = (
    "national_sci_tech",
    "national_sci_tech.progress",
    "china_patent",
    "china_patent.gold",
    "provincial",
)


def _under_vec(codes, parent):
    if not isinstance(codes, ListColumn):
        raise ExprError("ipc_under() expects the ipc list field")
    key = ("ipc_under", parent)
    if key not in codes.cache:
        codes.cache[key] = under(codes.vocab, parent)
    return codes.any_rows(codes.cache[key])


def _under_scalar(codes, parent):
    return bool(under(np.asarray(codes, dtype=object), parent).any())


def _award_in_vec(codes, families):
    codes = require_list(codes, "award_in")
    wanted = tuple(families)
    mask = vocab_mask(codes, ("award_in", wanted), lambda v: counts_as(v, wanted))
    return codes.any_rows(mask)


def _award_in_scalar(codes, families):
    return bool(counts_as(list(codes), tuple(families)).any()) if codes else False


def _ipc_under_args(kit):
    return kit.st.tuples(kit.of("list"), kit.literal(kit.st.sampled_from(IPC_PARENTS)))


def _award_in_args(kit):
    families = kit.st.lists(kit.st.sampled_from(AWARD_FAMILIES), min_size=1, max_size=2)
    return kit.st.tuples(kit.field("awards"), kit.literal(families))


FUNCTIONS: tuple[Function, ...] = (
    Function(
        "ipc_under",
        ("codes", "parent"),
        "true when any code sits under the given subclass, main group or subgroup",
        Signature(("list", "text"), "bool", constant=(1,)),
        {"vectorized": _under_vec, "scalar": _under_scalar},
        _ipc_under_args,
    ),
    Function(
        "award_in",
        ("awards", "families"),
        "true when an award falls under one of the award families or grades "
        "(national_sci_tech, china_patent.gold …); provincial awards never count",
        Signature(("list", "list"), "bool", constant=(1,)),
        {"vectorized": _award_in_vec, "scalar": _award_in_scalar},
        _award_in_args,
    ),
)
