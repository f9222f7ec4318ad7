"""Search control of the week model: `SolveSettings`, the tuning constants that share the
time limit between its steps, and every CP-SAT solver it runs (`cp_solver`), built in one place.

A repeatable solve (the default) runs each step on a work clock (GLOP's and CP-SAT's
deterministic time) budgeted from the limit alone; the wall clock only stops a step at the
limit, and `_clock_stopped` says when it did (the roster then depends on the machine).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ortools.sat.python import cp_model

SolverKind = Literal["search", "completion", "nearest"]
Progress = Callable[[float, float, float], None]  # objective, bound, seconds


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
# ... less what the relaxation and the dive were charged, but never below this share.
ROUNDING_FLOOR_SHARE = 0.15


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


# A dive's re-solve (from the last basis, no presolve) costs more: measured on the 80-agent
# sample (11,900 rows, 15,600 columns, 109 re-solves), 2.2e-8 s per iteration × row, and 0.043 s
# a re-solve whatever its iterations (GLOP taking the model in again) with 0.02 s more to read
# the values back. Charged at the first rate alone, that dive was charged 4.5 s and ran 12 s, and
# left the rounding too little clock for its work limit: `wfm demo` was not repeatable.
SECONDS_PER_WARM_ITERATION_ROW = 2.2e-8
SECONDS_PER_RESOLVE_ENTRY = 2.3e-6  # each re-solve's fixed cost, per row and column


# LP diving (`_dive`): each round fixes this share of the counts still fractional; the dive may
# use this share of the limit (charged like the relaxation's solves). Charged honestly (see
# SECONDS_PER_RESOLVE_ENTRY), 0.15 stopped the dive a third of the way on the 80-agent sample:
# service 0.928 against 0.949 at 0.25 and 0.35, where it ends on its own; at 350 agents, 120 s,
# phone/chat intervals on target 0.956 (0.15), 0.967 (0.25), 0.966 (0.35), paid 1.10 × the bound
# at each. The rounding after it, from the dive's nearest roster, gained little on either.
DIVE_BATCH = 0.2


DIVE_SHARE = 0.3


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


def _ran_out(elapsed: float, allowed: float) -> bool:
    """Whether a solve that took `elapsed` seconds of the `allowed` was ended by the clock."""
    return elapsed >= 0.98 * allowed


def _clock_stopped(solver: cp_model.CpSolver, status: Any) -> bool:
    """Whether the wall clock, not a work limit or optimality, ended this CP-SAT solve."""
    return bool(status != cp_model.OPTIMAL and _ran_out(solver.wall_time, solver.parameters.max_time_in_seconds))


def cp_solver(kind: SolverKind, settings: SolveSettings, effort: float = 0.0, wall: float = 0.0) -> cp_model.CpSolver:
    """Every CP-SAT solver of the week model, built here from the settings:

    * "search": the rounding and the allocation of a fixed roster, on `settings.workers`
      workers, `effort` work units when repeatable, `wall` seconds at most;
    * "completion": one worker completing a roster's allocation (`_complete`), likewise;
    * "nearest": one worker rounding one group (`nearest_roster`), on a fixed work limit.
    """
    solver = cp_model.CpSolver()
    params = solver.parameters
    if kind == "nearest":
        params.num_workers = 1
        params.max_time_in_seconds = 10.0  # a safety net: these models solve in milliseconds
        params.max_deterministic_time = 5.0  # what decides, should one not
        return solver
    if kind == "completion":
        params.num_workers = 1
        params.max_time_in_seconds = wall
        if settings.deterministic:
            params.max_deterministic_time = effort
        return solver
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
