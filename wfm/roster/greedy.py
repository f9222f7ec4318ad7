"""A simple greedy roster: the yardstick wfm's optimiser must beat, and a warm start for it.

Walk the week in start-grid steps; while some queue is below its requirement at that moment,
start a shift for the least-loaded skilled agent who may legally work it, choosing the length
that covers the most of the deficit ahead (`roster.rules.allows`: every rule of the week, in its
predicate form). Each shift serves one queue throughout (recorded in
`Assignment.queue`). This is what
a careful planner with a spreadsheet does; it respects every per-person rule but not the
service trade-offs across queues, and it cannot look back.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from wfm.roster.assign import Assignment
from wfm.roster.candidates import SLOT_MINUTES, WEEK_SLOTS, Group, Shift
from wfm.roster.demand import QueueDemand
from wfm.roster.patterns import SCALE, expected_on_queue
from wfm.roster.rules import allows
from wfm.rules import RulesProfile

# Share of a shift's slots spent on queue once breaks and lunch are taken.
ON_QUEUE_SHARE = 0.9


def greedy_roster(
    groups: Sequence[Group],
    demands: Sequence[QueueDemand],
    rules: RulesProfile,
    week: dt.date,
    *,
    existing: Sequence[Assignment] = (),
    covered: dict[str, np.ndarray] | None = None,
    min_share: float = 0.0,
) -> list[Assignment]:
    """The greedy roster; or, given a roster `existing` whose on-queue agents per queue and slot
    are `covered`, that roster topped up: shifts added where queues are still short, each
    legal beside the agent's shifts, and only where at least `min_share` of its slots meet a
    shortfall (a shift that buys an hour of service pays for itself; one that covers a lone
    quarter hour does not). Contracted minimums are the existing roster's business then."""
    need = {d.name: d.required.astype(float).copy() for d in demands}
    if covered is not None:
        for name, values in covered.items():
            if name in need:
                need[name] -= values[: len(need[name])]
    step = rules.shifts.start_step_minutes
    max_days = 7 - rules.hours.min_days_off_per_week
    by_start: dict[int, list[tuple[Group, Shift]]] = defaultdict(list)
    for group in groups:
        for shift in group.shifts:
            by_start[shift.start].append((group, shift))
    worked: dict[str, list[Shift]] = defaultdict(list)
    paid: dict[str, int] = defaultdict(int)
    band: dict[str, int] = {}  # a person keeps one start band all week, as the week model assumes
    chosen: list[Assignment] = []
    for a in existing:
        worked[a.agent.agent_id].append(a.shift)
        paid[a.agent.agent_id] += a.shift.paid
        band.setdefault(a.agent.agent_id, a.shift.band)

    def legal(group: Group, agent_id: str, shift: Shift) -> bool:
        if band.get(agent_id, shift.band) != shift.band:
            return False
        return allows(worked[agent_id], shift, paid[agent_id], group, rules)

    lengths_paid = sorted({round(rules.paid_hours(h) * 60) for h in rules.shifts.lengths_hours})
    served: dict[int, str] = {}  # id(assignment) → the queue the greedy gave it

    def take(assignment: Assignment, queue: str | None) -> None:
        agent_id = assignment.agent.agent_id
        worked[agent_id].append(assignment.shift)
        paid[agent_id] += assignment.shift.paid
        band[agent_id] = assignment.shift.band
        chosen.append(assignment)
        queue = queue or max(
            (q for q in assignment.agent.skills if q in need), key=lambda q: (deficit_on(q, assignment.shift), q)
        )
        served[id(assignment)] = queue
        first, last = assignment.shift.start // SLOT_MINUTES, assignment.shift.end // SLOT_MINUTES
        need[queue][first:last] -= ON_QUEUE_SHARE

    def release(assignment: Assignment) -> None:
        agent_id = assignment.agent.agent_id
        worked[agent_id].remove(assignment.shift)
        paid[agent_id] -= assignment.shift.paid
        chosen.remove(assignment)
        queue = served.pop(id(assignment))
        need[queue][assignment.shift.start // SLOT_MINUTES : assignment.shift.end // SLOT_MINUTES] += ON_QUEUE_SHARE
        if not worked[agent_id]:
            band.pop(agent_id, None)

    def still_reachable(group: Group, agent_id: str, shift: Shift) -> bool:
        """After this shift, can further shifts bring the agent to the minimum without passing the cap?"""
        low = group.min_minutes - paid[agent_id] - shift.paid
        high = group.cap_minutes - paid[agent_id] - shift.paid
        return _reachable(lengths_paid, max_days - len(worked[agent_id]) - 1, low, high)

    def deficit_on(queue: str, shift: Shift) -> float:
        return float(np.clip(need[queue][shift.start // SLOT_MINUTES : shift.end // SLOT_MINUTES], 0, None).sum())

    def deficit(group: Group, shift: Shift) -> float:
        return max((deficit_on(q, shift) for q in group.skills if q in need), default=0.0)

    for start in range(0, WEEK_SLOTS * SLOT_MINUTES, step):
        slot = start // SLOT_MINUTES
        options = by_start.get(start, [])
        while True:
            short = [q for q, values in need.items() if values[slot] > 0.5]
            if not short:
                break
            best: tuple[float, str, Assignment, str] | None = None
            for group, shift in options:
                queues = [q for q in group.skills if q in short]
                if not queues:
                    continue
                for agent in sorted(group.agents, key=lambda a: (paid[a.agent_id], a.agent_id)):
                    if not legal(group, agent.agent_id, shift):
                        continue
                    q = max(queues, key=lambda name: (need[name][slot], name))
                    reach = float(np.clip(need[q][slot : slot + shift.length // SLOT_MINUTES], 0, 1).sum())
                    if reach < min_share * shift.length // SLOT_MINUTES:
                        break
                    score = reach / (shift.paid / 60) - paid[agent.agent_id] / 6000
                    candidate = (score, agent.agent_id, Assignment(agent, shift), q)
                    if best is None or candidate[:2] > best[:2]:
                        best = candidate
                    break  # agents of a group are alike: the least loaded eligible one stands for them
            if best is None:
                break
            _, _, assignment, queue = best
            take(assignment, queue)
    if existing:  # a top-up: the shifts added, their queues chosen slot by slot like the others'
        return sorted((replace(a, queue=None) for a in chosen), key=lambda a: (a.agent.agent_id, a.shift.start))
    # Contracted minimums: an agent left short is planned again from scratch, trying each start
    # band (those with fewer night shifts first, as nights are capped) until the minimum holds.
    for group in groups:
        if not group.min_minutes:
            continue
        bands = sorted({s.band for s in group.shifts}, key=lambda b: (sum(s.night for s in group.shifts if s.band == b), b))
        for agent in group.agents:
            if paid[agent.agent_id] >= group.min_minutes:
                continue
            for assignment in [a for a in chosen if a.agent.agent_id == agent.agent_id]:
                release(assignment)
            for trial in bands:
                band[agent.agent_id] = trial
                while paid[agent.agent_id] < group.min_minutes:
                    allowed = [
                        s for s in group.shifts if legal(group, agent.agent_id, s) and still_reachable(group, agent.agent_id, s)
                    ]
                    if not allowed:
                        break
                    take(Assignment(agent, max(allowed, key=lambda s: (deficit(group, s), s.paid, -s.start))), None)
                if paid[agent.agent_id] >= group.min_minutes:
                    break
                for assignment in [a for a in chosen if a.agent.agent_id == agent.agent_id]:
                    release(assignment)
    return sorted((replace(a, queue=served[id(a)]) for a in chosen), key=lambda a: (a.agent.agent_id, a.shift.start))


def _reachable(values: Sequence[int], count: int, low: int, high: int) -> bool:
    """Is there a sum of at most `count` of `values` (with repetition) in [low, high]?"""
    if low <= 0:
        return high >= 0
    return any(
        low <= sum(combo) <= high
        for k in range(1, max(count, 0) + 1)
        for combo in itertools.combinations_with_replacement(values, k)
    )


def counts_of(assignments: Sequence[Assignment], groups: Sequence[Group]) -> dict[tuple[int, int], int]:
    """A roster as the week model's counts: a complete warm start for stage 1."""
    index = {(group.index, shift.start, shift.length): i for group in groups for i, shift in enumerate(group.shifts)}
    owner = {agent.agent_id: group.index for group in groups for agent in group.agents}
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for a in assignments:
        g = owner[a.agent.agent_id]
        counts[g, index[g, a.shift.start, a.shift.length]] += 1
    return dict(counts)


def bands_of(assignments: Sequence[Assignment], groups: Sequence[Group]) -> dict[tuple[int, int], int]:
    """How many members of each group are in each start band; members without shifts go to the
    band with the most candidate shifts, where the search can best use them."""
    band_of: dict[str, int] = {a.agent.agent_id: a.shift.band for a in assignments}
    sizes: dict[tuple[int, int], int] = defaultdict(int)
    for group in groups:
        if not group.shifts:
            continue
        counts: dict[int, int] = defaultdict(int)
        for shift in group.shifts:
            counts[shift.band] += 1
        roomiest = max(counts, key=lambda b: (counts[b], -b))
        for agent in group.agents:
            sizes[group.index, band_of.get(agent.agent_id, roomiest)] += 1
    return dict(sizes)


def prune_roster(
    assignments: Sequence[Assignment], groups: Sequence[Group], demands: Sequence[QueueDemand], rules: RulesProfile
) -> list[Assignment]:
    """Drop or shorten shifts the requirements do not need (redundancy elimination).

    A shift goes when, in every slot it covers, every queue's requirement can still be met by
    the agents left: by Hall's theorem, for every set of queues, their summed requirement is at
    most the on-queue capacity of the skill sets that serve any of them (capacity counts the
    expected break and lunch time, as the week model does). Failing that, a shorter length at the
    same start is tried. Contracted minimums are kept. Longest-paid agents give up shifts first.
    """
    names = [d.name for d in demands]
    need = np.stack([d.required.astype(float) for d in demands])  # [queue, slot]
    skill_sets = sorted({tuple(sorted(g.skills)) for g in groups})
    serves = np.array([[q in s for q in names] for s in skill_sets], dtype=bool)  # [set, queue]
    subsets = [m for m in range(1, 1 << len(names))]
    member = np.array([[(m >> i) & 1 for i in range(len(names))] for m in subsets], dtype=bool)  # [subset, queue]
    reach = (member.astype(int) @ serves.T.astype(int)) > 0  # [subset, set]: the set serves a queue of the subset
    demand = member.astype(float) @ need  # [subset, slot]
    set_of = {a.agent.agent_id: skill_sets.index(tuple(sorted(a.agent.skills))) for a in assignments}
    capacity = np.zeros((len(skill_sets), WEEK_SLOTS + 1))

    def shares(shift: Shift) -> tuple[int, np.ndarray]:
        first = shift.start // SLOT_MINUTES
        values = np.asarray(expected_on_queue(shift.length, rules), dtype=float) / SCALE
        values = values[: max(0, WEEK_SLOTS - first)]
        return first, values

    for a in assignments:
        first, values = shares(a.shift)
        capacity[set_of[a.agent.agent_id], first : first + len(values)] += values

    def still_covered(s: int, first: int, values: np.ndarray) -> bool:
        span = slice(first, first + len(values))
        left = capacity[:, span].copy()
        left[s] -= values
        supply = reach.astype(float) @ left  # [subset, slot]
        touched = reach[:, s]
        # only subsets this set serves lose capacity; the rest are as covered as before
        return bool(
            np.all(supply[touched] + 1e-6 >= np.minimum(demand[touched, span], reach[touched].astype(float) @ capacity[:, span]))
        )

    paid: dict[str, int] = defaultdict(int)
    for a in assignments:
        paid[a.agent.agent_id] += a.shift.paid
    minimum = {agent.agent_id: group.min_minutes for group in groups for agent in group.agents}
    by_start = {(g.index, s.start, s.length): s for g in groups for s in g.shifts}
    owner = {agent.agent_id: g.index for g in groups for agent in g.agents}
    kept = list(assignments)
    for a in sorted(assignments, key=lambda a: (-paid[a.agent.agent_id], a.agent.agent_id, a.shift.start)):
        agent_id = a.agent.agent_id
        s = set_of[agent_id]
        first, values = shares(a.shift)
        if paid[agent_id] - a.shift.paid >= minimum[agent_id] and still_covered(s, first, values):
            capacity[s, first : first + len(values)] -= values
            paid[agent_id] -= a.shift.paid
            kept.remove(a)
            continue
        for length in sorted({sh.length for sh in by_start.values()}):
            shorter = by_start.get((owner[agent_id], a.shift.start, length))
            if (
                shorter is None
                or shorter.length >= a.shift.length
                or paid[agent_id] - a.shift.paid + shorter.paid < minimum[agent_id]
            ):
                continue
            _, short_values = shares(shorter)
            removed = values.copy()
            removed[: len(short_values)] -= short_values
            if still_covered(s, first, removed):
                capacity[s, first : first + len(removed)] -= removed
                paid[agent_id] += shorter.paid - a.shift.paid
                kept[kept.index(a)] = Assignment(a.agent, shorter)
                break
    return sorted(kept, key=lambda a: (a.agent.agent_id, a.shift.start))
