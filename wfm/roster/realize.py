"""Stage 3: from named shifts to roster rows. Places every break and lunch where the queues can
best spare the person (which staggers them: each placement uses up the spare capacity it
found), then decides, slot by slot, which queue each on-queue agent serves.

Queue choice follows the week model's plan for each skill set (how many of its agents serve
each queue in each slot); where the agents actually on queue differ from that plan (a break
landed there), the difference goes to or comes from the queue where one agent changes the
service cost most. Agents stay on their previous queue when the counts allow, so a bilingual or
multi-channel agent switches queue in blocks, not every quarter hour. Then, where one skill
set's plan leaves a phone or chat queue short while agents who could serve it sit above another
queue's requirement, one of them moves (`wfm.roster.cover`), and email falls behind its deadline
nowhere an agent can be spared (`cover.email_in_time`). With queue blocks in the profile, a last
pass re-chooses each shift's queues whole, keeping its blocks (`blocks.improve_blocks`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import pandas as pd

from wfm.planfiles import BREAK, LUNCH
from wfm.roster.assign import Assignment
from wfm.roster.blocks import improve_blocks
from wfm.roster.candidates import SLOT_MINUTES, WEEK_SLOTS
from wfm.roster.cover import PlacedShift, cover_short, cover_short_blocks, cover_short_from_email, email_in_time
from wfm.roster.demand import QueueDemand
from wfm.roster.patterns import GAP_MINUTES, shift_pattern
from wfm.roster.rules import Blocks, block_limits, max_switches, min_block
from wfm.rules import RulesProfile
from wfm.timegrid import local_iso, week_start

# The roster spills past the week's end by at most the longest shift.
HORIZON = WEEK_SLOTS + 24 * 60 // SLOT_MINUTES


def realize(
    assignments: Sequence[Assignment],
    demands: Sequence[QueueDemand],
    planned: dict[tuple[str, int], np.ndarray],
    skill_sets: Sequence[tuple[str, ...]],
    rules: RulesProfile,
) -> list[PlacedShift]:
    """Breaks, lunch and queues for every assigned shift (deterministic for given inputs)."""
    set_index = {s: i for i, s in enumerate(skill_sets)}
    sets = [set_index[tuple(sorted(a.agent.skills))] for a in assignments]
    room = _Room(demands, planned, skill_sets)
    for a, s in zip(assignments, sets, strict=True):
        first = a.shift.start // SLOT_MINUTES
        room.working[s, first : first + a.shift.length // SLOT_MINUTES] += 1

    placed = [PlacedShift(a, [""] * (a.shift.length // SLOT_MINUTES)) for a in assignments]
    order = sorted(range(len(placed)), key=lambda i: (placed[i].assignment.shift.start, placed[i].assignment.agent.agent_id))
    # Lunches first (they are longer and less movable), then breaks around them.
    for i in order:
        _place_lunch(placed[i], room, sets[i], rules)
    for i in order:
        _place_breaks(placed[i], room, sets[i], rules)
    blocks = block_limits(rules)
    _assign_queues(placed, sets, demands, planned, skill_sets, blocks)
    if blocks is None:
        cover_short(placed, demands)
    else:
        cover_short_blocks(placed, demands, blocks)
    occupancy = {d.name: d.queue.max_occupancy or rules.service.max_occupancy for d in demands}
    for demand in demands:
        if demand.deferred:
            email_in_time(placed, demand, demands, occupancy[demand.name], blocks)
    cover_short_from_email(placed, demands, occupancy, blocks)
    if blocks is not None:
        choices = [[a.queue] if a.queue else sorted(a.agent.skills) for a in assignments]
        improve_blocks([p.activity for p in placed], [p.first_slot for p in placed], choices, demands, blocks)
    return placed


class _Room:
    """What each slot can spare while breaks and lunches are placed.

    Per skill set: agents working and the on-queue agents the week model planned for it. Per
    phone or chat queue: how far the plan (all skill sets together) is above the requirement.
    An agent taken off queue costs nothing while the skill set has agents beyond its plan; past
    that, one of its queues loses the difference, and which one matters: a queue staffed above
    its requirement (or email, which catches up later) can lose it at little cost, a queue at
    its requirement misses its target. So breaks of one skill set land where another set's
    overstaffing on a shared queue covers them."""

    def __init__(
        self, demands: Sequence[QueueDemand], planned: dict[tuple[str, int], np.ndarray], skill_sets: Sequence[tuple[str, ...]]
    ) -> None:
        by_name = {d.name: d for d in demands}
        self.working = np.zeros((len(skill_sets), HORIZON))
        self.target = np.zeros((len(skill_sets), HORIZON))
        self.above: dict[str, np.ndarray] = {}  # phone/chat queue → planned minus required, per slot
        self.contacts: dict[str, np.ndarray] = {}
        for d in demands:
            if not d.deferred:
                self.above[d.name] = np.zeros(HORIZON)
                self.above[d.name][:WEEK_SLOTS] -= d.required
            self.contacts[d.name] = np.zeros(HORIZON)
            self.contacts[d.name][:WEEK_SLOTS] = d.contacts
        for (q, s), counts in planned.items():
            self.target[s, :WEEK_SLOTS] += counts
            if q in self.above:
                self.above[q][:WEEK_SLOTS] += counts
        self.queues = [[q for q in serves if q in by_name] for serves in skill_sets]

    def _slot(self, s: int, t: int) -> tuple[float, str | None, float]:
        """Cost of one more agent of set `s` off queue at slot `t`, the queue that loses, and how much."""
        lack = min(1.0, max(0.0, 1.0 - (self.working[s, t] - self.target[s, t])))
        if lack <= 1e-9:
            return 0.0, None, 0.0
        best: tuple[float, str | None] = (lack * (1.0 + sum(self.contacts[q][t] for q in self.queues[s])), None)
        for q in self.queues[s]:
            if q not in self.above:  # email: the week model's backlog plan absorbs a late quarter hour
                cost = 0.5 * lack
            else:
                covered = min(lack, max(0.0, self.above[q][t]))
                cost = 0.25 * covered + (lack - covered) * (1.0 + self.contacts[q][t])
            best = min(best, (cost, q), key=lambda item: item[0])
        return best[0], best[1], lack

    def cost(self, s: int, slots: range) -> float:
        return sum(self._slot(s, t)[0] for t in slots)

    def take(self, s: int, slots: range) -> None:
        for t in slots:
            _, queue, lack = self._slot(s, t)
            if queue in self.above:
                self.above[queue][t] -= lack
            self.working[s, t] -= 1


def _place_lunch(shift: PlacedShift, room: _Room, s: int, rules: RulesProfile) -> None:
    pattern = shift_pattern(shift.assignment.shift.length, rules)
    if not pattern.lunch_starts:
        return
    first = shift.first_slot
    middle = (pattern.lunch_starts[0] + pattern.lunch_starts[-1]) / 2
    size = pattern.lunch_minutes // SLOT_MINUTES
    best = min(
        pattern.lunch_starts,
        key=lambda start: (
            room.cost(s, range(first + start // SLOT_MINUTES, first + start // SLOT_MINUTES + size)),
            abs(start - middle),
            start,
        ),
    )
    offset = best // SLOT_MINUTES
    for j in range(offset, offset + size):
        shift.activity[j] = LUNCH
    room.take(s, range(first + offset, first + offset + size))


def _place_breaks(shift: PlacedShift, room: _Room, s: int, rules: RulesProfile) -> None:
    pattern = shift_pattern(shift.assignment.shift.length, rules)
    if not pattern.breaks:
        return
    first = shift.first_slot
    size = pattern.break_minutes // SLOT_MINUTES
    gap = GAP_MINUTES // SLOT_MINUTES
    lunch = [j for j, a in enumerate(shift.activity) if a == LUNCH]
    length = len(shift.activity)
    for number in range(pattern.breaks):
        options = []
        for start in pattern.break_starts:
            j = start // SLOT_MINUTES
            span = range(j, j + size)
            if any(shift.activity[k] for k in range(max(0, j - gap), min(length, j + size + gap))):
                continue  # overlaps or touches lunch or another break
            if lunch and pattern.breaks >= 2:
                # one break before lunch, the next after it
                if number == 0 and j + size > lunch[0]:
                    continue
                if number >= 1 and j < lunch[-1]:
                    continue
            ideal = _ideal_break(number, pattern.breaks, length, lunch)
            options.append((room.cost(s, range(first + span.start, first + span.stop)), abs(j - ideal), j))
        if not options:
            continue
        _, _, j = min(options)
        for k in range(j, j + size):
            shift.activity[k] = BREAK
        room.take(s, range(first + j, first + j + size))


def _ideal_break(number: int, total: int, length: int, lunch: list[int]) -> float:
    """Middle of the stretch of work the break splits."""
    if not lunch:
        return length * (number + 1) / (total + 1)
    if total == 1:
        # one break: in the middle of the longer stretch around lunch
        before, after = lunch[0], length - lunch[-1] - 1
        return before / 2 if before > after else lunch[-1] + 1 + after / 2
    return lunch[0] / 2 if number == 0 else (lunch[-1] + 1 + length) / 2


def _assign_queues(
    placed: list[PlacedShift],
    sets: list[int],
    demands: Sequence[QueueDemand],
    planned: dict[tuple[str, int], np.ndarray],
    skill_sets: Sequence[tuple[str, ...]],
    blocks: Blocks | None = None,
) -> None:
    """Slot by slot, per skill set: the planned counts per queue, made to add up to the agents on
    queue (`_balance`), with agents staying on their previous queue where the counts allow.

    With `blocks`, an agent is held to its queue (and counts against that queue's plan) until its
    block has `min_slots` on-queue slots; it may switch only while it has switches left and the
    shift has at least `min_slots` on-queue slots left (so the new block is a full one, and a shift
    with less on-queue time than one block keeps one queue). Breaks and lunch do not end a block."""
    demand_by_name = {d.name: d for d in demands}
    deferred = {d.name for d in demands if d.deferred}
    # who is on queue (not on break or lunch) per slot, per skill set
    on_queue: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)  # (set, slot) → [(shift, offset)]
    left: dict[int, int] = {}  # shift → on-queue slots not yet given a queue
    for i, shift in enumerate(placed):
        first = shift.first_slot
        left[i] = 0
        for j, activity in enumerate(shift.activity):
            if not activity:
                on_queue[sets[i], first + j].append((i, j))
                left[i] += 1
    served: dict[tuple[str, int], float] = defaultdict(float)  # (queue, slot) → agents assigned so far
    # Deferred work keeps its plan on the whole: what a slot gives email less than planned (a
    # break landed there) it owes later, per skill set and in total.
    behind: dict[tuple[str, int], float] = defaultdict(float)
    owed: dict[str, float] = defaultdict(float)
    previous: dict[int, str] = {}
    run: dict[int, int] = defaultdict(int)  # shift → on-queue slots of its current block
    switches: dict[int, int] = defaultdict(int)

    def held(i: int) -> str | None:
        """The queue shift `i` must keep this slot, if any."""
        if placed[i].assignment.queue is not None:
            return placed[i].assignment.queue
        last = previous.get(i)
        if blocks is None or last is None:
            return None
        may_switch = min_block(blocks, run[i]) and max_switches(blocks, switches[i] + 1) and min_block(blocks, left[i])
        return None if may_switch else last

    for slot in range(HORIZON):
        for s, serves in enumerate(skill_sets):
            plan = {q: float(planned[q, s][slot]) if (q, s) in planned and slot < WEEK_SLOTS else 0.0 for q in serves}
            given: dict[str, int] = defaultdict(int)  # agents each queue gets in this slot
            agents = on_queue.get((s, slot))
            if agents:
                queues = [q for q in serves if q in demand_by_name] or list(serves)
                wanted = {q: max(0, round(plan[q] + (behind[q, s] if q in deferred else 0.0))) for q in queues}
                free = []
                for i, j in agents:
                    keep = held(i)
                    if keep is None:
                        free.append((i, j))
                        continue
                    placed[i].activity[j] = keep
                    served[keep, slot] += 1
                    given[keep] += 1
                    if keep in wanted:
                        wanted[keep] = max(0, wanted[keep] - 1)
                counts = _balance(wanted, len(free), queues, slot, served, demand_by_name, owed)
                _give_queues(placed, free, counts, queues, previous)
                for i, j in free:
                    served[placed[i].activity[j], slot] += 1
                    given[placed[i].activity[j]] += 1
                _advance_blocks(placed, agents, previous, run, switches, left)
            for q in serves:
                if q in deferred:
                    behind[q, s] += plan[q] - given[q]
                    owed[q] += plan[q] - given[q]


def _give_queues(
    placed: list[PlacedShift], free: list[tuple[int, int]], counts: dict[str, int], queues: list[str], previous: dict[int, str]
) -> None:
    """The free on-queue (shift, offset) pairs of one skill set and slot get the queues `counts`
    asks for: each stays on its previous queue where the counts allow, the rest go where the
    counts most want them."""
    free = sorted(free, key=lambda item: (item[0] not in previous, placed[item[0]].assignment.agent.agent_id))
    rest = []
    for i, j in free:
        last = previous.get(i)
        if last is not None and counts.get(last, 0) > 0:
            counts[last] -= 1
            placed[i].activity[j] = last
        else:
            rest.append((i, j))
    for i, j in rest:
        q = max(queues, key=lambda name: (counts.get(name, 0), -queues.index(name)))
        counts[q] = counts.get(q, 0) - 1
        placed[i].activity[j] = q


def _advance_blocks(
    placed: list[PlacedShift],
    agents: list[tuple[int, int]],
    previous: dict[int, str],
    run: dict[int, int],
    switches: dict[int, int],
    left: dict[int, int],
) -> None:
    """After a slot: each shift's queue, its block's length, its switches, its on-queue slots left."""
    for i, j in agents:
        queue = placed[i].activity[j]
        if previous.get(i) == queue:
            run[i] += 1
        else:
            switches[i] += i in previous
            run[i] = 1
        previous[i] = queue
        left[i] -= 1


def _balance(
    wanted: dict[str, int],
    available: int,
    queues: list[str],
    slot: int,
    served: dict[tuple[str, int], float],
    demands: dict[str, QueueDemand],
    owed: dict[str, float],
) -> dict[str, int]:
    """Make the planned per-queue counts add up to the agents actually on queue."""
    counts = dict(wanted)
    total = sum(counts.values())
    while total > available:
        q = min(
            (q for q in queues if counts[q] > 0),
            key=lambda q: (_gain(q, slot, served[q, slot] + counts[q] - 1, demands, owed.get(q, 0.0) - counts[q] + 1), q),
        )
        counts[q] -= 1
        total -= 1
    while total < available:
        q = max(queues, key=lambda q: (_gain(q, slot, served[q, slot] + counts[q], demands, owed.get(q, 0.0) - counts[q]), q))
        counts[q] += 1
        total += 1
    return counts


def _gain(queue: str, slot: int, agents: float, demands: dict[str, QueueDemand], owed: float = 0.0) -> float:
    """Contacts answered within target gained by one more agent on `queue`. Email: its deadline
    was planned by the week model, so an agent there is worth little while the plan is kept,
    and second only to a phone or chat queue below requirement while email is behind it."""
    demand = demands.get(queue)
    if demand is None or slot >= WEEK_SLOTS:
        return 0.0
    if demand.expected_sl is None:
        return (500.0 if owed > 0.5 else 0.0) + 0.05 * float(demand.contacts[slot]) + 1e-3
    curve = demand.expected_sl[slot]
    n = int(agents)
    if n + 1 >= len(curve):
        return 0.0
    short = 1.0 if n < demand.required[slot] else 0.0  # below requirement, an agent is worth a whole target miss
    return short * 1e3 + float(demand.contacts[slot]) * float(curve[n + 1] - curve[n])


def roster_frame(placed: Sequence[PlacedShift], week: dt.date) -> pd.DataFrame:
    """Roster rows (FORMATS.md roster.csv), ordered by agent and start."""
    origin = week_start(week)
    rows = []
    for shift in placed:
        agent = shift.assignment.agent
        first = shift.first_slot
        run_start = 0
        for j in range(1, len(shift.activity) + 1):
            if j == len(shift.activity) or shift.activity[j] != shift.activity[run_start]:
                start = origin + dt.timedelta(minutes=(first + run_start) * SLOT_MINUTES)
                end = origin + dt.timedelta(minutes=(first + j) * SLOT_MINUTES)
                rows.append(
                    {
                        "agent_id": agent.agent_id,
                        "activity": shift.activity[run_start],
                        "start": pd.Timestamp(start),
                        "end": pd.Timestamp(end),
                        "start_local": local_iso(start, agent.timezone),
                        "end_local": local_iso(end, agent.timezone),
                    }
                )
                run_start = j
    frame = pd.DataFrame(rows, columns=["agent_id", "activity", "start", "end", "start_local", "end_local"])
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["end"] = pd.to_datetime(frame["end"], utc=True)
    return frame.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)
