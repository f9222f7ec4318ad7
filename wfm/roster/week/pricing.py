"""The LP relaxation and column generation: the candidate shifts near a roster
(`neighbourhood`), a shift's column in the model (`column_entries`), its reduced cost, and the
shifts that would lower the relaxation (`price_columns`), added round by round (`_relax`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from wfm.roster import stop
from wfm.roster.candidates import Group, Shift
from wfm.roster.demand import QueueDemand, ServiceWeights
from wfm.roster.relax import LinearRelaxation, Relaxation
from wfm.roster.week.build import _build
from wfm.roster.week.model import Column, _Model, _shares_by_block, _shift_cost
from wfm.roster.week.settings import (
    GLOP_WORK_PER_SECOND,
    PRICE_TOLERANCE,
    PRICE_WHEN_SHORT,
    PRICED_PER_GROUP,
    PRICING_GROWTH,
    SECONDS_PER_ITERATION_ROW,
    _ran_out,
)
from wfm.roster.wishes import wish_hours
from wfm.rules import RulesProfile


def neighbourhood(groups: Sequence[Group], counts: dict[Column, int], rules: RulesProfile, reach: int) -> dict[int, list[int]]:
    """Candidate columns near a roster: for each group, every shift (any length) starting within
    `reach` grid steps of a shift the group works. A group the roster leaves idle borrows the
    starts of groups with its skills in its time zone, so its people stay available."""
    # The neighbourhood rather than every start time of day: near the same bound, in a
    # fraction of the time (README, roster benchmarks).
    step = rules.shifts.start_step_minutes
    usual: dict[int, set[int]] = defaultdict(set)
    for (g, i), count in counts.items():
        if count > 0:
            usual[g].add(groups[g].shifts[i].start)
    alike: dict[tuple[str, tuple[str, ...]], set[int]] = defaultdict(set)
    for group in groups:
        alike[group.timezone, tuple(sorted(group.skills))] |= usual.get(group.index, set())
    columns: dict[int, list[int]] = {}
    for group in groups:
        starts = usual.get(group.index) or alike[group.timezone, tuple(sorted(group.skills))]
        wanted = {t + d * step for t in starts for d in range(-reach, reach + 1)}
        chosen = [i for i, s in enumerate(group.shifts) if s.start in wanted]
        if chosen:
            columns[group.index] = chosen
    return columns


def column_entries(
    group: Group,
    shift: Shift,
    model: _Model,
    rules: RulesProfile,
    weights: ServiceWeights,
    cover: dict[tuple[int, int, int], list[tuple[int, float]]] | None = None,
) -> tuple[int, list[tuple[int, float]]]:
    """`group` working `shift` as a column of `model`: its objective coefficient and its
    (row, coefficient) pairs, as `_build` writes them (every row as left side − right side).
    Rows it would need and `model` lacks (a band or day no column has) are left out; a model
    built with `relaxation` has them all. `cover` caches the supply rows of a (skill set,
    start, length)."""
    s = model.skill_sets.index(tuple(sorted(group.skills)))
    rows = model.rows
    key = (s, shift.start, shift.length)
    supply = cover.get(key) if cover is not None else None
    if supply is None:
        if key in rows.starts:  # total − Σ counts = 0
            supply = [(rows.starts[key], -1.0)]
        else:  # BLOCK · Σ on-queue − Σ share · count ≤ 0
            shares = _shares_by_block(shift, rules).items()
            supply = [(rows.cover[s, b], -float(share)) for b, share in shares if (s, b) in rows.cover]
        if cover is not None:
            cover[key] = supply
    entries = list(supply)
    band = rows.bands.get((group.index, shift.band))
    if band is not None:
        if shift.day in band.day:
            entries.append((band.day[shift.day], 1.0))
        entries += [(r, 1.0) for r in band.week] + [(r, 1.0) for r in band.run.get(shift.day, ())]
        entries += [(r, float(shift.paid)) for r in band.paid]
        if shift.night and band.nights is not None:
            entries.append((band.nights, 1.0))
    return _shift_cost(shift, weights, wish_hours(group, shift)), entries


def reduced_cost(cost: float, entries: list[tuple[int, float]], duals: np.ndarray) -> float:
    """cost − Σ a_r · dual_r: negative when adding the column lowers the relaxation."""
    return cost - sum(coefficient * float(duals[row]) for row, coefficient in entries)


def price_columns(
    groups: Sequence[Group],
    columns: dict[int, list[int]],
    model: _Model,
    duals: np.ndarray,
    rules: RulesProfile,
    weights: ServiceWeights,
    *,
    per_group: int,
    most: int,
) -> dict[int, list[int]]:
    """The candidate shifts outside `columns` that would lower the relaxation most (negative
    reduced cost), at most `per_group` for a group and `most` in all: the pricing step of
    column generation."""
    cover: dict[tuple[int, int, int], list[tuple[int, float]]] = {}
    found: list[tuple[float, int, int]] = []
    for group in groups:
        if group.index not in columns:
            continue  # no rows: a group with no column has no band in the model
        have = set(columns[group.index])
        mine = []
        for i, shift in enumerate(group.shifts):
            if i in have:
                continue
            price = reduced_cost(*column_entries(group, shift, model, rules, weights, cover), duals)
            if price < -PRICE_TOLERANCE:
                mine.append((price, group.index, i))
        found += sorted(mine)[:per_group]
    chosen: dict[int, list[int]] = defaultdict(list)
    for _, g, i in sorted(found)[:most]:
        chosen[g].append(i)
    return chosen


@dataclass
class _RelaxStats:
    columns: int = 0  # columns of the last relaxation solved to optimality
    rounds: int = 0
    priced: int = 0
    seconds: float = 0.0
    clock_cut: bool = False  # the clock, not a work limit, stopped a solve
    interrupted: bool = False  # Ctrl-C
    converged: bool = False  # pricing found no shift to add: the bound holds over every candidate
    priced_seconds: float = 0.0  # what the solves after pricing were charged (see `_relax`)
    lp: LinearRelaxation | None = None  # the last relaxation, for diving
    index: dict[Column, int] = field(default_factory=dict)  # column → its variable in `lp`
    model: _Model | None = None  # the model `lp` relaxes (its allocation variables)


def _relax(
    groups: Sequence[Group],
    columns: dict[int, list[int]],
    demands: Sequence[QueueDemand],
    rules: RulesProfile,
    weights: ServiceWeights,
    budget: float,
    deadline: float,
    rounds: int,
    *,
    repeatable: bool,
    when_short: float = PRICE_WHEN_SHORT,
) -> tuple[Relaxation | None, dict[Column, float], _RelaxStats]:
    """The week's LP relaxation, by column generation when it pays: solve over `columns`; while
    the relaxation leaves at least a `when_short` share of phone/chat blocks short, add the
    candidate shifts of negative reduced cost (`price_columns`) and solve again, up to `rounds`
    times and while `budget` seconds last. Each solve is charged its simplex iterations × rows when `repeatable`
    (GLOP then stops on its own work clock), else its seconds; `deadline` is the clock's stop.
    Returns the last optimal relaxation (None without one), each column's relaxed count where
    positive, and how it went. Its value bounds every roster over the columns it had, and over
    every candidate shift when pricing found nothing more to add."""
    # Pricing adds the shifts the neighbourhood lacks, such as a language's late evening in
    # a zone far from the others, which no shift near the greedy roster covers.
    started = time.perf_counter()
    stats = _RelaxStats()
    model = _build(groups, columns, demands, rules, weights, relaxation=True)
    model.cp.minimize(model.objective)
    lp = LinearRelaxation(model.cp)
    index = {key: var.index for key, var in model.x.items()}
    relaxed: Relaxation | None = None
    best: dict[Column, int] = {}
    spent = 0.0
    while True:
        solving = time.perf_counter()
        wall = max(0.5, deadline - solving)
        work = GLOP_WORK_PER_SECOND * max(0.5, budget - spent) if repeatable else None
        result = lp.solve(wall, work_limit=work)
        if stop.requested():  # Ctrl-C while GLOP ran: round what there is at once
            stats.interrupted = True
            if result is None or result.status != "OPTIMAL":
                break
        if result is None or result.status != "OPTIMAL":
            stats.clock_cut = _ran_out(time.perf_counter() - solving, wall)
            break
        relaxed, best = result, dict(index)
        stats.columns = len(index)
        if stats.interrupted:
            break
        last = result.iterations * lp.rows * SECONDS_PER_ITERATION_ROW if repeatable else result.seconds
        spent += last
        if stats.rounds:
            stats.priced_seconds += last
        short = sum(1 for var in model.short if result.values[var.index] > 1e-6)
        if stats.rounds >= rounds or short < when_short * len(model.short) or budget - spent < PRICING_GROWTH * last:
            break
        added = price_columns(groups, columns, model, result.duals, rules, weights, per_group=PRICED_PER_GROUP, most=len(index))
        if not added:
            stats.converged = True
            break
        for g, ids in sorted(added.items()):
            group = groups[g]
            for i in ids:
                cost, entries = column_entries(group, group.shifts[i], model, rules, weights)
                index[g, i] = lp.add_column(cost, group.size, entries)
            columns[g] = sorted(set(columns[g]) | set(ids))
            stats.priced += len(ids)
        stats.rounds += 1
    stats.seconds = time.perf_counter() - started
    stats.lp, stats.index, stats.model = lp, best, model
    values: dict[Column, float] = {}
    if relaxed is not None:
        for key, position in best.items():
            value = float(relaxed.values[position])
            if value > 1e-6:
                values[key] = value
    return relaxed, values, stats
