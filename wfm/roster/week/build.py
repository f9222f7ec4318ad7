"""Building the week model (`_build`): a count per candidate shift of each group, the
on-queue supply per skill set and 30-minute block, the allocation of that supply to queues,
the service terms of the objective and the start bands' rules (`bands`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from ortools.sat.python import cp_model

from wfm.roster.candidates import Group, Shift
from wfm.roster.demand import QueueDemand, ServiceWeights
from wfm.roster.patterns import SCALE
from wfm.roster.week.bands import _band_constraints
from wfm.roster.week.model import (
    BLOCK,
    BLOCK_MINUTES,
    BLOCKS,
    Column,
    _dot,
    _fmt,
    _Model,
    _row,
    _Rows,
    _shares_by_block,
    _shift_cost,
    _sum,
    skill_sets_of,
)
from wfm.roster.week.service import _email
from wfm.roster.wishes import wish_hours
from wfm.rules import RulesProfile

Cost = Callable[[Any, float], None]  # adds a term (variable, weight) to the objective


class _Objective:
    """The objective's terms in the order the model creates them, and a constant."""

    def __init__(self) -> None:
        self.terms: list[Any] = []
        self.coefs: list[float] = []
        self.constant = 0.0

    def cost(self, var: Any, weight: float) -> None:
        self.terms.append(var)
        self.coefs.append(weight)

    def expression(self) -> Any:
        return _dot(self.terms, self.coefs) + round(self.constant)


def _build(
    groups: Sequence[Group],
    columns: dict[int, list[int]],
    demands: Sequence[QueueDemand],
    rules: RulesProfile,
    weights: ServiceWeights,
    *,
    relaxation: bool = False,
) -> _Model:
    """The whole-week model over `columns` (group index → shift indices), start bands free.

    `relaxation`: the model's LP is to grow by columns (`price_columns`), so every row a
    candidate shift of a group with columns could enter exists already: on-queue supply for
    every skill set and block, each band of the group's candidate shifts with its day, run and
    night rows; and a shift's count enters the supply rows itself, not through a sum of alike
    groups' counts."""
    cp = cp_model.CpModel()
    rows = _Rows()
    skill_sets = skill_sets_of(groups)
    set_of_group = {g.index: skill_sets.index(tuple(sorted(g.skills))) for g in groups}
    objective = _Objective()
    x, starts = _shift_counts(cp, groups, columns, set_of_group, weights, objective.cost)
    coverage = _coverage(cp, starts, rules, rows, relaxation=relaxation)
    if relaxation:
        for s in range(len(skill_sets)):
            for block in range(BLOCKS):
                coverage.setdefault((s, block), [])
    capacity = [sum(g.size for g in groups if set_of_group[g.index] == s) for s in range(len(skill_sets))]
    w, per_queue = _on_queue(cp, coverage, skill_sets, capacity, {d.name for d in demands}, rows)
    shorts = _service(cp, demands, per_queue, rules, weights, objective)
    bands = _band_constraints(cp, groups, columns, x, rules, weights, objective.cost, rows, complete=relaxation)
    return _Model(cp, x, w, bands, objective.expression(), skill_sets, {d.name for d in demands if d.deferred}, rows, shorts)


def _shift_counts(
    cp: cp_model.CpModel,
    groups: Sequence[Group],
    columns: dict[int, list[int]],
    set_of_group: dict[int, int],
    weights: ServiceWeights,
    cost: Cost,
) -> tuple[dict[Column, Any], dict[tuple[int, int, int], list[tuple[Any, int]]]]:
    """A count per column (agents of the group working the shift), at its paid cost and its
    wishes' (`roster.wishes`); and the counts by (skill set, start, length)."""
    x: dict[Column, Any] = {}
    starts: dict[tuple[int, int, int], list[tuple[Any, int]]] = defaultdict(list)
    for group in groups:
        for i in columns.get(group.index, []):
            shift = group.shifts[i]
            var = cp.new_int_var(0, group.size, f"works[{group.label},{_fmt(shift.start)}+{shift.length}]")
            x[group.index, i] = var
            starts[set_of_group[group.index], shift.start, shift.length].append((var, group.size))
            cost(var, _shift_cost(shift, weights, wish_hours(group, shift)))
    return x, starts


def _coverage(
    cp: cp_model.CpModel,
    starts: dict[tuple[int, int, int], list[tuple[Any, int]]],
    rules: RulesProfile,
    rows: _Rows,
    *,
    relaxation: bool,
) -> dict[tuple[int, int], list[tuple[Any, int]]]:
    """On-queue tenths per skill set and block: (count, share) pairs. Outside a relaxation the
    alike groups' counts of one start and length are summed in one variable first."""
    coverage: dict[tuple[int, int], list[tuple[Any, int]]] = defaultdict(list)
    for (s, start, length), entries in sorted(starts.items()):
        totals = [var for var, _ in entries]
        if len(entries) > 1 and not relaxation:
            total = cp.new_int_var(0, sum(size for _, size in entries), f"starts[{s},{_fmt(start)}+{length}]")
            rows.starts[s, start, length] = _row(cp, total - _sum(totals), 0, 0)
            totals = [total]
        probe = Shift(day=0, start=start, length=length, paid=0, night=False, band=0)
        for block, share in _shares_by_block(probe, rules).items():
            coverage[s, block] += [(total, share) for total in totals]
    return coverage


def _on_queue(
    cp: cp_model.CpModel,
    coverage: dict[tuple[int, int], list[tuple[Any, int]]],
    skill_sets: list[tuple[str, ...]],
    capacity: list[int],
    queue_names: set[str],
    rows: _Rows,
) -> tuple[dict[tuple[int, str, int], Any], dict[str, dict[int, list[Any]]]]:
    """The allocation: on-queue tenths per skill set, queue and block, within the supply."""
    w: dict[tuple[int, str, int], Any] = {}
    per_queue: dict[str, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for s, block in sorted(coverage):
        queues = [q for q in skill_sets[s] if q in queue_names]
        if not queues:
            continue
        for q in queues:
            w[s, q, block] = var = cp.new_int_var(0, SCALE * capacity[s], f"on_queue[{q},{s},{_fmt(block * BLOCK_MINUTES)}]")
            per_queue[q][block].append(var)
        shares = coverage[s, block]
        supply = _dot([v for v, _ in shares], [c for _, c in shares])
        rows.cover[s, block] = _row(cp, BLOCK * _sum(w[s, q, block] for q in queues) - supply, cp_model.INT_MIN, 0)
    return w, per_queue


def _service(
    cp: cp_model.CpModel,
    demands: Sequence[QueueDemand],
    per_queue: dict[str, dict[int, list[Any]]],
    rules: RulesProfile,
    weights: ServiceWeights,
    objective: _Objective,
) -> list[Any]:
    """The service terms of the objective: email lateness (`_email`), and per phone/chat block
    its shortfall at the cost of the service it loses. Returns the shortfall variables."""
    shorts: list[Any] = []
    for demand in demands:
        if demand.deferred:
            for var, weight in _email(cp, demand, per_queue[demand.name], weights, demand.queue.occupancy_cap(rules)):
                objective.cost(var, weight)
            continue
        for block in range(BLOCKS):
            short = _shortfall(cp, demand, block, per_queue[demand.name].get(block), weights, objective)
            if short is not None:
                shorts.append(short)
    return shorts


def _shortfall(
    cp: cp_model.CpModel,
    demand: QueueDemand,
    block: int,
    on_queue: list[Any] | None,
    weights: ServiceWeights,
    objective: _Objective,
) -> Any | None:
    """A phone/chat block's tenths of an agent short, costed by its convex cuts and, for any
    shortfall at all, a flat cost; None where the block needs nobody or nobody can serve it
    (then its whole cost is a constant)."""
    # a block is costed at its worse quarter hour, for each of its quarter hours
    slot = max(range(block * BLOCK, (block + 1) * BLOCK), key=lambda t: (int(demand.required[t]), -t))
    required = int(demand.required[slot])
    lines = demand.cost_lines[slot]
    if required <= 0 or not lines:
        return None
    worst = max(line.intercept + line.slope * required for line in lines)
    if not on_queue:
        objective.constant += BLOCK * worst
        return None
    label = f"{demand.name},{_fmt(block * BLOCK_MINUTES)}"
    short = cp.new_int_var(0, SCALE * required, f"short[{label}]")
    cp.add(_sum(on_queue) + short >= SCALE * required)
    penalty = cp.new_int_var(0, max(worst, 0), f"short_cost[{label}]")
    for line in lines:
        cp.add(SCALE * penalty >= SCALE * line.intercept + line.slope * short)
    objective.cost(penalty, BLOCK)
    if weights.missed_slot:
        # any shortfall at all misses the interval's target: a flat cost on top
        missed = cp.new_bool_var(f"missed[{label}]")
        cp.add(short <= SCALE * required * missed)
        objective.cost(missed, BLOCK * weights.missed_slot)
    return short
