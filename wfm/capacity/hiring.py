"""Choosing hiring classes: a mixed-integer model (OR-Tools, SCIP) over the whole horizon.

Decisions: `size[site, week]`, the whole number of hires whose class starts that week (none
inside `lead_weeks`, none that would still be in training at the horizon's end, at most
`class_size_max`), and whether a class opens there then. Each week, the on-queue hours of each
group of agents (a site's agents with one skill set; a site's hires join the group with the
hire skill set) flow to the queues the group is skilled for, and what no group can cover is
short:

    Σ_queues flow[group, queue, week] ≤ hours[group, week] + Σ_t size[site, t] × on_queue[site, week − t]
    Σ_groups flow[group, queue, week] + short[queue, week] ≥ required[queue, week]

    minimise  Σ size × paid hours to the horizon's end  +  class_cost × classes opened
              +  short_hour_cost × Σ short

A short hour costs more than the paid hours a hire needs to cover it, so the model hires where
hires are used; a hire costs paid hours whatever it covers, so a team that is not short hires
nobody. `on_queue` and the paid hours are expected values by age (attrition, training and ramp
included, `wfm.capacity.supply`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from wfm.capacity.config import CapacityConfig
from wfm.capacity.supply import Supply, existing_hours, hire_on_queue, hire_paid


@dataclass(frozen=True)
class HiringProblem:
    """Arrays of the model: weeks × queues, groups × queues, groups × weeks, sites × weeks."""

    required: np.ndarray  # weeks × queues, on-queue hours
    group_skills: np.ndarray  # groups × queues, bool
    group_site: tuple[int, ...]  # site index of each group
    group_hours: np.ndarray  # groups × weeks, today's agents' expected on-queue hours
    hire_group: Mapping[int, int]  # site index → the group its hires join
    hire_on_queue: np.ndarray  # sites × ages, one hire's expected on-queue hours
    hire_cost: np.ndarray  # sites × start weeks, one hire's paid hours to the horizon's end
    allowed: np.ndarray  # sites × start weeks, bool
    class_size_max: int
    short_hour_cost: float
    class_cost_hours: float
    time_limit_seconds: float


@dataclass(frozen=True)
class HiringPlan:
    sizes: np.ndarray  # sites × weeks, whole hires per class start
    short: np.ndarray  # weeks × queues, short on-queue hours
    group_hours: np.ndarray  # groups × weeks, on-queue hours with the hires
    status: str
    objective: float
    bound: float
    seconds: float


def hiring_problem(supply: Supply, required: np.ndarray, queues: Sequence[str], config: CapacityConfig) -> HiringProblem:
    """The model's arrays for this supply and demand (weeks × queues required hours)."""
    weeks = required.shape[0]
    groups = [(g.site, g.skills) for g in supply.groups]
    hours = list(existing_hours(supply, weeks))
    hire_group: dict[int, int] = {}
    for s, site in enumerate(supply.sites):
        key = (site, supply.hire_skills[site])
        if key not in groups:
            groups.append(key)
            hours.append(np.zeros(weeks))
        hire_group[s] = groups.index(key)
    skills = np.array([[queue in group_skills for queue in queues] for _, group_skills in groups], dtype=bool)
    on_queue = np.array([hire_on_queue(supply, site, weeks) for site in supply.sites])
    paid = np.array([hire_paid(supply, site, weeks) for site in supply.sites])
    # A class starting in week t is paid for weeks t … end: ages 0 … weeks − 1 − t.
    cost = np.array([[paid[s, : weeks - t].sum() for t in range(weeks)] for s in range(len(supply.sites))])
    hiring = config.hiring
    starts = np.arange(weeks)
    useful = starts + supply.training_weeks < weeks
    on_cadence = (starts - hiring.lead_weeks) % hiring.class_every_weeks == 0
    allowed = np.array(
        [(starts >= hiring.lead_weeks) & on_cadence & useful & (site in supply.hire_sites) for site in supply.sites], dtype=bool
    ).reshape(len(supply.sites), weeks)
    return HiringProblem(
        required=required,
        group_skills=skills,
        group_site=tuple(supply.sites.index(site) for site, _ in groups),
        group_hours=np.array(hours).reshape(len(groups), weeks),
        hire_group=hire_group,
        hire_on_queue=on_queue.reshape(len(supply.sites), weeks),
        hire_cost=cost.reshape(len(supply.sites), weeks),
        allowed=allowed,
        class_size_max=hiring.class_size_max,
        short_hour_cost=hiring.short_hour_cost,
        class_cost_hours=hiring.class_cost_hours,
        time_limit_seconds=hiring.time_limit_seconds,
    )


def solve_hiring(problem: HiringProblem) -> HiringPlan:
    """The cheapest classes (see the module docstring). If the solver stops without a solution,
    the plan hires nobody (the covering LP alone) and says so in `status`."""
    started = time.perf_counter()
    plan = _solve(problem, hire=bool(problem.allowed.any()))
    if plan is None:
        fallback = _solve(problem, hire=False)
        if fallback is None:  # a bounded LP with slack always solves
            raise RuntimeError("hiring: the covering LP did not solve")
        plan = dataclasses.replace(fallback, status="NO_SOLUTION_IN_TIME (no hires)")
    return dataclasses.replace(plan, seconds=time.perf_counter() - started)


def _solve(problem: HiringProblem, *, hire: bool) -> HiringPlan | None:
    weeks, queues = problem.required.shape
    groups = problem.group_skills.shape[0]
    sites = problem.allowed.shape[0]
    solver = pywraplp.Solver.CreateSolver("SCIP" if hire else "GLOP")
    if solver is None:  # pragma: no cover - every OR-Tools wheel ships SCIP and GLOP
        raise RuntimeError("OR-Tools has no SCIP/GLOP solver in this installation")
    infinity = solver.infinity()
    objective = solver.Objective()

    size: dict[tuple[int, int], pywraplp.Variable] = {}
    if hire:
        for s, t in zip(*np.nonzero(problem.allowed), strict=True):
            var = solver.IntVar(0, problem.class_size_max, f"size[{s},{t}]")
            size[int(s), int(t)] = var
            objective.SetCoefficient(var, float(problem.hire_cost[s, t]))
            if problem.class_cost_hours > 0:
                opened = solver.BoolVar(f"open[{s},{t}]")
                solver.Add(var <= problem.class_size_max * opened)
                objective.SetCoefficient(opened, problem.class_cost_hours)

    short = [[solver.NumVar(0, infinity, f"short[{q},{k}]") for q in range(queues)] for k in range(weeks)]
    flow: dict[tuple[int, int, int], pywraplp.Variable] = {}
    for k in range(weeks):
        for q in range(queues):
            objective.SetCoefficient(short[k][q], problem.short_hour_cost)
        for g in range(groups):
            out = []
            for q in np.flatnonzero(problem.group_skills[g]).tolist():
                var = solver.NumVar(0, infinity, f"flow[{g},{q},{k}]")
                flow[g, q, k] = var
                out.append(var)
            if not out:
                continue
            hires = []
            site = problem.group_site[g]
            if problem.hire_group.get(site) == g:
                hires = [(var, float(problem.hire_on_queue[site, k - t])) for (s, t), var in size.items() if s == site and t <= k]
            cap = solver.Constraint(-infinity, float(problem.group_hours[g, k]), f"hours[{g},{k}]")
            for var in out:
                cap.SetCoefficient(var, 1.0)
            for var, hours in hires:
                cap.SetCoefficient(var, -hours)
        for q in range(queues):
            need = solver.Constraint(float(problem.required[k, q]), infinity, f"cover[{q},{k}]")
            need.SetCoefficient(short[k][q], 1.0)
            for g in np.flatnonzero(problem.group_skills[:, q]).tolist():
                need.SetCoefficient(flow[g, q, k], 1.0)
    objective.SetMinimization()

    solver.SetTimeLimit(int(problem.time_limit_seconds * 1000))
    parameters = pywraplp.MPSolverParameters()
    if hire:
        parameters.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, 0.01)
    status = solver.Solve(parameters)
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    sizes = np.zeros((sites, weeks), dtype=np.int64)
    for (s, t), var in size.items():
        sizes[s, t] = round(var.solution_value())
    shorts = np.array([[short[k][q].solution_value() for q in range(queues)] for k in range(weeks)]).reshape(weeks, queues)
    with_hires = problem.group_hours.copy()
    for s, g in problem.hire_group.items():
        with_hires[g] += np.convolve(sizes[s], problem.hire_on_queue[s])[:weeks]
    name = "OPTIMAL" if status == pywraplp.Solver.OPTIMAL else "FEASIBLE"
    bound = solver.Objective().BestBound() if hire else solver.Objective().Value()
    return HiringPlan(sizes, np.clip(shorts, 0.0, None), with_hires, name, solver.Objective().Value(), bound, 0.0)


def short_by_site(plan: HiringPlan, problem: HiringProblem, sites: int) -> np.ndarray:
    """sites × weeks: each queue's short hours shared by the sites skilled for it, in proportion to
    the on-queue hours their skilled groups have that week (a queue nobody serves is left out)."""
    weeks, queues = plan.short.shape
    out = np.zeros((sites, weeks))
    site_of_group = np.array(problem.group_site)
    for q in range(queues):
        skilled = problem.group_skills[:, q]
        if not skilled.any():
            continue
        hours = np.zeros((sites, weeks))
        np.add.at(hours, site_of_group[skilled], plan.group_hours[skilled])
        total = hours.sum(axis=0)
        share = np.zeros((sites, weeks))
        np.divide(hours, total, out=share, where=total > 0)
        if (total <= 0).any():  # nobody there that week: share by skilled sites equally
            present = np.zeros(sites)
            present[np.unique(site_of_group[skilled])] = 1.0
            share[:, total <= 0] = (present / present.sum())[:, None]
        out += share * plan.short[:, q][None, :]
    return out
