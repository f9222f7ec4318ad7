"""The roster: from requirements and agents to shifts, breaks, lunch and queue assignments.

Three stages, each in its own module (see RESEARCH.md for why the naive model does not scale):

1. `week`: CP-SAT over *counts* of alike agents per candidate shift, with the service-aware
   objective (`demand`) and queue allocation per skill set and 15-minute slot;
2. `assign`: small CP-SAT models that give named people those shifts under every per-person
   rule, fairly;
3. `realize`: breaks and lunch where the queues can spare people, and queue choice per slot.

`candidates` builds groups and legal shifts; `greedy` is the simple roster wfm must beat and
the warm start of stage 1; `coverage` scores any roster against the requirements.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from wfm.errors import InfeasibleError, WfmError
from wfm.roster.assign import Assignment, assign_agents
from wfm.roster.candidates import Group, make_groups
from wfm.roster.coverage import coverage_frame
from wfm.roster.demand import ServiceWeights, build_demand
from wfm.roster.greedy import bands_of, counts_of, greedy_roster, prune_roster
from wfm.roster.realize import realize, roster_frame
from wfm.roster.week import Progress, SolveSettings, solve_week
from wfm.workspace import Workspace

__all__ = ["Assignment", "RosterResult", "SolveSettings", "build_roster", "greedy_baseline"]


@dataclass
class RosterResult:
    roster: pd.DataFrame  # FORMATS.md roster.csv columns; start/end tz-aware UTC
    coverage: pd.DataFrame  # FORMATS.md coverage.csv columns (+ channel, target, contacts)
    solver: dict[str, Any] = field(default_factory=dict)


def build_roster(
    ws: Workspace,
    requirements: pd.DataFrame,
    week: dt.date,
    settings: SolveSettings | None = None,
    *,
    weights: ServiceWeights | None = None,
    progress: Progress | None = None,
) -> RosterResult:
    """The optimised roster for the plan week (deterministic for a given seed)."""
    settings = settings or SolveSettings()
    weights = weights or ServiceWeights()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    groups = make_groups(ws.agents, ws.rules, week)
    _check_contracts(groups, ws)
    demands = build_demand(requirements, ws.queues, ws.rules, week, ws.plan.interval_minutes, weights)
    timings["prepare"] = time.perf_counter() - started

    mark = time.perf_counter()
    start = prune_roster(greedy_roster(groups, demands, ws.rules, week), groups, demands, ws.rules)
    timings["warm_start"] = time.perf_counter() - mark
    # --time-limit covers the whole roster: the week model gets what preparation left (a
    # repeatable solve budgets its work from the limit as given, never from the clock).
    spent = time.perf_counter() - started
    solution = solve_week(
        groups,
        demands,
        ws.rules,
        weights,
        dataclasses.replace(
            settings,
            time_limit=max(settings.time_limit - spent, 0.25 * settings.time_limit),
            work_seconds=settings.work_seconds or settings.time_limit,
        ),
        hint=counts_of(start, groups),
        hint_bands=bands_of(start, groups),
        progress=progress,
    )
    timings["relaxation"] = solution.relaxation_seconds
    timings["week_model"] = solution.seconds
    if solution.status == "INFEASIBLE":
        contracted = [g.index for g in groups if g.min_minutes]
        raise InfeasibleError("the hard rules cannot all hold", _contract_reasons(groups, contracted, ws))
    if not solution.counts and solution.status not in ("OPTIMAL", "FEASIBLE", "START_ROSTER"):
        raise WfmError(
            f"schedule: the solver found no roster within --time-limit {settings.time_limit:g} s (status {solution.status});"
            " give it more time"
        )

    mark = time.perf_counter()
    assigned = assign_agents(groups, solution.counts, solution.bands, ws.rules, week, seed=settings.seed)
    timings["assign"] = time.perf_counter() - mark
    mark = time.perf_counter()
    placed = realize(assigned.assignments, demands, solution.queue_agents, solution.skill_sets, ws.rules)
    roster = roster_frame(placed, week)
    coverage = coverage_frame(
        roster, requirements, ws.queues, week, ws.plan.interval_minutes, occupancy=ws.rules.service.max_occupancy
    )
    timings["realize"] = time.perf_counter() - mark
    solver = {
        # The week is an LP relaxation over the candidate shifts near a greedy start and those
        # column generation priced in, rounded by CP-SAT: a feasible roster, never a proven
        # optimum. `bound` is the relaxation's value, a lower bound on every roster made of
        # those shifts, or of any legal shifts when pricing found none left ("bound_scope").
        "status": "FEASIBLE" if solution.status in ("OPTIMAL", "FEASIBLE") else solution.status,
        "rounding_status": solution.status,
        "relaxation_status": solution.relaxation_status,
        "bound_scope": (
            "LP relaxation over every candidate shift"
            if solution.bound_over_all
            else "LP relaxation over the candidate shifts near the greedy start and those priced in"
        ),
        "pricing_rounds": solution.pricing_rounds,
        "priced_shifts": solution.priced_columns,
        "objective": solution.objective,
        "bound": solution.bound,
        "gap": solution.gap,
        "seconds": round(time.perf_counter() - started, 2),
        "stages": {k: round(v, 2) for k, v in timings.items()},
        "groups": len(groups),
        "candidate_shifts": solution.candidate_columns,
        "rounded_shifts": solution.rounded_columns,
        "shifts_dropped": assigned.dropped,
        "shifts_added": assigned.added,
        "soft_violations": assigned.soft_violations,
        "repeatable": solution.repeatable,
    }
    if settings.deterministic:  # the parallel solve does not repeat whatever the seed
        solver["seed"] = settings.seed
    return RosterResult(roster=roster, coverage=coverage, solver=solver)


def greedy_baseline(ws: Workspace, requirements: pd.DataFrame, week: dt.date) -> RosterResult:
    """The greedy yardstick, realised with the same break placement, for side-by-side scoring."""
    started = time.perf_counter()
    weights = ServiceWeights()
    groups = make_groups(ws.agents, ws.rules, week)
    demands = build_demand(requirements, ws.queues, ws.rules, week, ws.plan.interval_minutes, weights)
    assignments = greedy_roster(groups, demands, ws.rules, week)
    placed = realize(assignments, demands, {}, sorted({tuple(sorted(g.skills)) for g in groups}), ws.rules)
    roster = roster_frame(placed, week)
    coverage = coverage_frame(
        roster, requirements, ws.queues, week, ws.plan.interval_minutes, occupancy=ws.rules.service.max_occupancy
    )
    return RosterResult(roster, coverage, {"status": "GREEDY", "seconds": round(time.perf_counter() - started, 2)})


def _check_contracts(groups: list[Group], ws: Workspace) -> None:
    """Name agents whose contracted minimum no legal week can meet, before any solving."""
    reasons = []
    for group in groups:
        if not group.min_minutes:
            continue
        if not group.shifts:
            reasons.append(_no_shift_reason(group, ws))
            continue
        most = _most_paid_minutes(group, ws)
        if most < group.min_minutes:
            ids = ", ".join(a.agent_id for a in group.agents)
            reasons.append(
                f"min_hours_week: {ids} contracted for {group.min_minutes / 60:g} paid hours, but windows, days"
                f" unavailable, days off and max_nights ({ws.rules.nights.max_per_week}) allow at most {most / 60:g}"
            )
    if reasons:
        raise InfeasibleError("the hard rules cannot all hold", reasons)


def _most_paid_minutes(group: Group, ws: Workspace) -> int:
    """Most paid minutes one member could work: best shift per day, at most the allowed days and
    nights, within the weekly cap (rest between days is not considered, so this is an upper bound)."""
    best_day: dict[int, int] = {}
    best_night: dict[int, int] = {}
    for shift in group.shifts:
        table = best_night if shift.night else best_day
        table[shift.day] = max(table.get(shift.day, 0), shift.paid)
    days = 7 - ws.rules.hours.min_days_off_per_week
    nights = ws.rules.nights.max_per_week if "max_nights" not in ws.rules.soft else days
    # state: (days used, nights used) → most minutes, over the local days in order
    states = {(0, 0): 0}
    for day in sorted(set(best_day) | set(best_night)):
        following = dict(states)
        for (used, night_count), minutes in states.items():
            if used == days:
                continue
            if day in best_day:
                key = (used + 1, night_count)
                following[key] = max(following.get(key, 0), minutes + best_day[day])
            if day in best_night and night_count < nights:
                key = (used + 1, night_count + 1)
                following[key] = max(following.get(key, 0), minutes + best_night[day])
        states = following
    return min(max(states.values()), group.cap_minutes)


def _no_shift_reason(group: Group, ws: Workspace) -> str:
    agent = group.agents[0]
    ids = ", ".join(a.agent_id for a in group.agents)
    shortest = min(ws.rules.shifts.lengths_hours)
    window = agent.window_minutes()
    if window is not None and (window[1] - window[0]) < shortest * 60:
        return (
            f"availability: {ids} available {agent.available_from:%H:%M}–{agent.available_to:%H:%M} but shifts are at least"
            f" {shortest:g} h (shift_length), and min_hours_week asks for {group.min_minutes / 60:g} h"
        )
    return (
        f"min_hours_week: {ids} have no legal shift this week (days unavailable, window) but are contracted for"
        f" {group.min_minutes / 60:g} h"
    )


def _contract_reasons(groups: list[Group], failing: list[int], ws: Workspace) -> list[str]:
    reasons = []
    for index in failing:
        group = groups[index]
        ids = ", ".join(a.agent_id for a in group.agents)
        reasons.append(
            f"min_hours_week: {ids} need {group.min_minutes / 60:g} paid hours each, which clashes with max_hours_week,"
            f" min_days_off, max_nights or their windows ({ws.rules.name} profile)"
        )
    return reasons
