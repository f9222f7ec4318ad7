"""The week model's search (`solve_week`): relax near the starting roster, then round; each
step hands on the best whole roster it has, and `WeekSolution` says how the search went.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster import stop
from wfm.roster.candidates import Group
from wfm.roster.demand import QueueDemand, ServiceWeights
from wfm.roster.relax import Relaxation
from wfm.roster.week.model import Column, Rounded, _allocation, _Model, skill_sets_of
from wfm.roster.week.pricing import _relax, _RelaxStats, neighbourhood
from wfm.roster.week.rounding import _dive, _round, nearest_roster
from wfm.roster.week.settings import DIVE_SHARE, MIN_ALLOCATION_SECONDS, RELAXATION_SHARE, Progress, SolveSettings, _clock_stopped
from wfm.rules import RulesProfile


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
    def gap(self) -> float | None:
        """Relative gap between the roster and the relaxation's bound; None when the rounding
        priced no roster (objective 0 against a positive bound: the starting or nearest roster
        stood, and how far it is from the bound is not known)."""
        if self.objective <= 0:
            return None if self.bound > 0 else 0.0
        return max(0.0, (self.objective - self.bound) / abs(self.objective))


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
    search = _Search(groups, demands, rules, weights, settings, progress)
    start_counts = {k: v for k, v in hint.items() if v > 0}
    relaxed, relaxed_values, stats = _relax_near(search, start_counts)
    bound = relaxed.objective if relaxed is not None else 0.0
    if relaxed is not None and progress:
        progress(relaxed.objective, relaxed.objective, search.seconds())
    solution = None
    nearest: Rounded | None = None
    if relaxed is not None and relaxed_values:
        solution, nearest = _round_relaxed(search, relaxed, relaxed_values, stats, start_counts, hint_bands, bound)
    if solution is not None and solution[2] not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # The rounding proved no roster within one of the relaxation (its support can miss a
        # whole group's legal week): a roster from before it stands.
        search.notes.append(f"rounding: {solution[1].status_name(solution[2])} around the relaxation")
        solution = None
    if solution is None and nearest is not None:
        # The rounding found nothing in time: the nearest whole roster to the relaxation is
        # complete and legal for every group; stage 3 follows the dive's last allocation.
        search.notes.append(
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
            search.seconds(),
            **_relaxation_figures(relaxed, stats),
            notes=search.notes,
            nearest=nearest,
        )
    if solution is None and stop.requested():  # Ctrl-C before any whole roster of the model
        search.notes.append("interrupted (Ctrl-C) before the week model had a roster; the starting roster stands")
        return WeekSolution({}, {}, {}, skill_sets_of(groups), "INTERRUPTED", 0.0, bound, search.seconds(), notes=search.notes)
    if solution is None:  # no relaxation, or nothing found in time: allocate the starting roster
        fixed = {k: float(v) for k, v in start_counts.items()}
        solution = search.round(fixed, 0, hint=start_counts, band_hint=hint_bands)
    assert solution is not None
    return _finish(search, solution, relaxed, stats, bound, start_counts, hint_bands, nearest)


@dataclass
class _Search:
    """One `solve_week`: its inputs, its clock, and what its steps handed on (notes, whether a
    clock rather than a work limit stopped one)."""

    groups: Sequence[Group]
    demands: Sequence[QueueDemand]
    rules: RulesProfile
    weights: ServiceWeights
    settings: SolveSettings
    progress: Progress | None
    started: float = field(default_factory=time.perf_counter)
    notes: list[str] = field(default_factory=list)
    clock_cut: bool = False

    def __post_init__(self) -> None:
        self.limit = self.settings.time_limit

    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def round(self, around: dict[Column, float], slack: int, **given: Any) -> tuple[_Model, cp_model.CpSolver, Any, bool] | None:
        """`_round` over `around` within `slack`, to the end of the limit."""
        s = self
        return _round(
            s.groups, s.demands, s.rules, s.weights, s.settings, around, slack, s.started + s.limit, s.progress, **given
        )


def _relax_near(search: _Search, start_counts: dict[Column, int]) -> tuple[Relaxation | None, dict[Column, float], _RelaxStats]:
    """Step 1: the relaxation over the columns near the starting roster, by column generation."""
    settings, limit, started = search.settings, search.limit, search.started
    columns = neighbourhood(search.groups, start_counts, search.rules, settings.neighbours)
    if settings.deterministic:  # work from the limit alone; the clock only stops it at the limit
        budget = max(1.0, RELAXATION_SHARE * (settings.work_seconds or limit))
        deadline = started + max(1.0, limit - MIN_ALLOCATION_SECONDS)
    else:
        budget = max(1.0, RELAXATION_SHARE * limit - (time.perf_counter() - started))
        deadline = started + budget
    relaxed, relaxed_values, stats = _relax(
        search.groups,
        columns,
        search.demands,
        search.rules,
        search.weights,
        budget,
        deadline,
        settings.pricing_rounds,
        repeatable=settings.deterministic,
    )
    if stats.interrupted:  # Ctrl-C: round what there is at once
        search.limit = min(limit, time.perf_counter() - started)
    search.clock_cut = stats.clock_cut
    return relaxed, relaxed_values, stats


def _round_relaxed(
    search: _Search,
    relaxed: Relaxation,
    relaxed_values: dict[Column, float],
    stats: _RelaxStats,
    start_counts: dict[Column, int],
    hint_bands: dict[tuple[int, int], int],
    bound: float,
) -> tuple[tuple[_Model, cp_model.CpSolver, Any, bool] | None, Rounded | None]:
    """Step 2: dive, take the nearest whole roster, and round over the columns the relaxation
    uses, each within one of its relaxed value, from that roster (the greedy roster's columns
    and hint keep the search near the greedy roster; all candidate columns, or more workers,
    do not beat the relaxation's support in the same time). Returns the rounding (None when it
    did not run or found nothing) and the nearest whole roster."""
    settings, limit = search.settings, search.limit
    around = relaxed_values
    allocation = relaxed.values
    if stats.lp is not None and not stats.interrupted:
        share = DIVE_SHARE * (settings.work_seconds or limit) if settings.deterministic else DIVE_SHARE * limit
        dived, charged, allocation, dive_cut = _dive(
            stats.lp, stats.index, relaxed, share, search.started + limit, repeatable=settings.deterministic
        )
        search.clock_cut = search.clock_cut or dive_cut
        stats.priced_seconds += charged
        # CP-SAT rounds within one of the dive's counts, over the relaxation's shifts too
        around = {key: dived.get(key, 0.0) for key in sorted(set(relaxed_values) | set(dived))}
    counts, band_sizes, fell_back = nearest_roster(search.groups, around, search.rules, search.weights, start_counts, hint_bands)
    if fell_back:
        names = ", ".join(fell_back[:3])
        search.notes.append(f"nearest whole roster: {len(fell_back)} group(s) kept their starting shifts ({names})")
        kept = {g.index for g in search.groups if g.label in fell_back}
        around = {k: v for k, v in around.items() if k[0] not in kept}
        around.update({k: float(v) for k, v in start_counts.items() if k[0] in kept})
    nearest = None
    if counts:
        plan = _allocation(stats.model, lambda var: float(allocation[var.index])) if stats.model is not None else {}
        nearest = Rounded(counts, band_sizes, plan)
    if stop.requested():
        return None, nearest
    rounded = search.round(around, 1, hint=counts, band_hint=band_sizes, bound=bound or None, spent=stats.priced_seconds)
    return rounded, nearest


def _relaxation_figures(relaxed: Relaxation | None, stats: _RelaxStats) -> dict[str, Any]:
    """How the relaxation went, as `WeekSolution` fields."""
    return {
        "relaxation_status": relaxed.status if relaxed else "NONE",
        "relaxation_seconds": stats.seconds,
        "pricing_rounds": stats.rounds,
        "priced_columns": stats.priced,
        "bound_over_all": stats.converged,
        "candidate_columns": stats.columns,
    }


def _finish(
    search: _Search,
    solution: tuple[_Model, cp_model.CpSolver, Any, bool],
    relaxed: Relaxation | None,
    stats: _RelaxStats,
    bound: float,
    start_counts: dict[Column, int],
    hint_bands: dict[tuple[int, int], int],
    nearest: Rounded | None,
) -> WeekSolution:
    """The week model's roster from the last CP-SAT solve, or the starting roster as it is when
    that solve found nothing."""
    model, solver, status, completion_cut = solution
    clock_cut = search.clock_cut or completion_cut or _clock_stopped(solver, status)
    sets = skill_sets_of(search.groups)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        seconds = search.seconds()
        search.notes.append(f"allocation of the starting roster: {solver.status_name(status)}")
        if start_counts:
            # Out of time even for that (a big week on a tiny limit), or the starting roster
            # breaks a band row: the starting roster as it is; stage 3 allocates its queues.
            return WeekSolution(start_counts, dict(hint_bands), {}, sets, "START_ROSTER", 0.0, bound, seconds, notes=search.notes)
        return WeekSolution({}, {}, {}, sets, solver.status_name(status), 0.0, bound, seconds, notes=search.notes)
    found = model.extract(solver.value)
    objective = solver.objective_value
    if search.progress:
        search.progress(objective, bound, search.seconds())
    return WeekSolution(
        counts=found.counts,
        bands=found.bands,
        queue_agents=found.queue_agents,
        skill_sets=model.skill_sets,
        status=solver.status_name(status),
        objective=objective,
        bound=max(bound, 0.0),
        seconds=search.seconds(),
        **_relaxation_figures(relaxed, stats),
        rounded_columns=len(model.x),
        repeatable=search.settings.deterministic and not clock_cut,
        notes=search.notes,
        nearest=nearest,
    )
