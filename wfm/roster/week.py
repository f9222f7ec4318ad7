"""Stage 1: the week model. How many agents of each group work each candidate shift, and how
much on-queue time of each skill set serves each queue in each 30-minute block, in tenths of
an agent: whole agents per skill set and queue lost up to an agent to rounding down wherever
several skill sets serve a queue (measured at 350 agents: the plan met phone-en's requirement
in 62% of intervals while the placed roster met it in 82%), and stage 3 splits agents between
queues slot by slot anyway.

This is the aggregated ("tour") model of RESEARCH.md: integer counts per group instead of one
boolean per (agent, day, shift), so its size follows the kinds of agents, not headcount. Named
agents are placed in stage 2 (`assign.py`), which the constraints here make possible:

* every group's members are split into start *bands* (`candidates.band_minutes`), chosen by the
  model: two starts on consecutive days within one band always leave the minimum rest, so rest
  needs no pairwise constraints here;
* per band and local day, no more shifts than agents in the band; per band and week, no more
  shifts, paid hours or nights than its agents may carry, and at least their contracted minimum.

Objective, one integer sum (weights in `demand.ServiceWeights`): service shortfall by the
service it loses (convex cuts per queue and block) plus a flat cost for any shortfall at all,
email overdue, paid minutes, a small cost per night shift, and the costed excess of soft rules.

Search: relax, then round (`solve_week`). Agents with their own windows, days and contracts make
groups small and numerous (350 agents: 224 groups, 87,000 candidate shifts). Measured on that
world: CP-SAT alone, from a greedy roster, barely moved the shifts in 2 minutes (paid hours
1.24× the lower bound, after windows of large-neighbourhood search), while the LP relaxation
over the shifts near the greedy roster (7,000 columns) solves in about 10 s with GLOP at 1.00×,
and CP-SAT restricted to the few hundred shifts it uses rounds it. Some demand no shift near the
greedy roster reaches (Spanish chat on Sunday evening in Mexico, 1.3% of blocks): a round of
column generation, priced by the relaxation's duals over all candidate shifts, adds the shifts
that cover it. The placed roster then pays 1.06× the bound with 98% of phone and chat
intervals on target (120 s). The relaxation also gives the bound that is reported. Each step
runs on a work clock when the solve must repeat (the default).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster import rules as roster_rules
from wfm.roster import stop
from wfm.roster.candidates import DAYS, SLOT_MINUTES, WEEK_SLOTS, Group, Shift
from wfm.roster.demand import QueueDemand, ServiceWeights
from wfm.roster.patterns import SCALE, expected_on_queue
from wfm.roster.relax import LinearRelaxation, Relaxation, solve_relaxation
from wfm.rules import RuleName, RulesProfile

Progress = Callable[[float, float, float], None]  # objective, bound, seconds
Column = tuple[int, int]  # (group index, shift index)
# On-queue agents are allocated per 30-minute block (two slots): shifts start on a 30-minute
# grid, so coverage changes inside a block only by breaks, which stage 3 places. Each block is
# costed at its worse quarter hour.
BLOCK = 2
BLOCK_MINUTES = BLOCK * SLOT_MINUTES
BLOCKS = WEEK_SLOTS // BLOCK
# The rounding solve always gets at least this long, whatever the limit.
MIN_ALLOCATION_SECONDS = 2.0
# Share of --time-limit the LP relaxation may use (measured: 6 s of GLOP at 350 agents).
RELAXATION_SHARE = 0.4
# GLOP work units per second of the relaxation's share, for a repeatable solve (measured at 350
# agents: the relaxation needs 10 to 30 units and 6 to 7 s).
GLOP_WORK_PER_SECOND = 2.0
# A repeatable solve cannot look at the clock: its rounding gets this share of the limit in work
# units, whatever the relaxation took (its completion a third more). Measured with one subsolver
# task per worker: a unit took 1.9 to 2.8 s; 0.8 ended the 350-agent solve at 116 s of 120 and
# the 1,200-agent one at 530 s of 600, 0.7 at 111 s of 120: too near the clock for a slower or
# busier machine, where the clock would stop it and the roster would not repeat.
REPEATABLE_ROUNDING_SHARE = 0.6
# CP-SAT work units granted per second of --time-limit. A unit took one to three seconds here
# (more on a busy machine, and presolve is not stopped by the limit), so 0.3 keeps most runs
# near their limit while the work limit, not the clock, decides where each solve stops.
WORK_PER_SECOND = 0.3
# Column generation (`price_columns`): a shift is worth adding when its reduced cost is below
# minus this (objective units: a paid minute is 10); at most this many pricing rounds.
PRICE_TOLERANCE = 1.0
PRICING_ROUNDS = 3
# Per round, at most this many new shifts for a group (and no more in all than the relaxation has).
PRICED_PER_GROUP = 10
# Pricing runs when the relaxation leaves at least this share of phone/chat blocks short: shifts
# the neighbourhood lacks (measured: 1.3% of blocks at 350 agents, Spanish chat on Sunday
# evening in Mexico, which one round covers; 0.07% at 1,200 agents, where a round would cost
# 370 s for 0.65% of the bound).
PRICE_WHEN_SHORT = 0.005
# ... and when the budget left holds this many times the last solve (measured: a solve after a
# round took 2.6 times the first at 350 agents, 8 times at 1,200).
PRICING_GROWTH = 3.0
# A solve's cost in seconds, from what repeats (simplex iterations × rows), for the budget:
# measured 9 s for 35,000 iterations over 20,500 rows (350 agents), 39 to 45 s for 74,000 over
# 36,900 (1,200 agents).
SECONDS_PER_ITERATION_ROW = 1.4e-8
# LP diving (`_dive`): each round fixes this share of the counts still fractional; the dive may
# use this share of the limit (charged like the relaxation's solves).
DIVE_BATCH = 0.2
DIVE_SHARE = 0.15
# `nearest_roster`: one unit of distance (a hundredth of a shift) outweighs any paid-minute cost.
NEAREST_WEIGHT = 10**6


@dataclass(frozen=True)
class SolveSettings:
    time_limit: float = 60.0
    seed: int = 0
    workers: int = 2
    # Repeatable: the same inputs and seed give the same roster. Every step runs on a work clock
    # instead of the wall clock (GLOP's and CP-SAT's deterministic time), and CP-SAT's search is
    # interleaved. Measured at 350 agents, 120 s: objective 5.18M in 98 s, against 4.98M in
    # 121 s for the parallel search; both meet the targets (intervals on target 0.990 and 0.994,
    # paid hours 1.06 times the bound). False: CP-SAT's parallel search to the limit.
    deterministic: bool = True
    # What a repeatable solve budgets its work from (default `time_limit`): the caller's limit
    # before any clock-dependent deduction, so the same limit buys the same work.
    work_seconds: float | None = None
    # Candidate start times around each of a group's usual start times, in grid steps either side.
    neighbours: int = 1
    # Rounds of column generation over every candidate shift after the first relaxation (each
    # only while the relaxation's budget lasts; 0: the neighbourhood alone).
    pricing_rounds: int = PRICING_ROUNDS
    # The roster staffs for this many times the forecast's contacts: interval-level forecast
    # error would otherwise miss the target wherever more arrives than forecast.
    forecast_margin: float = 1.0


@dataclass(frozen=True)
class Rounded:
    """A whole roster of the week model: counts, band sizes and on-queue plan per skill set."""

    counts: dict[Column, int]
    bands: dict[tuple[int, int], int]
    queue_agents: dict[tuple[str, int], np.ndarray]


@dataclass
class WeekSolution:
    """What stage 1 decided, and how the search went."""

    counts: dict[Column, int]  # → agents working that shift
    bands: dict[tuple[int, int], int]  # (group index, band) → agents in that band
    queue_agents: dict[tuple[str, int], np.ndarray]  # (queue, skill-set index) → on-queue agents per slot (fractional)
    skill_sets: list[tuple[str, ...]]
    status: str
    objective: float
    bound: float  # the LP relaxation's value over the candidate columns (see `solve_week`)
    seconds: float
    relaxation_status: str = "NONE"
    relaxation_seconds: float = 0.0
    rounded_columns: int = 0  # columns CP-SAT rounded over
    candidate_columns: int = 0  # columns the relaxation chose from
    pricing_rounds: int = 0  # rounds of column generation that added shifts to the relaxation
    priced_columns: int = 0  # shifts they added
    bound_over_all: bool = False  # column generation converged: `bound` holds for any roster
    # A repeatable solve that no clock stopped (a busy machine, or Ctrl-C, can stop one at
    # --time-limit before its work limit, and then the roster depends on the machine).
    repeatable: bool = False
    notes: list[str] = field(default_factory=list)  # steps that gave up and handed on what they had, and why
    # The whole roster nearest the dived relaxation, with the dive's queue allocation: complete
    # before CP-SAT rounds, so it is a roster of its own for the caller to weigh.
    nearest: Rounded | None = None

    @property
    def gap(self) -> float:
        """Relative gap between the roster and the relaxation's bound."""
        if self.objective <= 0:
            return 0.0
        return max(0.0, (self.objective - self.bound) / abs(self.objective))


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


def _shift_cost(shift: Shift, weights: ServiceWeights) -> int:
    """A shift's objective coefficient: its paid minutes, and a night's small cost."""
    return round(weights.paid_minute * shift.paid + (weights.night_shift if shift.night else 0))


def _ran_out(elapsed: float, allowed: float) -> bool:
    """Whether a solve that took `elapsed` seconds of the `allowed` was ended by the clock."""
    return elapsed >= 0.98 * allowed


def _clock_stopped(solver: cp_model.CpSolver, status: Any) -> bool:
    """Whether the wall clock, not a work limit or optimality, ended this CP-SAT solve."""
    return bool(status != cp_model.OPTIMAL and _ran_out(solver.wall_time, solver.parameters.max_time_in_seconds))


def _within(cp: cp_model.CpModel, var: Any, value: float, slack: int) -> None:
    """A count held within `slack` of a relaxed `value`: from its floor less `slack` (not below
    zero) to its ceiling plus `slack`."""
    cp.add(var >= max(0, math.floor(value + 1e-6) - slack))
    cp.add(var <= math.ceil(value - 1e-6) + slack)


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
    demand_by_name = {d.name: d for d in demands}
    terms: list[Any] = []
    coefs: list[float] = []

    def cost(var: Any, weight: float) -> None:
        terms.append(var)
        coefs.append(weight)

    x: dict[Column, Any] = {}
    starts: dict[tuple[int, int, int], list[tuple[Any, int]]] = defaultdict(list)
    for group in groups:
        for i in columns.get(group.index, []):
            shift = group.shifts[i]
            var = cp.new_int_var(0, group.size, f"works[{group.label},{_fmt(shift.start)}+{shift.length}]")
            x[group.index, i] = var
            starts[set_of_group[group.index], shift.start, shift.length].append((var, group.size))
            cost(var, _shift_cost(shift, weights))

    # on-queue capacity per skill set and block
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

    capacity = [sum(g.size for g in groups if set_of_group[g.index] == s) for s in range(len(skill_sets))]
    w: dict[tuple[int, str, int], Any] = {}
    per_queue: dict[str, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    if relaxation:
        for s in range(len(skill_sets)):
            for block in range(BLOCKS):
                coverage.setdefault((s, block), [])
    for s, block in sorted(coverage):
        queues = [q for q in skill_sets[s] if q in demand_by_name]
        if not queues:
            continue
        for q in queues:
            w[s, q, block] = var = cp.new_int_var(0, SCALE * capacity[s], f"on_queue[{q},{s},{_fmt(block * BLOCK_MINUTES)}]")
            per_queue[q][block].append(var)
        shares = coverage[s, block]
        supply = _dot([v for v, _ in shares], [c for _, c in shares])
        rows.cover[s, block] = _row(cp, BLOCK * _sum(w[s, q, block] for q in queues) - supply, cp_model.INT_MIN, 0)

    constant = 0.0
    shorts: list[Any] = []
    for demand in demands:
        if demand.deferred:
            for var, weight in _email(cp, demand, per_queue[demand.name], weights, demand.queue.occupancy_cap(rules)):
                cost(var, weight)
            continue
        for block in range(BLOCKS):
            # a block is costed at its worse quarter hour, for each of its quarter hours
            slot = max(range(block * BLOCK, (block + 1) * BLOCK), key=lambda t: (int(demand.required[t]), -t))
            required = int(demand.required[slot])
            lines = demand.cost_lines[slot]
            if required <= 0 or not lines:
                continue
            worst = max(line.intercept + line.slope * required for line in lines)
            on_queue = per_queue[demand.name].get(block)
            if not on_queue:
                constant += BLOCK * worst
                continue
            label = f"{demand.name},{_fmt(block * BLOCK_MINUTES)}"
            short = cp.new_int_var(0, SCALE * required, f"short[{label}]")
            shorts.append(short)
            cp.add(_sum(on_queue) + short >= SCALE * required)
            penalty = cp.new_int_var(0, max(worst, 0), f"short_cost[{label}]")
            for line in lines:
                cp.add(SCALE * penalty >= SCALE * line.intercept + line.slope * short)
            cost(penalty, BLOCK)
            if weights.missed_slot:
                # any shortfall at all misses the interval's target: a flat cost on top
                missed = cp.new_bool_var(f"missed[{label}]")
                cp.add(short <= SCALE * required * missed)
                cost(missed, BLOCK * weights.missed_slot)

    bands = _band_constraints(cp, groups, columns, x, rules, weights, cost, rows, complete=relaxation)
    objective = _dot(terms, coefs) + round(constant)
    return _Model(cp, x, w, bands, objective, skill_sets, {d.name for d in demands if d.deferred}, rows, shorts)


def _band_constraints(
    cp: cp_model.CpModel,
    groups: Sequence[Group],
    columns: dict[int, list[int]],
    x: dict[Column, Any],
    rules: RulesProfile,
    weights: ServiceWeights,
    cost: Callable[[Any, float], None],
    rows: _Rows,
    *,
    complete: bool = False,
) -> dict[tuple[int, int], Any]:
    """What each band of a group can carry: the week's rules (`roster.rules`) on the band's
    counts, each per-person limit times the band's people; how many of the group's agents are
    in each band is the model's choice. Each row is noted in `rows`; `complete`: the rows of
    every band, day and night the group's candidate shifts have, not only those of its columns."""
    bands: dict[tuple[int, int], Any] = {}
    for group in groups:
        free = [(group.shifts[i], x[group.index, i]) for i in columns.get(group.index, [])]
        if not free:
            continue  # the group works no candidate shift
        possible = group.shifts if complete else [s for s, _ in free]
        used_bands = sorted({s.band for s in possible})
        for band in used_bands:
            bands[group.index, band] = cp.new_int_var(0, group.size, f"band[{group.label},{band}]")
        # Everyone with a contract is in a band (so the minimum binds); others may stay home.
        in_bands = _sum(bands[group.index, band] for band in used_bands)
        cp.add(in_bands == group.size if group.min_minutes else in_bands <= group.size)
        for band in used_bands:
            week = _BandWeek(bands[group.index, band], band, free, possible)
            sink = _BandSink(cp, group, band, week.people, rows.bands[group.index, band], rules, weights, cost)
            roster_rules.apply(sink, week, group, rules, roster_rules.WEEK_MODEL_ORDER)
    return bands


class _BandWeek:
    """A start band's week in the week model (`roster.rules.Week`): the counts of its shifts,
    carried by `people`, the band's head count."""

    def __init__(self, people: Any, band: int, free: list[tuple[Shift, Any]], possible: Sequence[Shift]) -> None:
        self.people = people
        self._mine = [(s, v) for s, v in free if s.band == band]
        self._per_day: dict[int, list[Any]] = defaultdict(list)
        for shift in possible:
            if shift.band == band:
                self._per_day.setdefault(shift.day, [])
        for shift, value in self._mine:
            self._per_day[shift.day].append(value)
        self._night_in_reach = any(s.night and s.band == band for s in possible)
        self._paid = _sum(s.paid * v for s, v in self._mine)

    def limited_days(self) -> Iterable[int]:
        return list(self._per_day)

    def starts_on(self, day: int) -> Any:
        return _sum(self._per_day[day])

    def any_day(self, days: range) -> bool:
        return any(d in self._per_day for d in days)

    def span(self, days: range) -> Any:
        return _sum([v for d in days for v in self._per_day.get(d, [])])

    def worked(self) -> Any:
        return _sum(v for _, v in self._mine)

    def paid(self) -> Any:
        return self._paid

    def nights(self) -> Any | None:
        nights = [v for s, v in self._mine if s.night]
        return _sum(nights) if nights or self._night_in_reach else None

    def clashes(self, rules: RulesProfile) -> Iterable[tuple[Any, Any]]:
        return ()  # two starts within one band always leave the rest (`candidates.band_minutes`)


class _BandSink:
    """The week model's `roster.rules.Sink`: a per-person limit becomes a row over a band's
    counts and its people, with a costed excess where the profile makes the rule soft; each
    row is noted where pricing (`column_entries`) finds it."""

    def __init__(
        self,
        cp: cp_model.CpModel,
        group: Group,
        band: int,
        people: Any,
        noted: _BandRows,
        rules: RulesProfile,
        weights: ServiceWeights,
        cost: Callable[[Any, float], None],
    ) -> None:
        self._cp, self._group, self._band, self._people, self._noted = cp, group, band, people, noted
        self._soft, self._weights, self._cost = rules.soft, weights, cost

    def at_most(self, rule: RuleName, value: Any, bound: int, days: Sequence[int] = ()) -> None:
        cp, group = self._cp, self._group
        name = self._name(rule, days)
        if rule in self._soft:
            excess = cp.new_int_var(0, DAYS * group.size, f"{rule}[{group.label}]")
            self._cost(excess, self._soft[rule] * self._weights.paid_minute * 60)
            row = _row(cp, value - bound * self._people - excess, cp_model.INT_MIN, 0, name)
        else:
            row = _row(cp, value - bound * self._people, cp_model.INT_MIN, 0, name)
        self._note(rule, row, days)

    def at_least(self, rule: RuleName, value: Any, bound: int, days: Sequence[int] = ()) -> None:
        cp, group = self._cp, self._group
        name = self._name(rule, days)
        if rule in self._soft:
            missing = cp.new_int_var(0, bound * group.size, f"missing_minutes[{group.label},{self._band}]")
            row = _row(cp, value + missing - bound * self._people, 0, cp_model.INT_MAX, name)
            self._cost(missing, self._soft[rule] * self._weights.paid_minute)
        else:
            row = _row(cp, value - bound * self._people, 0, cp_model.INT_MAX, name)
        self._note(rule, row, days)

    def apart(self, rule: RuleName, first: Any, second: Any) -> None:
        raise AssertionError("the week model keeps rest by start bands")

    def _name(self, rule: RuleName, days: Sequence[int]) -> str:
        """`max_nights[MNL-001 and 3 alike,band 2]`, `max_consecutive_days[...,days 0-5]`."""
        span = f",days {days[0]}-{days[-1]}" if len(days) > 1 else f",day {days[0]}" if days else ""
        return f"{rule}[{self._group.label},band {self._band}{span}]"

    def _note(self, rule: RuleName, row: int, days: Sequence[int]) -> None:
        """Where a shift's column meets the row: per day (1), week (1), paid (its minutes), night (1)."""
        noted = self._noted
        if rule == "max_hours_day":
            noted.day[days[0]] = row
        elif rule == "max_consecutive_days":
            for day in days:
                noted.run[day].append(row)
        elif rule == "max_nights":
            noted.nights = row
        elif rule in ("max_hours_week", "min_hours_week"):
            noted.paid.append(row)
        else:
            noted.week.append(row)


def email_targets(demand: QueueDemand) -> tuple[np.ndarray, np.ndarray]:
    """Per block end: cumulative agent-minutes of email that may be done (arrived) and that must
    be done (all that arrived a deadline earlier). The week is taken as cyclic: the backlog at
    Monday 00:00 UTC is what arrives in the week's last deadline span.

    All of it, not the service level's share: emails are answered first in, first out, so an
    email is in time only when everything that arrived before it is done by its deadline. A
    target of 90% of the arrivals lets the backlog fall further behind all week (measured at 350
    agents: 39% of email answered in time)."""
    assert demand.workload is not None and demand.queue.respond_within_hours is not None
    work = demand.workload
    deadline = min(round(demand.queue.respond_within_hours * 60 / SLOT_MINUTES), WEEK_SLOTS)
    backlog = work[WEEK_SLOTS - deadline :] if deadline else np.zeros(0)
    cumulative = np.cumsum(np.concatenate([backlog, work]))  # arrivals from −deadline onwards
    may = cumulative[deadline:]
    must = cumulative[:WEEK_SLOTS]
    ends = np.arange(BLOCK - 1, WEEK_SLOTS, BLOCK)
    return may[ends], must[ends]


def _email(
    cp: cp_model.CpModel,
    demand: QueueDemand,
    on_queue: dict[int, list[Any]],
    weights: ServiceWeights,
    occupancy: float,
) -> list[tuple[Any, float]]:
    """Deferred work: what email agents have done by each block covers the emails due by then.
    Returns the costed lateness terms."""
    may, must = email_targets(demand)
    per_agent = BLOCK_MINUTES * occupancy
    total_work = int(np.ceil(may[-1])) + 1
    cumulative: Any = 0
    costs: list[tuple[Any, float]] = []
    for block in range(BLOCKS):
        label = f"{demand.name},{_fmt(block * BLOCK_MINUTES)}"
        agents = on_queue.get(block)
        if agents:
            done = cp.new_int_var(0, total_work, f"email_done[{label}]")
            cp.add(100 * SCALE * done <= round(100 * per_agent) * _sum(agents))
            running = cp.new_int_var(0, int(np.ceil(may[block])), f"email_cum[{label}]")
            cp.add(running == cumulative + done)
            cumulative = running
        need = int(np.ceil(must[block] - 1e-9))
        if need > 0:
            late = cp.new_int_var(0, need, f"email_late[{label}]")
            cp.add(cumulative + late >= need)
            costs.append((late, weights.email_late_minute * BLOCK))
    return costs


def _solver(settings: SolveSettings, effort: float, wall: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.5, wall)
    params.num_workers = settings.workers
    params.random_seed = settings.seed
    if settings.deterministic:
        # The work limit decides; the clock still stops a solve at --time-limit (a machine
        # busy enough for that makes the roster unrepeatable, which the summary then says).
        params.max_deterministic_time = effort
        params.interleave_search = settings.workers > 1
        # The work limit is checked between batches of subsolver tasks. CP-SAT's default batch
        # (one task per subsolver, 6 here) let one batch run to 2.3 times the limit on the
        # 80-agent sample (14.3 units against 6.3; the clock stopped it), and at 350 agents it
        # barely moved from its starting roster (objective 5.199M; 5.069M with one task per
        # worker, which stops at its limit).
        params.interleave_batch_size = settings.workers
    # Ctrl-C is caught by `stop`, which stops the search (CP-SAT's own handler would hide it).
    params.catch_sigint_signal = False
    # Presolve is not stopped by the work limit, and probing the allocation models cost seconds
    # per solve (measured); the models are already tight, so one light pass is enough.
    params.cp_model_probing_level = 0
    params.max_presolve_iterations = 1
    return solver


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
    solver = _solver(settings, effort, wall - (time.perf_counter() - started))
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
    not the clock) on it; `wall` only stops it, and then the second value says so.

    CP-SAT left to complete the counts on its own spent its whole budget on the allocation (4 s
    for a 40-agent week), and a first-found allocation cost 30 times the relaxation. Fixing the
    largest remainders instead left email late (at 350 agents 209,000 of the objective; CP-SAT
    choosing between down and up: 20,000). None when the roster breaks a rule or time runs
    out."""
    started = time.perf_counter()
    fixed: list[tuple[int, int]] = [(var.index, hint.get(key, 0)) for key, var in model.x.items()]
    fixed += [(var.index, band_hint.get(key, 0)) for key, var in model.bands.items()]
    lp = model.cp.clone()
    lp.clear_hints()
    for index, value in fixed:
        lp.add(lp.get_int_var_from_proto_index(index) == value)
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
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = 1
    params.max_time_in_seconds = max(0.5, wall - (time.perf_counter() - started))
    if settings.deterministic:
        params.max_deterministic_time = effort
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


def neighbourhood(groups: Sequence[Group], counts: dict[Column, int], rules: RulesProfile, reach: int) -> dict[int, list[int]]:
    """Candidate columns near a roster: for each group, every shift (any length) starting within
    `reach` grid steps of a shift the group works. A group the roster leaves idle borrows the
    starts of groups with its skills in its time zone, so its people stay available.

    Measured at 350 agents: these 6,900 columns relax to 1.00× the paid-hours lower bound in
    6 s; the same start times of day on every day (19,900 columns) relax 1.5% lower in 80 s."""
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
    return _shift_cost(shift, weights), entries


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
    every candidate shift when pricing found nothing more to add.

    Measured at 350 agents: the neighbourhood of the greedy roster (6,977 columns) relaxes to
    4.839M in 9 s with 17 blocks short; one round adds 2,026 shifts, among them Spanish chat
    on Sunday evening in Mexico, and relaxes to 4.764M (−1.5%), none short, in 24 s more."""
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


def _allocation(model: _Model, value: Callable[[Any], float]) -> dict[tuple[str, int], np.ndarray]:
    """(queue, skill-set index) → on-queue agents per slot, from each allocation variable's value."""
    queue_agents: dict[tuple[str, int], np.ndarray] = {}
    for (s, q, block), var in model.w.items():
        slots = queue_agents.setdefault((q, s), np.zeros(WEEK_SLOTS))
        slots[block * BLOCK : (block + 1) * BLOCK] = value(var) / SCALE
    return queue_agents


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
        result = lp.solve(wall, work_limit=work, warm=True)
        if (result is None or result.status != "OPTIMAL") and _ran_out(time.perf_counter() - solving, wall):
            clock_cut = True
            break
        # every solve is charged, found or not, so a dive of failing batches still ends
        spent += lp.last_iterations * lp.rows * SECONDS_PER_ITERATION_ROW if repeatable else time.perf_counter() - solving
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


def solve_week(
    groups: Sequence[Group],
    demands: Sequence[QueueDemand],
    rules: RulesProfile,
    weights: ServiceWeights,
    settings: SolveSettings,
    *,
    hint: dict[Column, int],
    hint_bands: dict[tuple[int, int], int],
    progress: Progress | None = None,
) -> WeekSolution:
    """Relax, then round: the week over the shifts near a complete starting roster (`hint`).

    1. The candidate columns near the starting roster (`neighbourhood`), start bands free; GLOP
       solves the model's LP relaxation, whose value bounds every roster made of those columns.
       Where it leaves phone or chat short, column generation (`_relax`) prices every other
       candidate shift and adds those that would lower it.
    2. `nearest_roster` rounds each group to whole counts that keep its rules; `_complete`
       gives that roster its queues; CP-SAT improves it over the columns the relaxation uses,
       each count within one of its relaxed value. Its queue allocation per skill set and block
       is the one stage 3 follows.

    Without a relaxation in time (a huge week on a tiny limit, or Ctrl-C during it), or when the
    rounding finds nothing, step 2 runs on the starting roster with its counts fixed: bands and
    queues are still chosen, so the result is that roster, allocated.
    """
    started = time.perf_counter()
    limit = settings.time_limit
    start_counts = {k: v for k, v in hint.items() if v > 0}
    columns = neighbourhood(groups, start_counts, rules, settings.neighbours)
    if settings.deterministic:  # work from the limit alone; the clock only stops it at the limit
        budget = max(1.0, RELAXATION_SHARE * (settings.work_seconds or limit))
        deadline = started + max(1.0, limit - MIN_ALLOCATION_SECONDS)
    else:
        budget = max(1.0, RELAXATION_SHARE * limit - (time.perf_counter() - started))
        deadline = started + budget
    relaxed, relaxed_values, stats = _relax(
        groups, columns, demands, rules, weights, budget, deadline, settings.pricing_rounds, repeatable=settings.deterministic
    )
    if stats.interrupted:  # Ctrl-C: round what there is at once
        limit = min(limit, time.perf_counter() - started)
    clock_cut = stats.clock_cut
    candidate_columns = stats.columns
    bound = relaxed.objective if relaxed is not None else 0.0
    if relaxed is not None and progress:
        progress(relaxed.objective, relaxed.objective, time.perf_counter() - started)

    # Step 2: round, over the columns the relaxation uses, each within one of its relaxed value,
    # from the nearest whole roster. Measured at 350 agents: adding the greedy roster's columns
    # and hinting it kept the search near it (1.18× the lower bound); widening to all 6,977
    # candidate columns, or 8 workers, did not beat the relaxation's support in the same time.
    solution = None
    nearest: Rounded | None = None
    gave_up: list[str] = []
    if relaxed is not None and relaxed_values:
        around = relaxed_values
        allocation = relaxed.values
        if stats.lp is not None and not stats.interrupted:
            share = DIVE_SHARE * (settings.work_seconds or limit) if settings.deterministic else DIVE_SHARE * limit
            dived, charged, allocation, dive_cut = _dive(
                stats.lp, stats.index, relaxed, share, started + limit, repeatable=settings.deterministic
            )
            clock_cut = clock_cut or dive_cut
            stats.priced_seconds += charged
            # CP-SAT rounds within one of the dive's counts, over the relaxation's shifts too
            around = {key: dived.get(key, 0.0) for key in sorted(set(relaxed_values) | set(dived))}
        counts, band_sizes, fell_back = nearest_roster(groups, around, rules, weights, start_counts, hint_bands)
        if fell_back:
            names = ", ".join(fell_back[:3])
            gave_up.append(f"nearest whole roster: {len(fell_back)} group(s) kept their starting shifts ({names})")
            kept = {g.index for g in groups if g.label in fell_back}
            around = {k: v for k, v in around.items() if k[0] not in kept}
            around.update({k: float(v) for k, v in start_counts.items() if k[0] in kept})
        if counts:
            plan = _allocation(stats.model, lambda var: float(allocation[var.index])) if stats.model is not None else {}
            nearest = Rounded(counts, band_sizes, plan)
        solution = (
            None
            if stop.requested()
            else _round(
                groups,
                demands,
                rules,
                weights,
                settings,
                around,
                1,
                started + limit,
                progress,
                hint=counts,
                band_hint=band_sizes,
                bound=bound or None,
                spent=stats.priced_seconds,
            )
        )
    if solution is not None and solution[2] not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # The rounding proved no roster within one of the relaxation (its support can miss a
        # whole group's legal week): a roster from before it stands.
        gave_up.append(f"rounding: {solution[1].status_name(solution[2])} around the relaxation")
        solution = None
    if solution is None and nearest is not None:
        # The rounding found nothing in time: the nearest whole roster to the relaxation is
        # complete and legal for every group; stage 3 follows the dive's last allocation.
        gave_up.append(
            "rounding: interrupted (Ctrl-C); the nearest whole roster to the relaxation stands"
            if stop.requested()
            else "rounding: no roster in time; the nearest whole roster to the relaxation stands"
        )
        return WeekSolution(
            nearest.counts,
            nearest.bands,
            nearest.queue_agents,
            skill_sets_of(groups),
            "NEAREST_ROSTER",
            0.0,
            max(bound, 0.0),
            time.perf_counter() - started,
            relaxation_status=relaxed.status if relaxed else "NONE",
            relaxation_seconds=stats.seconds,
            pricing_rounds=stats.rounds,
            priced_columns=stats.priced,
            bound_over_all=stats.converged,
            candidate_columns=candidate_columns,
            notes=gave_up,
            nearest=nearest,
        )
    if solution is None and stop.requested():  # Ctrl-C before any whole roster of the model
        gave_up.append("interrupted (Ctrl-C) before the week model had a roster; the starting roster stands")
        return WeekSolution(
            {}, {}, {}, skill_sets_of(groups), "INTERRUPTED", 0.0, bound, time.perf_counter() - started, notes=gave_up
        )
    if solution is None:  # no relaxation, or nothing found in time: allocate the starting roster
        fixed = {k: float(v) for k, v in start_counts.items()}
        solution = _round(
            groups,
            demands,
            rules,
            weights,
            settings,
            fixed,
            0,
            started + limit,
            progress,
            hint=start_counts,
            band_hint=hint_bands,
        )
    assert solution is not None
    model, solver, status, completion_cut = solution
    clock_cut = clock_cut or completion_cut or _clock_stopped(solver, status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        seconds = time.perf_counter() - started
        gave_up.append(f"allocation of the starting roster: {solver.status_name(status)}")
        if start_counts:
            # Out of time even for that (a big week on a tiny limit), or the starting roster
            # breaks a band row: the starting roster as it is; stage 3 allocates its queues.
            return WeekSolution(
                start_counts, dict(hint_bands), {}, skill_sets_of(groups), "START_ROSTER", 0.0, bound, seconds, notes=gave_up
            )
        return WeekSolution({}, {}, {}, skill_sets_of(groups), solver.status_name(status), 0.0, bound, seconds, notes=gave_up)
    counts = {k: int(solver.value(v)) for k, v in model.x.items() if solver.value(v) > 0}
    bands = {k: int(solver.value(v)) for k, v in model.bands.items() if solver.value(v) > 0}
    queue_agents = _allocation(model, solver.value)
    objective = solver.objective_value
    if progress:
        progress(objective, bound, time.perf_counter() - started)
    return WeekSolution(
        counts=counts,
        bands=bands,
        queue_agents=queue_agents,
        skill_sets=model.skill_sets,
        status=solver.status_name(status),
        objective=objective,
        bound=max(bound, 0.0),
        seconds=time.perf_counter() - started,
        relaxation_status=relaxed.status if relaxed else "NONE",
        relaxation_seconds=stats.seconds,
        pricing_rounds=stats.rounds,
        priced_columns=stats.priced,
        bound_over_all=stats.converged,
        rounded_columns=len(model.x),
        candidate_columns=candidate_columns,
        repeatable=settings.deterministic and not clock_cut,
        notes=gave_up,
        nearest=nearest,
    )


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
    breaks band capacities and contracted minimums; CP-SAT started from such a hint found its
    first roster at 3.4× the relaxation and was still 11% above it after 60 s (350 agents),
    while from this start it begins 10% above within a second. One worker, optimal per group:
    the same relaxation gives the same roster.

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
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10.0  # a safety net: these models solve in milliseconds
    solver.parameters.max_deterministic_time = 5.0  # what decides, should one not
    status = stop.solve(lambda: solver.solve(model.cp), solver.stop_search)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    counts = {key: int(solver.value(var)) for key, var in model.x.items() if solver.value(var) > 0}
    bands = {key: int(solver.value(var)) for key, var in model.bands.items() if solver.value(var) > 0}
    return counts, bands


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
    share = REPEATABLE_ROUNDING_SHARE * (settings.work_seconds or settings.time_limit) - spent
    budget = share if settings.deterministic else remaining
    effort = max(0.5, WORK_PER_SECOND * max(MIN_ALLOCATION_SECONDS, budget))  # from the limit alone when repeatable
    solver, status, clock_cut = _solve_from(model, hint, band_hint, settings, effort, remaining, progress, bound=bound)
    if status == cp_model.UNKNOWN and slack:
        return None
    return model, solver, status, clock_cut
