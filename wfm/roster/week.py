"""Stage 1: the week model. How many agents of each group work each candidate shift, and how
many on-queue agents of each skill set serve each queue in each 30-minute block.

This is the aggregated ("tour") model of RESEARCH.md: integer counts per group instead of one
boolean per (agent, day, shift), so its size follows the kinds of agents, not headcount. Named
agents are placed in stage 2 (`assign.py`), which the constraints here make possible:

* every group's members are split into start *bands* (`candidates.band_minutes`): two starts
  on consecutive days within one band always leave the minimum rest, so rest needs no pairwise
  constraints here;
* per band and local day, no more shifts than agents in the band; per band and week, no more
  shifts, paid hours or nights than its agents may carry, and at least their contracted minimum.

Objective, one integer sum (weights in `demand.ServiceWeights`): service shortfall by the
service it loses (convex cuts per queue and block), email overdue, paid minutes, a small cost
per night shift, and the costed excess of soft rules.

Search. Agents with their own windows, days and contracts make groups small and numerous (350
agents gave 219 groups and 84,000 candidate shifts), far too many columns for CP-SAT on two
cores: measured, the whole-week model over the shifts near a greedy roster (22,000 variables)
did not improve on that roster in 110 s. So the week is searched by large neighbourhoods in
time: starting from a complete roster (the greedy one), each step frees the shifts starting in
a 12-hour UTC window — for every group, its usual start times ±1 grid step, in every length — holds all
other shifts fixed, models only the blocks those shifts can touch, and lets CP-SAT re-optimise
that window from the current roster (its hint, completed first by one solve with the counts
fixed). Windows sweep the week until the time limit; a window's objective never gets worse, so
neither does the week's.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster.candidates import DAYS, SLOT_MINUTES, WEEK_MINUTES, WEEK_SLOTS, Group, Shift
from wfm.roster.demand import QueueDemand, ServiceWeights
from wfm.roster.patterns import SCALE, expected_on_queue
from wfm.rules import RulesProfile

Progress = Callable[[float, float, float], None]  # objective, bound, seconds
Column = tuple[int, int]  # (group index, shift index)
# On-queue agents are allocated per 30-minute block (two slots): shifts start on a 30-minute
# grid, so coverage changes inside a block only by breaks, which stage 3 places. Each block is
# costed at its worse quarter hour.
BLOCK = 2
BLOCK_MINUTES = BLOCK * SLOT_MINUTES
BLOCKS = WEEK_SLOTS // BLOCK
# A whole-week queue allocation always gets at least this long, whatever the limit.
MIN_ALLOCATION_SECONDS = 2.0
# CP-SAT work units granted per second of --time-limit. A unit took one to three seconds here
# (more on a busy machine, and presolve is not stopped by the limit), so 0.3 keeps most runs
# near their limit while the work limit, not the clock, decides where each solve stops.
WORK_PER_SECOND = 0.3


@dataclass(frozen=True)
class SolveSettings:
    time_limit: float = 60.0
    seed: int = 0
    workers: int = 2
    # Stop each solve on CP-SAT's deterministic clock (work units) so a seed reproduces the
    # roster; the wall-clock limit still bounds the whole search.
    deterministic: bool = True
    # Start times freed around each of a group's usual start times, in grid steps either side.
    neighbours: int = 1
    # Work units per window solve.
    window_effort: float = 2.0


@dataclass
class WeekSolution:
    """What stage 1 decided, and how the search went."""

    counts: dict[Column, int]  # → agents working that shift
    bands: dict[tuple[int, int], int]  # (group index, band) → agents in that band
    queue_agents: dict[tuple[str, int], np.ndarray]  # (queue, skill-set index) → on-queue agents per slot
    skill_sets: list[tuple[str, ...]]
    status: str
    objective: float
    bound: float
    seconds: float
    start_objective: float = 0.0  # of the greedy roster the search started from
    windows_solved: int = 0
    windows_improved: int = 0
    candidate_columns: int = 0

    @property
    def gap(self) -> float:
        """Relative gap to the bound (see `solve_week` for what the bound covers)."""
        if self.objective <= 0:
            return 0.0
        return max(0.0, (self.objective - self.bound) / abs(self.objective))


@dataclass
class Window:
    """The part of the week a model covers: `blocks` are modelled, `fixed` counts are held."""

    blocks: range
    fixed: dict[Column, int] = field(default_factory=dict)
    bands: dict[tuple[int, int], int] = field(default_factory=dict)  # agents of each group per start band
    # When set, the model chooses how many of each group's agents are in each start band.
    free_bands: bool = False
    email_done: dict[str, np.ndarray] = field(default_factory=dict)  # agent-minutes done per block


@dataclass
class _Model:
    cp: cp_model.CpModel
    x: dict[Column, Any]
    w: dict[tuple[int, str, int], Any]
    bands: dict[tuple[int, int], Any]
    email_done: dict[str, dict[int, Any]]
    objective: Any
    skill_sets: list[tuple[str, ...]]


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: Progress) -> None:
        super().__init__()
        self._report = report
        self._start = time.perf_counter()

    def on_solution_callback(self) -> None:
        self._report(self.ObjectiveValue(), self.BestObjectiveBound(), time.perf_counter() - self._start)


def _sum(items: Iterable[Any]) -> Any:
    return cp_model.LinearExpr.sum(list(items))


def _dot(variables: Sequence[Any], coefficients: Sequence[float]) -> Any:
    return cp_model.LinearExpr.weighted_sum(list(variables), [round(c) for c in coefficients])


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
    window: Window,
) -> _Model:
    """The model of `window`: `columns` (group index → shift indices) are free, the rest fixed."""
    cp = cp_model.CpModel()
    skill_sets = skill_sets_of(groups)
    set_of_group = {g.index: skill_sets.index(tuple(sorted(g.skills))) for g in groups}
    demand_by_name = {d.name: d for d in demands}
    modelled = set(window.blocks)
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
            cost(var, weights.paid_minute * shift.paid + (weights.night_shift if shift.night else 0))

    # on-queue capacity per skill set and block: free shifts as terms, fixed ones as a constant
    coverage: dict[tuple[int, int], list[tuple[Any, int]]] = defaultdict(list)
    held: dict[tuple[int, int], int] = defaultdict(int)
    for (s, start, length), entries in sorted(starts.items()):
        total = entries[0][0]
        if len(entries) > 1:
            total = cp.new_int_var(0, sum(size for _, size in entries), f"starts[{s},{_fmt(start)}+{length}]")
            cp.add(total == _sum(var for var, _ in entries))
        probe = Shift(day=0, start=start, length=length, paid=0, night=False, band=0)
        for block, share in _shares_by_block(probe, rules).items():
            if block in modelled:
                coverage[s, block].append((total, share))
    for (g, i), count in window.fixed.items():
        shift = groups[g].shifts[i]
        for block, share in _shares_by_block(shift, rules).items():
            if block in modelled:
                held[set_of_group[g], block] += share * count

    capacity = [sum(g.size for g in groups if set_of_group[g.index] == s) for s in range(len(skill_sets))]
    w: dict[tuple[int, str, int], Any] = {}
    per_queue: dict[str, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for s, block in sorted(set(coverage) | set(held)):
        queues = [q for q in skill_sets[s] if q in demand_by_name]
        if not queues:
            continue
        for q in queues:
            w[s, q, block] = var = cp.new_int_var(0, capacity[s], f"on_queue[{q},{s},{_fmt(block * BLOCK_MINUTES)}]")
            per_queue[q][block].append(var)
        shares = coverage.get((s, block), [])
        supply = _dot([v for v, _ in shares], [c for _, c in shares]) + held.get((s, block), 0)
        cp.add(SCALE * BLOCK * _sum(w[s, q, block] for q in queues) <= supply)

    constant = 0.0
    email_done: dict[str, dict[int, Any]] = {}
    for demand in demands:
        if demand.deferred:
            done, costs = _email(cp, demand, per_queue[demand.name], weights, demand.queue.occupancy_cap(rules), window)
            email_done[demand.name] = done
            for var, weight in costs:
                cost(var, weight)
            continue
        for block in window.blocks:
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
            short = cp.new_int_var(0, required, f"short[{label}]")
            cp.add(_sum(on_queue) + short >= required)
            penalty = cp.new_int_var(0, max(worst, 0), f"short_cost[{label}]")
            for line in lines:
                cp.add(penalty >= line.intercept + line.slope * short)
            cost(penalty, BLOCK)

    bands = _band_constraints(cp, groups, columns, x, rules, weights, cost, window)
    objective = _dot(terms, coefs) + round(constant)
    return _Model(cp, x, w, bands, email_done, objective, skill_sets)


def _band_constraints(
    cp: cp_model.CpModel,
    groups: Sequence[Group],
    columns: dict[int, list[int]],
    x: dict[Column, Any],
    rules: RulesProfile,
    weights: ServiceWeights,
    cost: Callable[[Any, float], None],
    window: Window,
) -> dict[tuple[int, int], Any]:
    """What each band of a group can carry: per day, per week, hours, nights, contracts."""
    bands: dict[tuple[int, int], Any] = {}
    max_days = 7 - rules.hours.min_days_off_per_week
    max_run = rules.hours.max_consecutive_days
    soft = rules.soft
    fixed_by_group: dict[int, list[tuple[Shift, int]]] = defaultdict(list)
    for (g, i), count in window.fixed.items():
        fixed_by_group[g].append((groups[g].shifts[i], count))
    for group in groups:
        free = [(group.shifts[i], x[group.index, i]) for i in columns.get(group.index, [])]
        if not free:
            continue  # nothing of this group moves: its constraints hold as they did
        fixed = fixed_by_group.get(group.index, [])
        used_bands = sorted({s.band for s, _ in free} | {s.band for s, _ in fixed})
        for band in used_bands:
            if window.free_bands:
                bands[group.index, band] = cp.new_int_var(0, group.size, f"band[{group.label},{band}]")
            else:
                bands[group.index, band] = window.bands.get((group.index, band), 0)
        if window.free_bands:
            # Everyone with a contract is in a band (so the minimum binds); others may stay home.
            in_bands = _sum(bands[group.index, band] for band in used_bands)
            cp.add(in_bands == group.size if group.min_minutes else in_bands <= group.size)
        for band in used_bands:
            people = bands[group.index, band]
            mine: list[tuple[Shift, Any]] = [(s, v) for s, v in free if s.band == band] + [
                (s, c) for s, c in fixed if s.band == band
            ]
            per_day: dict[int, list[Any]] = defaultdict(list)
            for shift, value in mine:
                per_day[shift.day].append(value)
            for values in per_day.values():
                cp.add(_sum(values) <= people)
            _at_most(cp, _sum(v for _, v in mine), max_days, people, "min_days_off", soft, group, weights, cost)
            paid = _sum(s.paid * v for s, v in mine)
            cp.add(paid <= group.cap_minutes * people)
            if max_run < DAYS:
                for first in range(DAYS - max_run):
                    span = [v for d in range(first, first + max_run + 1) for v in per_day.get(d, [])]
                    if span:
                        _at_most(cp, _sum(span), max_run, people, "max_consecutive_days", soft, group, weights, cost)
            nights = [v for s, v in mine if s.night]
            if nights:
                _at_most(cp, _sum(nights), rules.nights.max_per_week, people, "max_nights", soft, group, weights, cost)
            if group.min_minutes:
                if "min_hours_week" in soft:
                    missing = cp.new_int_var(0, group.min_minutes * group.size, f"missing_minutes[{group.label},{band}]")
                    cp.add(paid + missing >= group.min_minutes * people)
                    cost(missing, soft["min_hours_week"] * weights.paid_minute)
                else:
                    cp.add(paid >= group.min_minutes * people)
    return bands


def _at_most(
    cp: cp_model.CpModel,
    value: Any,
    per_person: int,
    people: Any,
    rule: str,
    soft: dict[str, float],
    group: Group,
    weights: ServiceWeights,
    cost: Callable[[Any, float], None],
) -> None:
    """value ≤ per_person · people; with a costed excess when the profile makes `rule` soft."""
    if rule in soft:
        excess = cp.new_int_var(0, DAYS * group.size, f"{rule}[{group.label}]")
        cp.add(value <= per_person * people + excess)
        cost(excess, soft[rule] * weights.paid_minute * 60)
    else:
        cp.add(value <= per_person * people)


def email_targets(demand: QueueDemand) -> tuple[np.ndarray, np.ndarray]:
    """Per block end: cumulative agent-minutes of email that may be done (arrived) and that must
    be done (arrived a deadline earlier, times the email service level). The week is taken as
    cyclic: the backlog at Monday 00:00 UTC is what arrives in the week's last deadline span."""
    assert demand.workload is not None and demand.queue.respond_within_hours is not None
    work = demand.workload
    deadline = min(round(demand.queue.respond_within_hours * 60 / SLOT_MINUTES), WEEK_SLOTS)
    backlog = work[WEEK_SLOTS - deadline :] if deadline else np.zeros(0)
    cumulative = np.cumsum(np.concatenate([backlog, work]))  # arrivals from −deadline onwards
    may = cumulative[deadline:]
    must = cumulative[:WEEK_SLOTS] * demand.queue.service_level
    ends = np.arange(BLOCK - 1, WEEK_SLOTS, BLOCK)
    return may[ends], must[ends]


def _email(
    cp: cp_model.CpModel,
    demand: QueueDemand,
    on_queue: dict[int, list[Any]],
    weights: ServiceWeights,
    occupancy: float,
    window: Window,
) -> tuple[dict[int, Any], list[tuple[Any, float]]]:
    """Deferred work: what email agents have done by each block covers the emails due by then.
    Outside the window, the work done per block is the current roster's, held fixed."""
    may, must = email_targets(demand)
    held = window.email_done.get(demand.name, np.zeros(BLOCKS))
    per_agent = BLOCK_MINUTES * occupancy
    total_work = int(np.ceil(may[-1])) + 1
    first, last = window.blocks.start, window.blocks.stop
    cumulative: Any = round(float(held[:first].sum()))
    done_vars: dict[int, Any] = {}
    costs: list[tuple[Any, float]] = []
    for block in range(first, BLOCKS):
        label = f"{demand.name},{_fmt(block * BLOCK_MINUTES)}"
        if block < last:
            agents = on_queue.get(block)
            if agents:
                done = cp.new_int_var(0, total_work, f"email_done[{label}]")
                cp.add(100 * done <= round(100 * per_agent) * _sum(agents))
                done_vars[block] = done
                running = cp.new_int_var(0, int(np.ceil(may[block])), f"email_cum[{label}]")
                cp.add(running == cumulative + done)
                cumulative = running
        else:
            cumulative = cumulative + round(float(held[block]))
            cp.add(cumulative <= int(np.ceil(may[block])) + 1)
        need = int(np.ceil(must[block] - 1e-9))
        if need > 0:
            late = cp.new_int_var(0, need, f"email_late[{label}]")
            cp.add(cumulative + late >= need)
            costs.append((late, weights.email_late_minute * BLOCK))
    return done_vars, costs


def _solver(settings: SolveSettings, effort: float, wall: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.5, wall)
    params.num_workers = settings.workers
    params.random_seed = settings.seed
    if settings.deterministic:
        # The work limit decides; the clock is only a safety net, loose enough that a busy
        # machine (measured: up to three times slower per work unit) still stops on work.
        params.max_deterministic_time = effort
        params.max_time_in_seconds = max(30.0, 4 * wall)
        params.interleave_search = settings.workers > 1
    params.catch_sigint_signal = True
    # Presolve is not stopped by the work limit, and probing the allocation models cost seconds
    # per solve (measured); the models are already tight, so one light pass is enough.
    params.cp_model_probing_level = 0
    params.max_presolve_iterations = 1
    return solver


def interrupted(solver: cp_model.CpSolver, status: Any) -> bool:
    """CP-SAT swallows Ctrl-C (catch_sigint_signal) and returns its best solution: a solve that
    stopped short of optimality without reaching its work or time limit was interrupted."""
    if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
        return False
    params, response = solver.parameters, solver.response_proto
    return bool(
        response.deterministic_time < 0.95 * params.max_deterministic_time
        and response.wall_time < 0.95 * params.max_time_in_seconds
    )


def _solve_from(
    model: _Model, hint: dict[Column, int], settings: SolveSettings, effort: float, wall: float, progress: Progress | None = None
) -> tuple[cp_model.CpSolver, Any] | None:
    """Complete the hint (one solve with the counts fixed), then improve from it."""
    cp = model.cp
    cp.minimize(model.objective)
    for key, var in model.x.items():
        cp.add_hint(var, hint.get(key, 0))
    started = time.perf_counter()
    if not model.x:  # nothing to hint (every count is fixed): one solve is the whole job
        solver = _solver(settings, effort, wall)
        status = solver.solve(cp, _Progress(progress) if progress else None)
        return (solver, status) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
    completer = _solver(settings, effort, wall / 2)
    completer.parameters.fix_variables_to_their_hinted_value = True
    if completer.solve(cp) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        cp.clear_hints()
        for index in range(len(cp.proto.variables)):
            var = cp.get_int_var_from_proto_index(index)
            cp.add_hint(var, completer.value(var))
    solver = _solver(settings, effort, wall - (time.perf_counter() - started))
    status = solver.solve(cp, _Progress(progress) if progress else None)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return solver, status


def _window_columns(
    groups: Sequence[Group],
    counts: dict[Column, int],
    bands: dict[tuple[int, int], int],
    rules: RulesProfile,
    start: int,
    end: int,
    reach: int,
) -> dict[int, list[int]]:
    """Free columns of a window: shifts starting in [start, end) at a group's usual start times
    (time of day of any shift it works) ±`reach` grid steps, every length, in bands it has people in."""
    step = rules.shifts.start_step_minutes
    usual: dict[int, set[int]] = defaultdict(set)
    for (g, i), count in counts.items():
        if count > 0:
            usual[g].add(groups[g].shifts[i].start % 1440)
    free: dict[int, list[int]] = {}
    for g, times in usual.items():
        wanted = {(t + d * step) % 1440 for t in times for d in range(-reach, reach + 1)}
        chosen = [
            i
            for i, s in enumerate(groups[g].shifts)
            if start <= s.start < end and s.start % 1440 in wanted and bands.get((g, s.band), 0) > 0
        ]
        if chosen:
            free[g] = chosen
    return free


def _extract(model: _Model, solver: cp_model.CpSolver) -> tuple[dict[Column, int], dict[str, dict[int, int]]]:
    counts = {key: int(solver.value(var)) for key, var in model.x.items()}
    done = {q: {b: int(solver.value(v)) for b, v in vars_.items()} for q, vars_ in model.email_done.items()}
    return counts, done


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
    """Improve a complete starting roster (`hint`, with its band sizes) window by window.

    The reported bound is CP-SAT's for the last whole-week allocation solve, with the shifts
    fixed: it measures how well queues were allocated, not how far the shifts are from the best
    possible; `start_objective` (the greedy roster's) shows what the search gained.
    """
    started = time.perf_counter()
    counts = {k: v for k, v in hint.items() if v > 0}
    bands = dict(hint_bands)
    email_done: dict[str, np.ndarray] = {d.name: np.zeros(BLOCKS) for d in demands if d.deferred}

    def whole_week(effort: float, wall: float) -> tuple[_Model, cp_model.CpSolver, str] | None:
        window = Window(blocks=range(BLOCKS), fixed=counts, bands=bands)
        model = _build(groups, {}, demands, rules, weights, window)
        result = _solve_from(model, {}, settings, effort, wall)
        return (model, result[0], result[0].status_name(result[1])) if result else None

    # Budget: 10% for the first whole-week allocation, 35% for windows, the rest for the last one
    # (measured: the allocation is where most of the gain over the starting roster comes from).
    first = whole_week(
        max(0.5, WORK_PER_SECOND * 0.1 * settings.time_limit), max(MIN_ALLOCATION_SECONDS, 0.10 * settings.time_limit)
    )
    if first is None:
        # No allocation in time (a huge week on a tiny limit): keep the starting roster as it is;
        # stage 3 allocates queues slot by slot.
        return WeekSolution(counts, bands, {}, skill_sets_of(groups), "START_ROSTER", 0.0, 0.0, time.perf_counter() - started)
    start_objective = first[1].objective_value
    for name, per_block in _extract(first[0], first[1])[1].items():
        for b, v in per_block.items():
            email_done[name][b] = v
    if progress:
        progress(start_objective, first[1].best_objective_bound, time.perf_counter() - started)

    longest = max((s.length for g in groups for s in g.shifts), default=600)
    windows_end = started + 0.45 * settings.time_limit
    # How many windows: a count, not a clock, so that a seed gives the same roster on a busy
    # machine (each solve stops on deterministic work); the clock only guards the limit.
    window_work = WORK_PER_SECOND * 0.35 * settings.time_limit  # hint completion + search, all windows
    budget = max(1, int(window_work / (2 * settings.window_effort)))
    per_window = min(settings.window_effort, window_work / (2 * budget))
    solved = improved = 0
    sweep = 0
    stop = interrupted(first[1], cp_model.FEASIBLE) if settings.deterministic else False

    # With a seed to honour, the window count decides (each solve stops on work); otherwise the clock.
    def out_of_time() -> bool:
        return not settings.deterministic and time.perf_counter() > started + settings.time_limit * 0.45

    while not stop and solved < budget and sweep < 4 and not out_of_time():
        changed = False
        for part in range(14):
            wall = max(1.0, windows_end - time.perf_counter())
            if solved >= budget or out_of_time():
                break
            offset = (sweep % 2) * 360  # alternate sweeps shift the windows by six hours
            start = (part * 720 + offset) % WEEK_MINUTES
            end = min(start + 720, WEEK_MINUTES)
            free = _window_columns(groups, counts, bands, rules, start, end, settings.neighbours)
            if not free:
                continue
            free_keys = {(g, i) for g, ids in free.items() for i in ids}
            fixed = {k: v for k, v in counts.items() if k not in free_keys}
            blocks = range(start // BLOCK_MINUTES, min(BLOCKS, (end + longest) // BLOCK_MINUTES + 1))
            window = Window(blocks=blocks, fixed=fixed, bands=bands, email_done=email_done)
            model = _build(groups, free, demands, rules, weights, window)
            result = _solve_from(model, counts, settings, per_window, min(wall, 0.1 * settings.time_limit))
            solved += 1
            if result is None:
                continue
            new_counts, done = _extract(model, result[0])
            if any(new_counts.get(k, 0) != counts.get(k, 0) for k in free_keys):
                improved += 1
                changed = True
            for key in free_keys:
                if new_counts.get(key, 0):
                    counts[key] = new_counts[key]
                else:
                    counts.pop(key, None)
            for name, per_block in done.items():
                for b, v in per_block.items():
                    email_done[name][b] = v
            if settings.deterministic and interrupted(*result):
                stop = True  # Ctrl-C: keep what the windows found so far, allocate and finish
                break
        sweep += 1
        if not changed:
            break

    effort = max(0.5, WORK_PER_SECOND * (0.1 if stop else 0.5) * settings.time_limit)
    final = whole_week(effort, max(MIN_ALLOCATION_SECONDS, started + settings.time_limit - time.perf_counter()))
    if final is None:
        return WeekSolution(
            counts,
            bands,
            {},
            skill_sets_of(groups),
            "START_ROSTER",
            start_objective,
            0.0,
            time.perf_counter() - started,
            start_objective,
            solved,
            improved,
        )
    model, solver, status = final
    objective = solver.objective_value
    if progress:
        progress(objective, solver.best_objective_bound, time.perf_counter() - started)
    queue_agents: dict[tuple[str, int], np.ndarray] = {}
    for (s, q, block), var in model.w.items():
        slots = queue_agents.setdefault((q, s), np.zeros(WEEK_SLOTS, dtype=int))
        slots[block * BLOCK : (block + 1) * BLOCK] = solver.value(var)
    return WeekSolution(
        counts={k: v for k, v in counts.items() if v > 0},
        bands=bands,
        queue_agents=queue_agents,
        skill_sets=model.skill_sets,
        status=status,
        objective=objective,
        bound=solver.best_objective_bound,
        seconds=time.perf_counter() - started,
        start_objective=start_objective,
        windows_solved=solved,
        windows_improved=improved,
        candidate_columns=sum(len(g.shifts) for g in groups),
    )
