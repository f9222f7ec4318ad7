"""From the relaxation to whole rosters: LP diving (`_dive`), the nearest whole roster that
keeps every group's rules (`nearest_roster`), the completion of a roster's queue allocation
(`_complete`, `_largest_remainder`) and the CP-SAT rounding around relaxed counts (`_round`).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster import stop
from wfm.roster.candidates import Group
from wfm.roster.demand import QueueDemand, ServiceWeights
from wfm.roster.relax import LinearRelaxation, Relaxation, solve_relaxation
from wfm.roster.week.build import _build
from wfm.roster.week.model import Column, _Model, _sum
from wfm.roster.week.settings import (
    DIVE_BATCH,
    GLOP_WORK_PER_SECOND,
    MIN_ALLOCATION_SECONDS,
    NEAREST_WEIGHT,
    REPEATABLE_ROUNDING_SHARE,
    ROUNDING_FLOOR_SHARE,
    SECONDS_PER_RESOLVE_ENTRY,
    SECONDS_PER_WARM_ITERATION_ROW,
    WORK_PER_SECOND,
    Progress,
    SolveSettings,
    _clock_stopped,
    _ran_out,
    cp_solver,
)
from wfm.rules import RulesProfile


class _Progress(cp_model.CpSolverSolutionCallback):
    """Reports each roster found. `bound`, when given, is reported instead of CP-SAT's own: the
    rounding solves a restriction of the relaxed model, so its bound holds for that restriction
    only, while the relaxation's bounds every roster over the candidate shifts."""

    def __init__(self, report: Progress, bound: float | None = None) -> None:
        super().__init__()
        self._report = report
        self._bound = bound
        self._start = time.perf_counter()

    def on_solution_callback(self) -> None:
        bound = self.BestObjectiveBound() if self._bound is None else self._bound
        self._report(self.ObjectiveValue(), bound, time.perf_counter() - self._start)


def _within(cp: cp_model.CpModel, var: Any, value: float, slack: int) -> None:
    """A count held within `slack` of a relaxed `value`: from its floor less `slack` (not below
    zero) to its ceiling plus `slack`."""
    cp.add(var >= max(0, math.floor(value + 1e-6) - slack))
    cp.add(var <= math.ceil(value - 1e-6) + slack)


def _solve_from(
    model: _Model,
    hint: dict[Column, int],
    band_hint: dict[tuple[int, int], int],
    settings: SolveSettings,
    effort: float,
    wall: float,
    progress: Progress | None = None,
    *,
    bound: float | None = None,
) -> tuple[cp_model.CpSolver, Any, bool]:
    """Complete the roster `hint` (`_complete`), then improve from it. Also says whether the
    clock, not a work limit, stopped the completion."""
    cp = model.cp
    cp.minimize(model.objective)
    started = time.perf_counter()
    values, clock_cut = _complete(model, hint, band_hint, settings, effort / 3, wall / 3)
    cp.clear_hints()
    if values is not None:
        for index, value in enumerate(values):
            cp.add_hint(cp.get_int_var_from_proto_index(index), value)
    else:
        for key, var in model.x.items():
            cp.add_hint(var, hint.get(key, 0))
        for key, var in model.bands.items():
            cp.add_hint(var, band_hint.get(key, 0))
    solver = cp_solver("search", settings, effort, wall - (time.perf_counter() - started))
    if stop.requested():  # Ctrl-C during the completion: no search after it
        return solver, cp_model.UNKNOWN, clock_cut
    callback = _Progress(progress, bound) if progress else None
    return solver, stop.solve(lambda: solver.solve(cp, callback), solver.stop_search), clock_cut


def _complete(
    model: _Model,
    hint: dict[Column, int],
    band_hint: dict[tuple[int, int], int],
    settings: SolveSettings,
    effort: float,
    wall: float,
) -> tuple[list[int] | None, bool]:
    """Every variable's value for the roster `hint` with bands `band_hint`: queues allocated by
    the LP over that roster, then by CP-SAT in whole tenths, each allocation rounded down or up
    from the LP's and started from the largest remainders (`_largest_remainder`), with every
    shortfall and cost following from it. A repeatable solve spends `effort` (from the limit,
    not the clock) on it; `wall` only stops it, and then the second value says so. None when the roster breaks a rule or time
    runs out."""
    # CP-SAT left to complete the counts alone spends its budget on the allocation and finds a
    # poor one; fixing the largest remainders outright leaves email late. Choosing between each
    # share's floor and ceiling from the largest remainders does neither.
    started = time.perf_counter()
    lp = model.cp.clone()
    lp.clear_hints()
    model.fix(lp, hint, band_hint)
    work = GLOP_WORK_PER_SECOND * effort / WORK_PER_SECOND if settings.deterministic else None
    relaxed = solve_relaxation(lp, max(0.5, wall), work_limit=work)
    if relaxed is None or relaxed.status != "OPTIMAL":
        return None, _ran_out(time.perf_counter() - started, max(0.5, wall))
    allocation = dict(_largest_remainder(model.w, relaxed.values, model.deferred))
    whole = lp.clone()
    for index, value in allocation.items():
        var = whole.get_int_var_from_proto_index(index)
        fraction = float(relaxed.values[index])
        whole.add(var >= min(value, math.floor(fraction + 1e-6)))
        whole.add(var <= max(value, math.ceil(fraction - 1e-6)))
    for index, variable in enumerate(whole.proto.variables):
        domain = list(variable.domain)
        value = allocation.get(index, round(relaxed.values[index]))
        whole.add_hint(whole.get_int_var_from_proto_index(index), min(max(value, domain[0]), domain[-1]))
    solver = cp_solver("completion", settings, effort, max(0.5, wall - (time.perf_counter() - started)))
    status = stop.solve(lambda: solver.solve(whole), solver.stop_search)
    clock_cut = _clock_stopped(solver, status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, clock_cut
    return [int(solver.value(whole.get_int_var_from_proto_index(i))) for i in range(len(whole.proto.variables))], clock_cut


def _largest_remainder(w: dict[tuple[int, str, int], Any], values: np.ndarray, deferred: set[str]) -> list[tuple[int, int]]:
    """Whole tenths near an LP allocation: per skill set and block, each queue's share rounded
    down, then the tenths that rounding freed (never more than the LP used) to the largest
    remainders; email carries what rounding took from it into its next block, as its work
    waits. Rounding each down alone starved queues the LP gave a fraction of a tenth to in many
    blocks (email above all: 40-agent week, lateness 2.5 times the whole paid cost)."""
    by_block: dict[tuple[int, int], list[tuple[int, str, float]]] = defaultdict(list)
    for (s, q, block), var in w.items():
        by_block[s, block].append((var.index, q, float(values[var.index])))
    carry: dict[tuple[int, str], float] = defaultdict(float)
    allocation = []
    for (s, _), entries in sorted(by_block.items(), key=lambda item: (item[0][0], item[0][1])):
        wanted = [v + (carry[s, q] if q in deferred else 0.0) for _, q, v in entries]
        floors = [max(0, math.floor(v + 1e-6)) for v in wanted]
        spare = math.floor(sum(v for _, _, v in entries) + 1e-6) - sum(floors)
        order = sorted(range(len(entries)), key=lambda k: (-(wanted[k] - floors[k]), entries[k][0]))
        for k in order[: max(spare, 0)]:
            floors[k] += 1
        while sum(floors) > math.floor(sum(v for _, _, v in entries) + 1e-6):  # a carry asked for more than the block has
            k = max((k for k in range(len(entries)) if floors[k] > 0), key=lambda k: (floors[k] - wanted[k], -entries[k][0]))
            floors[k] -= 1
        for (index, q, _), value, want in zip(entries, floors, wanted, strict=True):
            if q in deferred:
                carry[s, q] = want - value
            allocation.append((index, value))
    return allocation


def _dive(
    lp: LinearRelaxation,
    index: dict[Column, int],
    relaxed: Relaxation,
    budget: float,
    deadline: float,
    *,
    repeatable: bool,
) -> tuple[dict[Column, float], float, np.ndarray, bool]:
    """LP diving: fix the relaxed shift counts to whole numbers a batch at a time, those nearest
    a whole number first, re-solving the relaxation from its last basis after each batch so
    the counts still free make up for what rounding took or gave. A batch that leaves the
    relaxation without a solution (two halves of shifts on one day rounded up past a band's
    people) is undone and retried smaller; a single count that cannot be fixed is left to
    `nearest_roster`. Returns the counts where the dive stopped (positive ones), what it was
    charged, in the budget's units (simplex iterations × rows when `repeatable`), the last
    relaxation's values (its queue allocation fits those counts), and whether the clock, not
    the budget, stopped it.

    Rounding the relaxation once, group by group, misses what the groups trade between them: a
    count rounded down in one group is covered by nobody, where a re-solve moves another group's
    shift there."""
    values = {key: float(relaxed.values[position]) for key, position in index.items()}
    last = relaxed.values
    original = {key: lp.bounds(position) for key, position in index.items()}
    settled: set[Column] = set()
    spent = 0.0
    share = DIVE_BATCH
    clock_cut = False
    while spent < budget:
        open_counts = sorted(
            (abs(v - round(v)), key) for key, v in values.items() if key not in settled and abs(v - round(v)) > 1e-6
        )
        wall = deadline - time.perf_counter()
        if not open_counts or stop.requested():
            break
        if wall < 0.5:
            clock_cut = True
            break
        batch = [key for _, key in open_counts[: max(1, math.ceil(share * len(open_counts)))]]
        for key in batch:
            whole = round(values[key])
            lp.set_bounds(index[key], whole, whole)
        work = GLOP_WORK_PER_SECOND * max(0.1, budget - spent) if repeatable else None
        solving = time.perf_counter()
        result = lp.solve(wall, work_limit=work, warm=True, duals=False)
        if (result is None or result.status != "OPTIMAL") and _ran_out(time.perf_counter() - solving, wall):
            clock_cut = True
            break
        # every solve is charged, found or not, so a dive of failing batches still ends
        spent += _resolve_charge(lp) if repeatable else time.perf_counter() - solving
        if result is None or result.status != "OPTIMAL":
            for key in batch:
                lp.set_bounds(index[key], *original[key])
            if len(batch) == 1:
                settled.add(batch[0])
            share = share / 4
            continue
        values = {key: float(result.values[position]) for key, position in index.items()}
        last = result.values
        settled.update(batch)
    for key, position in index.items():  # the relaxation as it was, for anyone after
        lp.set_bounds(position, *original[key])
    return {key: v for key, v in values.items() if v > 1e-6}, spent, last, clock_cut


def _resolve_charge(lp: LinearRelaxation) -> float:
    """What one of the dive's re-solves is charged, in seconds of a repeatable budget: its
    simplex iterations and the fixed cost of a re-solve, both by the model's size."""
    return lp.last_iterations * lp.rows * SECONDS_PER_WARM_ITERATION_ROW + (lp.rows + lp.columns) * SECONDS_PER_RESOLVE_ENTRY


def nearest_roster(
    groups: Sequence[Group],
    values: dict[Column, float],
    rules: RulesProfile,
    weights: ServiceWeights,
    start: dict[Column, int] | None = None,
    start_bands: dict[tuple[int, int], int] | None = None,
) -> tuple[dict[Column, int], dict[tuple[int, int], int], list[str]]:
    """Whole counts near a relaxed roster that keep every group's rules, and the band sizes
    that carry them: a complete starting roster for the rounding.

    Groups are coupled only through coverage, so each is rounded on its own: a small CP-SAT
    model with the group's band constraints, minimising the distance to the relaxed counts
    (then paid minutes and soft-rule costs). Rounding every count to its nearest integer
    breaks band capacities and contracted minimums, and CP-SAT started from such a hint finds
    its first roster far above the relaxation, while from this start it begins near it. One
    worker, optimal per group: the same relaxation gives the same roster.

    A group whose relaxed shifts hold no whole legal week (the relaxation may meet a contracted
    minimum with halves of shifts that clash when rounded) keeps its counts from `start`, the
    complete starting roster; the third value names those groups."""
    chosen: dict[int, list[int]] = defaultdict(list)
    for g, i in sorted(values):
        chosen[g].append(i)
    counts: dict[Column, int] = {}
    bands: dict[tuple[int, int], int] = {}
    kept: list[str] = []
    for g, ids in chosen.items():
        found = _nearest_group(groups[g], g, ids, values, rules, weights)
        if found is None:
            kept.append(groups[g].label)
            counts.update({key: n for key, n in (start or {}).items() if key[0] == g and n > 0})
            bands.update({key: n for key, n in (start_bands or {}).items() if key[0] == g and n > 0})
            continue
        counts.update(found[0])
        bands.update(found[1])
    return counts, bands, kept


def _nearest_group(
    group: Group, g: int, ids: list[int], values: dict[Column, float], rules: RulesProfile, weights: ServiceWeights
) -> tuple[dict[Column, int], dict[tuple[int, int], int]] | None:
    """`nearest_roster` for one group: each count within one of its relaxed value, or None."""
    model = _build([group], {g: ids}, [], rules, weights)
    distance = []
    for key, var in model.x.items():
        target = round(100 * values[key])
        _within(model.cp, var, values[key], 1)
        far = model.cp.new_int_var(0, 100 * group.size + 100, f"distance[{key}]")
        model.cp.add(far >= 100 * var - target)
        model.cp.add(far >= target - 100 * var)
        distance.append(far)
    model.cp.minimize(NEAREST_WEIGHT * _sum(distance) + model.objective)
    solver = cp_solver("nearest", SolveSettings())
    status = stop.solve(lambda: solver.solve(model.cp), solver.stop_search)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    found = model.extract(solver.value)
    return found.counts, found.bands


def _round(
    groups: Sequence[Group],
    demands: Sequence[QueueDemand],
    rules: RulesProfile,
    weights: ServiceWeights,
    settings: SolveSettings,
    around: dict[Column, float],
    slack: int,
    deadline: float,
    progress: Progress | None,
    *,
    hint: dict[Column, int],
    band_hint: dict[tuple[int, int], int],
    bound: float | None = None,
    spent: float = 0.0,
) -> tuple[_Model, cp_model.CpSolver, Any, bool] | None:
    """CP-SAT over the columns of `around`, each count within `slack` of its value (slack 0: a
    fixed roster whose bands and queues are chosen), from the complete roster `hint`; the last
    value says whether the clock stopped the completion. None when a rounding (slack > 0) found
    no roster in time, although one may exist. A repeatable solve's budget is its share of the
    limit less `spent`, what column generation was charged (so the limit holds with it)."""
    chosen: dict[int, list[int]] = defaultdict(list)
    for g, i in sorted(around):
        chosen[g].append(i)
    model = _build(groups, chosen, demands, rules, weights)
    for key, var in model.x.items():
        _within(model.cp, var, around[key], slack)
    remaining = max(MIN_ALLOCATION_SECONDS, deadline - time.perf_counter())
    limit = settings.work_seconds or settings.time_limit
    share = max(REPEATABLE_ROUNDING_SHARE * limit - spent, ROUNDING_FLOOR_SHARE * limit)
    budget = share if settings.deterministic else remaining
    effort = max(0.5, WORK_PER_SECOND * max(MIN_ALLOCATION_SECONDS, budget))  # from the limit alone when repeatable
    solver, status, clock_cut = _solve_from(model, hint, band_hint, settings, effort, remaining, progress, bound=bound)
    if status == cp_model.UNKNOWN and slack:
        return None
    return model, solver, status, clock_cut
