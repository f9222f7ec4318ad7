"""The roster: from requirements and agents to shifts, breaks, lunch and queue assignments.

Three stages, each in its own module (see RESEARCH.md for why the naive model does not scale):

1. `week`: CP-SAT over *counts* of alike agents per candidate shift, with the service-aware
   objective (`demand`) and queue allocation per skill set and 15-minute slot;
2. `assign`: small CP-SAT models that give named people those shifts under every per-person
   rule, fairly;
3. `realize`: breaks and lunch where the queues can spare people, and queue choice per slot.

`candidates` builds groups and legal shifts; `rules` writes each rule of the week once for
every stage; `explain` says which rules clash when they cannot all hold; `greedy` is the simple
roster wfm must beat and the warm start of stage 1; `coverage` scores any roster against the
requirements.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wfm.errors import InfeasibleError
from wfm.requirements import FORECAST_COLUMNS, compute_requirements
from wfm.roster import stop
from wfm.roster.assign import Assignment, assign_agents
from wfm.roster.candidates import SLOT_MINUTES, WEEK_SLOTS, Group, make_groups
from wfm.roster.coverage import coverage_frame, coverage_summary
from wfm.roster.demand import DAY_LEVEL_CV, QueueDemand, ServiceWeights, build_demand
from wfm.roster.explain import check_contracts as _check_contracts
from wfm.roster.explain import short_contracts
from wfm.roster.greedy import bands_of, counts_of, greedy_roster, prune_roster, top_up_roster
from wfm.roster.realize import realize, roster_frame
from wfm.roster.week import Progress, Rounded, SolveSettings, solve_week
from wfm.roster.wishes import WishedGroup, denied_hours, week_wishes, with_wishes
from wfm.timegrid import week_start
from wfm.workspace import Workspace

__all__ = [
    "Assignment",
    "Candidate",
    "RosterResult",
    "SolveSettings",
    "build_roster",
    "choose",
    "greedy_baseline",
    "on_queue_slots",
    "repair_roster",
    "roster_service",
]


@dataclass
class RosterResult:
    roster: pd.DataFrame  # FORMATS.md roster.csv columns; start/end tz-aware UTC
    coverage: pd.DataFrame  # FORMATS.md coverage.csv columns (+ channel, target, contacts)
    solver: dict[str, Any] = field(default_factory=dict)


# Rosters whose service is within this of the best one's are told apart by paid hours.
SERVICE_TIE = 0.005
# Service is bought with hours at this price: a roster paying 10% more hours than another
# must put a point more of its intervals on target (measured on unseen worlds: topping up
# bought 0.2-0.8 points for 3-10% more hours).
HOURS_PRICE = 0.1
# The placed roster is topped up with whole shifts in rounds: first where at least the first of
# these shares of a shift's quarter hours meet a queue below its requirement, then the next, each
# round kept only while it is worth more than the roster it grew from (`worth`).
TOP_UP_SHARES = (0.75, 0.5, 0.35)
TOP_UP_CLOCK = "topping up stopped by the clock: a round would have ended past the time limit"
# A re-plan of a published roster (`repair_roster`) adds a shift where at least this share of its
# quarter hours fill what the kept shifts leave short: a hole of a removed shift is filled by a
# shift at about its time, not by one that only grazes it.
REPAIR_SHARE = 0.5


@dataclass(eq=False)
class Candidate:
    """A complete, placed roster (breaks, lunch and queues) and its score as summary.json has it."""

    name: str
    roster: pd.DataFrame
    coverage: pd.DataFrame
    service: float  # mean over queues with contacts of the share of their intervals on target
    level: float  # contact-weighted service level over every queue
    paid_hours: float
    contract_short_minutes: int  # paid minutes below hard contracted minimums, over all agents
    assignments: list[Assignment] = field(default_factory=list)
    plan: dict[tuple[str, int], Any] = field(default_factory=dict)  # the queue plan it was placed with
    skill_sets: list[tuple[str, ...]] = field(default_factory=list)
    queues: dict[str, dict[str, Any]] = field(default_factory=dict)  # coverage_summary
    wishes: tuple[int, float] | None = None  # wishes denied and their weight (paid hours); None: no wishes

    @property
    def costed_hours(self) -> float:
        """Paid hours, and each denied wish's weight in paid hours (`roster.wishes`)."""
        return self.paid_hours + (self.wishes[1] if self.wishes else 0.0)

    @property
    def voice(self) -> float:
        """Phone/chat intervals on target, averaged over the phone/chat queues with contacts."""
        shares = [v["intervals_meeting_target"] for v in self.queues.values() if v["channel"] != "email" and v["contacts"] > 0]
        return sum(shares) / len(shares) if shares else 1.0

    @property
    def worst_email(self) -> tuple[float, float] | None:
        """The worst email queue's share answered in time, and the lowest email target; None
        without email contacts."""
        email = [q for q in self.queues.values() if q["channel"] == "email" and q["contacts"] > 0]
        if not email:
            return None
        return min(q["service_level"] for q in email), min(q["target"] for q in email)

    def not_behind(self, other: Candidate) -> bool:
        """No worse than `other` on phone/chat intervals on target, and its worst email queue
        answered in time at least as often as `other`'s worst or the email target (within
        `SERVICE_TIE`). Email is judged by its worst queue, not queue by queue: a roster that
        serves every queue better but one email queue less well than the greedy roster, which
        overstaffs email, is not behind it (measured on drawn worlds: queue by queue, the greedy
        roster at 0.50 of intervals on target was kept over a roster at 0.69)."""
        if self.voice < other.voice - SERVICE_TIE:
            return False
        ours, theirs = self.worst_email, other.worst_email
        if ours is None or theirs is None:
            return True
        return ours[0] >= min(theirs[0], ours[1]) - SERVICE_TIE

    def figures(self) -> dict[str, float]:
        figures = {"service": round(self.service, 4), "level": round(self.level, 4), "paid_hours": round(self.paid_hours, 2)}
        return figures if self.wishes is None else {**figures, "denied_wishes": self.wishes[0]}


def build_roster(
    ws: Workspace,
    requirements: pd.DataFrame,
    week: dt.date,
    settings: SolveSettings | None = None,
    *,
    weights: ServiceWeights | None = None,
    progress: Progress | None = None,
    forecast_error: Mapping[str, float] | None = None,
) -> RosterResult:
    """The best roster for the plan week (`_build_roster`); Ctrl-C stops the solve at whatever
    stage it is in, within moments, and the best roster found so far is returned.
    `forecast_error`: per queue, the forecast's relative error beyond Poisson noise (the
    forecast frame's attrs["day_level_cv"]), which the service cost plans for."""
    with stop.watching():
        return _build_roster(
            ws, requirements, week, settings, weights=weights, progress=progress, forecast_error=forecast_error or {}
        )


def _build_roster(
    ws: Workspace,
    requirements: pd.DataFrame,
    week: dt.date,
    settings: SolveSettings | None = None,
    *,
    weights: ServiceWeights | None = None,
    progress: Progress | None = None,
    forecast_error: Mapping[str, float],
) -> RosterResult:
    """The best roster for the plan week (deterministic for a given seed).

    Every stage starts from a legal roster and hands on the best it has: the greedy roster and
    its pruned form are complete rosters before the week model runs; the week model's roster,
    once named agents, breaks and queues are placed, joins them; the one returned is the best
    of them by the placed roster's own score (`choose`), not the model's approximation. A stage
    that gives up, fails or is interrupted (Ctrl-C) says so in `solver["notes"]`."""
    settings = settings or SolveSettings()
    weights = weights or ServiceWeights()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    groups = with_wishes(make_groups(ws.agents, ws.rules, week), week_wishes(ws, week))
    _check_contracts(groups, ws)
    given, demands = _demands(ws, requirements, week, settings, weights, forecast_error)
    all_sets = sorted({tuple(sorted(g.skills)) for g in groups})

    def placed(name: str, assignments: list[Assignment], plan: dict[tuple[str, int], Any], sets: Any) -> Candidate:
        return _candidate(name, assignments, demands, plan, sets, groups, ws, requirements, week)

    timings["prepare"] = time.perf_counter() - started
    mark = time.perf_counter()
    greedy = greedy_roster(groups, given, ws.rules, week)
    staffed = greedy if demands is given else greedy_roster(groups, demands, ws.rules, week)
    start = prune_roster(staffed, groups, demands, ws.rules)
    candidates = [placed("greedy", greedy, {}, all_sets), placed("greedy, pruned", start, {}, all_sets)]
    timings["warm_start"] = time.perf_counter() - mark
    notes: list[str] = []
    interrupted = False
    solver: dict[str, Any] = {}
    try:
        solver, optimised = _optimise(groups, demands, ws, week, settings, weights, start, progress, timings, started)
        notes += solver.pop("notes")
        mark = time.perf_counter()
        for name, (assignments, plan, sets) in optimised:
            candidates.append(placed(name, assignments, plan, sets))
        timings["realize"] = time.perf_counter() - mark
    except KeyboardInterrupt:  # Ctrl-C outside a solve: keep the best roster so far
        interrupted = True
        notes.append("interrupted (Ctrl-C): the best roster found so far is kept")
    except Exception as exc:  # a bug in a later stage must not cost the planner the roster
        notes.append(f"week model failed ({type(exc).__name__}: {exc}); the best earlier roster is kept")
        solver.setdefault("failed", f"{type(exc).__name__}: {exc}")
    interrupted = interrupted or stop.requested()
    if interrupted and not any("interrupted" in note for note in notes):
        notes.append("interrupted (Ctrl-C): the best roster found so far is kept")
    if not interrupted:
        mark = time.perf_counter()
        candidates += _topped_up(candidates, groups, demands, ws, week, placed, notes, deadline=started + settings.time_limit)
        timings["top_up"] = time.perf_counter() - mark
        interrupted = stop.requested()
    best = choose(candidates)
    if best.contract_short_minutes:
        raise InfeasibleError("the hard rules cannot all hold", _short_contracts(best, groups, ws))
    solver.update(
        {
            "status": "FEASIBLE",
            "chosen": best.name,
            "candidates": {c.name: c.figures() for c in candidates},
            "notes": notes,
            "interrupted": interrupted,
            "seconds": round(time.perf_counter() - started, 2),
            "stages": {k: round(v, 2) for k, v in timings.items()},
            "groups": len(groups),
        }
    )
    if interrupted or TOP_UP_CLOCK in notes:
        solver["repeatable"] = False
    return RosterResult(roster=best.roster, coverage=best.coverage, solver=solver)


def _demands(
    ws: Workspace,
    requirements: pd.DataFrame,
    week: dt.date,
    settings: SolveSettings,
    weights: ServiceWeights,
    forecast_error: Mapping[str, float],
) -> tuple[list[QueueDemand], list[QueueDemand]]:
    """The demand rosters are scored on, and the one the solve staffs for. The roster is judged
    on what arrives, not on the forecast: the solve staffs for a margin of volume above it
    (`SolveSettings.forecast_margin`); rosters are scored as given."""
    error = {q.name: forecast_error.get(q.name, DAY_LEVEL_CV) for q in ws.queues}
    given = build_demand(requirements, ws.queues, ws.rules, week, ws.plan.interval_minutes, weights, day_level_cv=error)
    if settings.forecast_margin == 1.0:
        return given, given
    staffed = with_margin(requirements, ws, settings.forecast_margin)
    return given, build_demand(staffed, ws.queues, ws.rules, week, ws.plan.interval_minutes, weights, day_level_cv=error)


def _topped_up(
    candidates: list[Candidate],
    groups: list[Group],
    demands: list[QueueDemand],
    ws: Workspace,
    week: dt.date,
    placed: Callable[[str, list[Assignment], dict[tuple[str, int], Any], Any], Candidate],
    notes: list[str],
    *,
    deadline: float,
) -> list[Candidate]:
    """The rosters topped up with whole shifts where queues are still short, pruned: from the
    best roster and from the best of the solve's own (which `choose` may have set aside for being
    behind the greedy roster on email, which topping up mends), in rounds of `TOP_UP_SHARES`,
    each round kept only if it is worth more (`worth`) than the one it grew from: strictly, so
    that rounds do not creep up the hours on ties of service. A round not kept is dropped and the
    next share tried on the same roster (on drawn world 14 with blocks the 0.5 round lost and the
    0.35 round won: 0.803 -> 0.833 of intervals on target). The first round always runs;
    a later one only if it would end by the time limit, taking as long as the last (else the
    solve is not repeatable), and none after Ctrl-C."""
    reference = candidates[0]
    starts = [choose(candidates), choose(candidates, behind_ok=True)]
    made: list[Candidate] = []
    last = 0.0  # seconds the last round took: a round not done by the deadline is not begun
    for start in dict.fromkeys(starts):
        current = start
        for share in TOP_UP_SHARES:
            if stop.requested():
                notes.append("interrupted (Ctrl-C) while topping up: the best roster found so far is kept")
                return made
            began = time.perf_counter()
            if made and began + last > deadline:
                notes.append(TOP_UP_CLOCK)
                return made
            covered = on_queue_slots(current.roster, week)
            added = greedy_roster(groups, demands, ws.rules, week, existing=current.assignments, covered=covered, min_share=share)
            if not added:
                continue
            topped = prune_roster(current.assignments + added, groups, demands, ws.rules)
            grown = placed(f"{start.name}, topped up at {share:g}", topped, current.plan, current.skill_sets)
            last = time.perf_counter() - began
            if worth(grown, reference) <= worth(current, reference):  # not worth its hours: try more
                continue
            made.append(grown)
            current = grown
    return made


def _optimise(
    groups: list[Group],
    demands: list[Any],
    ws: Workspace,
    week: dt.date,
    settings: SolveSettings,
    weights: ServiceWeights,
    start: list[Assignment],
    progress: Progress | None,
    timings: dict[str, float],
    started: float,
) -> tuple[dict[str, Any], list[tuple[str, tuple[list[Assignment], dict[tuple[str, int], Any], list[tuple[str, ...]]]]]]:
    """The week model from the pruned greedy roster, then named agents: the solver figures and,
    by name, each whole roster it made (the dived relaxation's nearest, CP-SAT's rounding) as
    assignments with their queue plan; none where the model only handed the start on."""
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
    solver: dict[str, Any] = {
        # The week is an LP relaxation over the candidate shifts near a greedy start and those
        # column generation priced in, rounded by CP-SAT: a feasible roster, never a proven
        # optimum. `bound` is the relaxation's value, a lower bound on every roster made of
        # those shifts, or of any legal shifts when pricing found none left ("bound_scope").
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
        "candidate_shifts": solution.candidate_columns,
        "rounded_shifts": solution.rounded_columns,
        "repeatable": solution.repeatable,
        "notes": list(solution.notes),
    }
    if settings.deterministic:  # the parallel solve does not repeat whatever the seed
        solver["seed"] = settings.seed
    rosters: list[tuple[str, Rounded]] = []
    if solution.nearest is not None:
        rosters.append(("relaxation, dived and nearest whole roster", solution.nearest))
    if solution.status in ("OPTIMAL", "FEASIBLE"):
        rosters.append(("relax and round", Rounded(solution.counts, solution.bands, solution.queue_agents)))
    mark = time.perf_counter()
    made = []
    for name, rounded in rosters:
        assigned = assign_agents(groups, rounded.counts, rounded.bands, ws.rules, week, seed=settings.seed)
        made.append((name, (assigned.assignments, rounded.queue_agents, solution.skill_sets)))
        solver.setdefault("assignment", {})[name] = {
            "shifts_dropped": assigned.dropped,
            "shifts_added": assigned.added,
            "soft_violations": assigned.soft_violations,
        }
    timings["assign"] = time.perf_counter() - mark
    return solver, made


def _candidate(
    name: str,
    assignments: list[Assignment],
    demands: list[Any],
    plan: dict[tuple[str, int], Any],
    skill_sets: Any,
    groups: list[Group],
    ws: Workspace,
    requirements: pd.DataFrame,
    week: dt.date,
) -> Candidate:
    placed = realize(assignments, demands, plan, skill_sets, ws.rules)
    roster = roster_frame(placed, week)
    coverage = coverage_frame(
        roster, requirements, ws.queues, week, ws.plan.interval_minutes, occupancy=ws.rules.service.max_occupancy
    )
    paid: dict[str, int] = {}
    for a in assignments:
        paid[a.agent.agent_id] = paid.get(a.agent.agent_id, 0) + a.shift.paid
    short = 0
    if "min_hours_week" not in ws.rules.soft:
        short = sum(max(0, g.min_minutes - paid.get(agent.agent_id, 0)) for g in groups for agent in g.agents)
    summary = coverage_summary(coverage)
    shifts_of: dict[str, list[Any]] = {}
    for a in assignments:
        shifts_of.setdefault(a.agent.agent_id, []).append(a.shift)
    wishes = denied_hours(groups, shifts_of)
    contacts = sum(v["contacts"] for v in summary.values())
    level = sum(v["service_level"] * v["contacts"] for v in summary.values()) / contacts if contacts else 1.0
    return Candidate(
        name,
        roster,
        coverage,
        roster_service(coverage),
        level,
        sum(paid.values()) / 60,
        short,
        list(assignments),
        plan,
        list(skill_sets),
        summary,
        wishes if any(isinstance(g, WishedGroup) for g in groups) else None,
    )


def on_queue_slots(roster: pd.DataFrame, week: dt.date) -> dict[str, np.ndarray]:
    """Agents on each queue per 15-minute slot of the week, from roster rows."""
    origin = pd.Timestamp(week_start(week))
    slot = pd.Timedelta(minutes=SLOT_MINUTES)
    counts: dict[str, np.ndarray] = {}
    work = roster[~roster["activity"].isin(("break", "lunch"))]
    if work.empty:
        return counts
    first = ((work["start"] - origin) // slot).to_numpy(dtype=int)
    last = ((work["end"] - origin) // slot).to_numpy(dtype=int)
    for queue, a, b in zip(work["activity"].to_numpy(), first, last, strict=True):
        values = counts.setdefault(str(queue), np.zeros(WEEK_SLOTS))
        values[max(a, 0) : min(b, WEEK_SLOTS)] += 1
    return counts


def repair_roster(
    ws: Workspace,
    requirements: pd.DataFrame,
    week: dt.date,
    kept: list[Assignment],
    kept_rows: pd.DataFrame,
    *,
    allowance: Mapping[str, np.ndarray],
    placed: Sequence[Assignment] = (),
    not_before: int = 0,
    settings: SolveSettings | None = None,
    forecast_error: Mapping[str, float] | None = None,
) -> RosterResult:
    """A roster already given to people, kept and repaired instead of planned afresh.

    `kept` are its shifts still legal under the inputs (candidate shifts of `make_groups`, legal
    together: `rules.allows`) to be placed anew, and `kept_rows` their rows as published;
    `placed` are its shifts whose rows stay as they are (begun before now, or whose breaks and
    queues still fit), which the rules see but which are neither realised nor returned;
    `requirements` is what the roster is asked for once `placed` are on their queues. The
    roster is topped up by the greedy (`top_up_roster`, from `not_before` minutes of the week
    on) where the queues fall short of `allowance` (what the published roster gave them beyond
    `placed`, or more where the requirement rose), `kept_rows` counting as covered, each added
    shift filling `REPAIR_SHARE` of its quarter hours; then contracted minimums. Breaks, lunch
    and queues of `kept` and the added shifts are placed as for any roster (`realize`), with the
    published queues of each skill set plus each added shift's queue as the plan. An agent left
    below a hard contracted minimum is an InfeasibleError naming them."""
    started = time.perf_counter()
    settings = settings or SolveSettings()
    groups = make_groups(ws.agents, ws.rules, week)
    if not_before > 0:
        groups = [dataclasses.replace(g, shifts=tuple(s for s in g.shifts if s.start >= not_before)) for g in groups]
    _, demands = _demands(ws, requirements, week, settings, ServiceWeights(), forecast_error or {})
    ceilings = [
        dataclasses.replace(d, required=np.minimum(d.required, allowance.get(d.name, np.zeros(WEEK_SLOTS))[:WEEK_SLOTS]))
        for d in demands
    ]
    covered = on_queue_slots(kept_rows, week)
    added = top_up_roster(groups, ceilings, ws.rules, existing=[*placed, *kept], covered=covered, min_share=REPAIR_SHARE)
    if "min_hours_week" not in ws.rules.soft:
        _check_repaired_contracts(groups, [*placed, *kept, *added])
    all_sets = sorted({tuple(sorted(g.skills)) for g in groups})
    plan = _queue_plan(kept_rows, added, ws, all_sets, week)
    assignments = sorted(
        [*kept, *(dataclasses.replace(a, queue=None) for a in added)], key=lambda a: (a.agent.agent_id, a.shift.start)
    )
    roster = roster_frame(realize(assignments, demands, plan, all_sets, ws.rules), week)
    coverage = coverage_frame(
        roster, requirements, ws.queues, week, ws.plan.interval_minutes, occupancy=ws.rules.service.max_occupancy
    )
    solver = {
        "status": "FEASIBLE",
        "chosen": "published roster, kept and repaired",
        "shifts_kept": len(kept) + len(placed),
        "shifts_added": len(added),
        "notes": [],
        "seconds": round(time.perf_counter() - started, 2),
        "groups": len(groups),
    }
    return RosterResult(roster=roster, coverage=coverage, solver=solver)


def _queue_plan(
    rows: pd.DataFrame, added: Sequence[Assignment], ws: Workspace, skill_sets: Sequence[tuple[str, ...]], week: dt.date
) -> dict[tuple[str, int], np.ndarray]:
    """The queues a repaired roster is placed by, per (queue, skill set) and slot: the published
    rows' on-queue agents (by the agent's skills now; a queue they no longer have is left out),
    and each added shift on the queue it was added for."""
    index = {s: i for i, s in enumerate(skill_sets)}
    agents = {agent.agent_id: agent for agent in ws.agents}
    plan: dict[tuple[str, int], np.ndarray] = {}

    def add(queue: str, skills: Sequence[str], first: int, last: int) -> None:
        key = (queue, index[tuple(sorted(skills))])
        plan.setdefault(key, np.zeros(WEEK_SLOTS))[max(first, 0) : min(last, WEEK_SLOTS)] += 1

    origin = pd.Timestamp(week_start(week))
    slot = pd.Timedelta(minutes=SLOT_MINUTES)
    for agent_id, queue, start, end in zip(rows["agent_id"], rows["activity"], rows["start"], rows["end"], strict=True):
        agent = agents.get(str(agent_id))
        if agent is not None and queue in agent.skills:
            add(str(queue), agent.skills, (start - origin) // slot, (end - origin) // slot)
    for a in added:
        if a.queue is not None:
            add(a.queue, a.agent.skills, a.shift.start // SLOT_MINUTES, a.shift.end // SLOT_MINUTES)
    return plan


def _check_repaired_contracts(groups: Sequence[Group], assignments: Sequence[Assignment]) -> None:
    paid: dict[str, int] = {}
    for a in assignments:
        paid[a.agent.agent_id] = paid.get(a.agent.agent_id, 0) + a.shift.paid
    reasons = [
        f"min_hours_week: {agent.agent_id} reaches {paid.get(agent.agent_id, 0) / 60:g} of {group.min_minutes / 60:g}"
        " contracted hours beside the published shifts kept"
        for group in groups
        for agent in group.agents
        if paid.get(agent.agent_id, 0) < group.min_minutes
    ]
    if reasons:
        raise InfeasibleError("the hard rules cannot all hold", reasons)


def with_margin(requirements: pd.DataFrame, ws: Workspace, margin: float) -> pd.DataFrame:
    """`requirements` re-sized for `margin` times its contacts (the same shrinkage applied)."""
    scaled = requirements[list(FORECAST_COLUMNS)].copy()
    scaled["contacts"] = scaled["contacts"] * margin
    out = compute_requirements(scaled, ws.queues, ws.plan.interval_minutes, ws.rules, ws.plan.shrinkage)
    if ws.plan.shrinkage > 0:
        out["agents"] = out["agents_with_shrinkage"]
    return out


def choose(candidates: list[Candidate], *, behind_ok: bool = False) -> Candidate:
    """The best roster: legal first (no contracted minimum missed), and not behind the first
    candidate (the greedy roster) where that one is legal (`Candidate.not_behind`; with
    `behind_ok`, the best of the others whether behind it or not); then the
    most intervals on target less `HOURS_PRICE` per greedy roster's worth of paid hours, and
    among those within `SERVICE_TIE` of the best the highest contact-weighted service level;
    among those within `SERVICE_TIE` of that, the fewest paid hours, a denied wish counting
    its weight in paid hours (`Candidate.costed_hours`; then the earliest listed)."""
    legal = [c for c in candidates if not c.contract_short_minutes] or [min(candidates, key=lambda c: c.contract_short_minutes)]
    reference = candidates[0]
    if behind_ok:
        legal = [c for c in legal if c is not reference] or legal
    elif any(c is reference for c in legal):
        legal = [c for c in legal if c is reference or c.not_behind(reference)]
    top = max(worth(c, reference) for c in legal)
    near = [c for c in legal if worth(c, reference) >= top - SERVICE_TIE]
    best_level = max(c.level for c in near)
    return min((c for c in near if c.level >= best_level - SERVICE_TIE), key=lambda c: c.costed_hours)


def worth(candidate: Candidate, reference: Candidate) -> float:
    """Intervals on target (mean over queues), less `HOURS_PRICE` per `reference`'s worth of
    paid hours (denied wishes' weights counted as paid hours): what a roster's service is worth
    net of the hours it costs."""
    return candidate.service - HOURS_PRICE * candidate.costed_hours / (reference.paid_hours or 1.0)


def roster_service(coverage: pd.DataFrame) -> float:
    """Service as one figure: the mean, over queues with contacts, of the share of their
    intervals on target (email: intervals whose emails are answered within the deadline)."""
    shares = [v["intervals_meeting_target"] for v in coverage_summary(coverage).values() if v["contacts"] > 0]
    return float(sum(shares) / len(shares)) if shares else 1.0


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


def _short_contracts(best: Candidate, groups: list[Group], ws: Workspace) -> list[str]:
    """Agents that no roster found could bring to their contracted minimum, and why (`explain`)."""
    return short_contracts(best.roster, groups, ws)
