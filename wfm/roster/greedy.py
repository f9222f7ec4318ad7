"""A simple greedy roster: the yardstick wfm's optimiser must beat, and a warm start for it.

Walk the week in start-grid steps; while some queue is below its requirement at that moment,
start a shift for the least-loaded skilled agent (`roster.rules.skills`) who may legally work it,
choosing the length that covers the most of the deficit ahead (`roster.rules.allows`: every rule
of the week, in its predicate form). Each shift serves one queue throughout (recorded in
`Assignment.queue`). This is what a careful planner with a spreadsheet does; it respects every
per-person rule but not the service trade-offs across queues, and it cannot look back.
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
from wfm.roster.rules import allows, skills
from wfm.roster.wishes import wish_hours
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
    greedy = _Greedy(groups, demands, rules, existing, covered)
    for start in range(0, WEEK_SLOTS * SLOT_MINUTES, rules.shifts.start_step_minutes):
        greedy.fill(start, min_share)
    if existing:  # a top-up: the shifts added, their queues chosen slot by slot like the others'
        return sorted((replace(a, queue=None) for a in greedy.chosen.values()), key=lambda a: (a.agent.agent_id, a.shift.start))
    for group in groups:
        greedy.plan_contracts(group)
    return sorted(
        (replace(a, queue=greedy.served[id(a)]) for a in greedy.chosen.values()), key=lambda a: (a.agent.agent_id, a.shift.start)
    )


def top_up_roster(
    groups: Sequence[Group],
    demands: Sequence[QueueDemand],
    rules: RulesProfile,
    *,
    existing: Sequence[Assignment],
    covered: dict[str, np.ndarray],
    min_share: float,
) -> list[Assignment]:
    """`existing` kept whole and topped up as `greedy_roster(existing=..., covered=...)` does,
    then each agent still below a contracted minimum given shifts toward it by the greedy
    contract fill (which never takes an existing shift away): the shifts added, each with the
    queue it was added for. An agent the fill cannot bring to the minimum is left short; the
    caller judges that."""
    greedy = _Greedy(groups, demands, rules, existing, covered)
    for start in range(0, WEEK_SLOTS * SLOT_MINUTES, rules.shifts.start_step_minutes):
        greedy.fill(start, min_share)
    for group in groups:
        greedy.plan_contracts(group)
    return sorted(
        (replace(a, queue=greedy.served[id(a)]) for a in greedy.chosen.values()), key=lambda a: (a.agent.agent_id, a.shift.start)
    )


class _Greedy:
    """The greedy roster under construction: each agent's shifts and paid minutes, their start
    band, and what each queue still needs per slot."""

    def __init__(
        self,
        groups: Sequence[Group],
        demands: Sequence[QueueDemand],
        rules: RulesProfile,
        existing: Sequence[Assignment],
        covered: dict[str, np.ndarray] | None,
    ) -> None:
        self.rules = rules
        self.need = {d.name: d.required.astype(float).copy() for d in demands}
        if covered is not None:
            for name, values in covered.items():
                if name in self.need:
                    self.need[name] -= values[: len(self.need[name])]
        self.max_days = 7 - rules.hours.min_days_off_per_week
        self.by_start: dict[int, list[tuple[Group, Shift]]] = defaultdict(list)
        for group in groups:
            for shift in group.shifts:
                self.by_start[shift.start].append((group, shift))
        self.worked: dict[str, list[Shift]] = defaultdict(list)
        self.paid: dict[str, int] = defaultdict(int)
        self.band: dict[str, int] = {}  # a person keeps one start band all week, as the week model assumes
        self.chosen: dict[int, Assignment] = {}  # id → the assignment, in the order taken
        self.held: dict[str, list[Assignment]] = defaultdict(list)  # agent → its assignments
        for a in existing:
            self.worked[a.agent.agent_id].append(a.shift)
            self.paid[a.agent.agent_id] += a.shift.paid
            self.band.setdefault(a.agent.agent_id, a.shift.band)
        self.served: dict[int, str] = {}  # id(assignment) → the queue the greedy gave it
        self.lengths: dict[tuple[int, int], tuple[list[int], list[int]]] = {}  # (group, band) → `band_lengths`

    def legal(self, group: Group, agent_id: str, shift: Shift) -> bool:
        if self.band.get(agent_id, shift.band) != shift.band:
            return False
        return allows(self.worked[agent_id], shift, self.paid[agent_id], group, self.rules)

    def take(self, assignment: Assignment, queue: str | None) -> None:
        agent_id, shift = assignment.agent.agent_id, assignment.shift
        self.worked[agent_id].append(shift)
        self.paid[agent_id] += shift.paid
        self.band[agent_id] = shift.band
        self.chosen[id(assignment)] = assignment
        self.held[agent_id].append(assignment)
        if not queue:
            serves = assignment.agent.skills
            queue = max((q for q in self.need if skills(serves, q)), key=lambda q: (self.deficit_on(q, shift), q))
        self.served[id(assignment)] = queue
        self.need[queue][shift.start // SLOT_MINUTES : shift.end // SLOT_MINUTES] -= ON_QUEUE_SHARE

    def release(self, assignment: Assignment) -> None:
        agent_id, shift = assignment.agent.agent_id, assignment.shift
        self.worked[agent_id].remove(shift)
        self.paid[agent_id] -= shift.paid
        del self.chosen[id(assignment)]
        self.held[agent_id].remove(assignment)
        queue = self.served.pop(id(assignment))
        self.need[queue][shift.start // SLOT_MINUTES : shift.end // SLOT_MINUTES] += ON_QUEUE_SHARE
        if not self.worked[agent_id]:
            self.band.pop(agent_id, None)

    def still_reachable(self, group: Group, agent_id: str, shift: Shift) -> bool:
        """After this shift, can further shifts of the agent's start band bring it to the minimum
        without passing the cap, night shifts counted against the nights left? (Every shift
        length alike would let the longest shifts, nights, be taken first and leave the rest
        of the week unable to reach the minimum.)"""
        low = group.min_minutes - self.paid[agent_id] - shift.paid
        high = group.cap_minutes - self.paid[agent_id] - shift.paid
        by_day, by_night = self.band_lengths(group, self.band.get(agent_id, shift.band))
        days = self.max_days - len(self.worked[agent_id]) - 1
        nights = days
        if "max_nights" not in self.rules.soft:
            nights = self.rules.nights.max_per_week - sum(s.night for s in self.worked[agent_id]) - shift.night
        return _reachable(by_day, days, low, high) or any(
            _reachable(by_day, days - k, low - k * night, high - k * night)
            for night in by_night
            for k in range(1, min(nights, days) + 1)
        )

    def band_lengths(self, group: Group, band: int) -> tuple[list[int], list[int]]:
        """The paid minutes of the group's shifts in `band`: of those that are not nights, and
        of the nights (worked out once per group and band: the contract fill asks per shift)."""
        key = (group.index, band)
        if key not in self.lengths:
            own = [s for s in group.shifts if s.band == band]
            self.lengths[key] = (sorted({s.paid for s in own if not s.night}), sorted({s.paid for s in own if s.night}))
        return self.lengths[key]

    def deficit_on(self, queue: str, shift: Shift) -> float:
        return float(np.clip(self.need[queue][shift.start // SLOT_MINUTES : shift.end // SLOT_MINUTES], 0, None).sum())

    def deficit(self, group: Group, shift: Shift) -> float:
        return max((self.deficit_on(q, shift) for q in self.need if skills(group.skills, q)), default=0.0)

    def fill(self, start: int, min_share: float) -> None:
        """Start shifts at `start` while some queue is short then and a legal shift helps."""
        slot = start // SLOT_MINUTES
        while True:
            short = [q for q, values in self.need.items() if values[slot] > 0.5]
            if not short:
                return
            best = self._best(self.by_start.get(start, []), short, slot, min_share)
            if best is None:
                return
            self.take(*best)

    def _best(
        self, options: list[tuple[Group, Shift]], short: list[str], slot: int, min_share: float
    ) -> tuple[Assignment, str] | None:
        """The shift starting at `slot` that covers the most shortfall per paid hour, its agent
        the least loaded who may legally work it (then the one whose wishes it denies least),
        and the queue it serves."""
        best: tuple[float, float, str, Assignment, str] | None = None
        reaches: dict[tuple[tuple[str, ...], int], tuple[str, float]] = {}  # the same for every group of those skills
        for group, shift in options:
            key = (group.skills, shift.length)
            if key not in reaches:
                queues = [q for q in short if skills(group.skills, q)]
                if not queues:
                    reaches[key] = ("", 0.0)
                else:
                    q = max(queues, key=lambda name: (self.need[name][slot], name))
                    reaches[key] = (q, float(np.clip(self.need[q][slot : slot + shift.length // SLOT_MINUTES], 0, 1).sum()))
            q, reach = reaches[key]
            if not q:
                continue
            if reach < min_share * shift.length // SLOT_MINUTES:
                continue
            rate = reach / (shift.paid / 60)
            # No agent of the group scores above its least loaded one: past the best so far, the
            # rules need not be asked (at 1,200 agents they were 2.4 million questions).
            if best is not None and rate - min(self.paid[a.agent_id] for a in group.agents) / 6000 < best[0]:
                continue
            for agent in sorted(group.agents, key=lambda a: (self.paid[a.agent_id], a.agent_id)):
                if not self.legal(group, agent.agent_id, shift):
                    continue
                # among equally useful shifts, the one denying the fewest wishes' weight (`roster.wishes`)
                candidate = (
                    rate - self.paid[agent.agent_id] / 6000,
                    -wish_hours(group, shift),
                    agent.agent_id,
                    Assignment(agent, shift),
                    q,
                )
                if best is None or candidate[:3] > best[:3]:
                    best = candidate
                break  # agents of a group are alike: the least loaded eligible one stands for them
        return None if best is None else (best[3], best[4])

    def plan_contracts(self, group: Group) -> None:
        """Contracted minimums: an agent left short is planned again from scratch, trying each
        start band (those with fewer night shifts first, as nights are capped) until the minimum
        holds."""
        if not group.min_minutes:
            return
        bands = sorted({s.band for s in group.shifts}, key=lambda b: (sum(s.night for s in group.shifts if s.band == b), b))
        for agent in group.agents:
            agent_id = agent.agent_id
            if self.paid[agent_id] >= group.min_minutes:
                continue
            for assignment in list(self.held[agent_id]):
                self.release(assignment)
            for trial in bands:
                self.band[agent_id] = trial
                while self.paid[agent_id] < group.min_minutes:
                    allowed = [
                        s for s in group.shifts if self.legal(group, agent_id, s) and self.still_reachable(group, agent_id, s)
                    ]
                    if not allowed:
                        break
                    self.take(
                        Assignment(
                            agent, max(allowed, key=lambda s: (self.deficit(group, s), -wish_hours(group, s), s.paid, -s.start))
                        ),
                        None,
                    )
                if self.paid[agent_id] >= group.min_minutes:
                    break
                for assignment in list(self.held[agent_id]):
                    self.release(assignment)


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
    serves = np.array([[skills(s, q) for q in names] for s in skill_sets], dtype=bool)  # [set, queue]
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
