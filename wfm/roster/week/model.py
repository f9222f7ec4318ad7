"""The week model's variables and rows: `_Model` holds the counts per column, the band sizes
and the queue allocation (`fix()` holds them at a roster, `extract()` reads one back as a
`Rounded`), and `_Rows` notes which row each column enters, for pricing. Shared helpers
(sums, rows that keep their signs, names) live here too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster.candidates import SLOT_MINUTES, WEEK_SLOTS, Group, Shift
from wfm.roster.demand import ServiceWeights
from wfm.roster.patterns import SCALE, expected_on_queue
from wfm.rules import RulesProfile

Column = tuple[int, int]  # (group index, shift index)


# On-queue agents are allocated per 30-minute block (two slots): shifts start on a 30-minute
# grid, so coverage changes inside a block only by breaks, which stage 3 places. Each block is
# costed at its worse quarter hour.
BLOCK = 2


BLOCK_MINUTES = BLOCK * SLOT_MINUTES


BLOCKS = WEEK_SLOTS // BLOCK


@dataclass(frozen=True)
class Rounded:
    """A whole roster of the week model: counts, band sizes and on-queue plan per skill set."""

    counts: dict[Column, int]
    bands: dict[tuple[int, int], int]
    queue_agents: dict[tuple[str, int], np.ndarray]


@dataclass
class _BandRows:
    """The rows (constraint indices) a shift of one band of a group enters, by its coefficient."""

    day: dict[int, int] = field(default_factory=dict)  # local day → at most the band's people that day: 1
    run: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # day → consecutive-day spans: 1
    week: list[int] = field(default_factory=list)  # days worked in the week: 1
    paid: list[int] = field(default_factory=list)  # weekly cap and contracted minimum: paid minutes
    nights: int | None = None  # nights in the week: 1 for a night shift


@dataclass
class _Rows:
    """Where a shift would enter the model: what pricing (`price_columns`) reads duals from."""

    cover: dict[tuple[int, int], int] = field(default_factory=dict)  # (skill set, block) → on-queue supply
    starts: dict[tuple[int, int, int], int] = field(default_factory=dict)  # (skill set, start, length) → alike groups' sum
    bands: dict[tuple[int, int], _BandRows] = field(default_factory=lambda: defaultdict(_BandRows))


@dataclass
class _Model:
    cp: cp_model.CpModel
    x: dict[Column, Any]
    w: dict[tuple[int, str, int], Any]
    bands: dict[tuple[int, int], Any]
    objective: Any
    skill_sets: list[tuple[str, ...]]
    deferred: set[str]  # the email queues
    rows: _Rows
    short: list[Any] = field(default_factory=list)  # tenths of an agent short, per phone/chat block with a requirement

    def fix(self, cp: cp_model.CpModel, counts: dict[Column, int], bands: dict[tuple[int, int], int]) -> None:
        """Hold every count and band size of this model at the roster `counts`, `bands` (zero
        where not given) in `cp`, this model or a clone of it."""
        fixed = [(var.index, counts.get(key, 0)) for key, var in self.x.items()]
        fixed += [(var.index, bands.get(key, 0)) for key, var in self.bands.items()]
        for index, value in fixed:
            cp.add(cp.get_int_var_from_proto_index(index) == value)

    def extract(self, value: Callable[[Any], float]) -> Rounded:
        """The roster these variables hold under `value` (a solver's, or an LP's by variable):
        positive counts and band sizes, and the queue allocation per skill set and slot."""
        counts = {key: int(value(var)) for key, var in self.x.items() if value(var) > 0}
        bands = {key: int(value(var)) for key, var in self.bands.items() if value(var) > 0}
        return Rounded(counts, bands, _allocation(self, value))


def _sum(items: Iterable[Any]) -> Any:
    return cp_model.LinearExpr.sum(list(items))


def _dot(variables: Sequence[Any], coefficients: Sequence[float]) -> Any:
    return cp_model.LinearExpr.weighted_sum(list(variables), [round(c) for c in coefficients])


def _row(cp: cp_model.CpModel, expression: Any, low: int, high: int, name: str = "") -> int:
    """low ≤ expression ≤ high with the expression's signs kept (`cp.add` may flip a row whose
    left side is empty), so a column's coefficient in the row is known: pricing relies on it.
    Returns the row's index."""
    row = cp.add_linear_constraint(expression, low, high)
    if name:
        row.with_name(name)
    return int(row.index)


def _shift_cost(shift: Shift, weights: ServiceWeights, wishes: float = 0.0) -> int:
    """A shift's objective coefficient: its paid minutes, a night's small cost, and `wishes`
    paid hours for the wishes working it denies (less those it grants: `roster.wishes`)."""
    return round(weights.paid_minute * (shift.paid + 60 * wishes) + (weights.night_shift if shift.night else 0))


def _fmt(minutes: int) -> str:
    day, rest = divmod(minutes, 1440)
    return f"d{day}T{rest // 60:02d}:{rest % 60:02d}"


def skill_sets_of(groups: Sequence[Group]) -> list[tuple[str, ...]]:
    return sorted({tuple(sorted(g.skills)) for g in groups})


def _shares_by_block(shift: Shift, rules: RulesProfile) -> dict[int, int]:
    """On-queue tenths of an agent this shift gives each block (summed over the block's slots)."""
    first = shift.start // SLOT_MINUTES
    by_block: dict[int, int] = defaultdict(int)
    for j, share in enumerate(expected_on_queue(shift.length, rules)):
        if first + j < WEEK_SLOTS and share:
            by_block[(first + j) // BLOCK] += share
    return by_block


def _allocation(model: _Model, value: Callable[[Any], float]) -> dict[tuple[str, int], np.ndarray]:
    """(queue, skill-set index) → on-queue agents per slot, from each allocation variable's value."""
    queue_agents: dict[tuple[str, int], np.ndarray] = {}
    for (s, q, block), var in model.w.items():
        slots = queue_agents.setdefault((q, s), np.zeros(WEEK_SLOTS))
        slots[block * BLOCK : (block + 1) * BLOCK] = value(var) / SCALE
    return queue_agents
