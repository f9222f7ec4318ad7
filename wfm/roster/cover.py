"""Stage 3, after the queue choice: mending coverage by moving on-queue slots between queues.

A shift's slots already carry a queue, a break or lunch (`wfm.roster.realize`); these passes
move some of them where the queue choice left a queue short:

- `cover_short` / `cover_short_blocks`: a phone or chat queue below its requirement takes an
  agent (or, with queue blocks, a part of a block) from a live queue above its own;
- `email_in_time`: where email worked first in, first out would miss its deadline, agents
  skilled for it move to it from phone or chat queues that can spare them;
- `cover_short_from_email`: a short phone or chat queue takes email time back wherever every
  email interval answered in time stays so.

Every move keeps the shift's queue blocks when the profile has them (`_BlockMoves`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wfm.planfiles import BREAK, LUNCH, OFF_QUEUE
from wfm.roster.assign import Assignment
from wfm.roster.blocks import keeps_blocks
from wfm.roster.candidates import SLOT_MINUTES, WEEK_SLOTS
from wfm.roster.coverage import email_service
from wfm.roster.demand import QueueDemand
from wfm.roster.rules import Blocks, skills

__all__ = ["PlacedShift", "cover_short", "cover_short_blocks", "cover_short_from_email", "email_in_time"]


@dataclass
class PlacedShift:
    assignment: Assignment
    activity: list[str]  # per slot of the shift: a queue name, BREAK or LUNCH

    @property
    def first_slot(self) -> int:
        return self.assignment.shift.start // SLOT_MINUTES


def _segments(activity: list[str], j: int, blocks: Blocks) -> list[list[int]]:
    """Ways to move the part of offset `j`'s block around `j` to another queue: the whole block,
    either end of it up to and including `j` (which moves the switch when the other queue is the
    neighbouring block's), or `min_slots` on-queue slots around `j` (the rest of the block
    stays). Only the on-queue offsets are listed; breaks inside stay where they are."""
    queue = activity[j]
    low = j
    while low > 0 and activity[low - 1] in (queue, BREAK, LUNCH):
        low -= 1
    high = j
    while high + 1 < len(activity) and activity[high + 1] in (queue, BREAK, LUNCH):
        high += 1
    own = [k for k in range(low, high + 1) if activity[k] == queue]
    at = own.index(j)
    size = blocks.min_slots
    options = [own]
    options += [own[:stop] for stop in range(at + 1, len(own))]
    options += [own[first:] for first in range(1, at + 1)]
    for first in range(max(1, at - size + 1), min(at, len(own) - size - 1) + 1):
        options.append(own[first : first + size])
    return options


def _relabelled(activity: list[str], offsets: list[int], queue: str) -> list[str]:
    changed = list(activity)
    for k in offsets:
        changed[k] = queue
    return changed


class _BlockMoves:
    """The parts of offset j's block (`_segments`) that shift i can hand to queue q keeping its
    blocks, worked out once per shift as it stands: a pass that changes a shift's activity
    calls `moved(i)`. The covering and email passes ask this of the same shifts again and again."""

    def __init__(self, placed: list[PlacedShift], blocks: Blocks) -> None:
        self.placed, self.blocks = placed, blocks
        self._parts: dict[int, dict[tuple[int, str], list[list[int]]]] = defaultdict(dict)

    def parts(self, i: int, j: int, queue: str) -> list[list[int]]:
        known = self._parts[i]
        found = known.get((j, queue))
        if found is None:
            activity, blocks = self.placed[i].activity, self.blocks
            found = [o for o in _segments(activity, j, blocks) if keeps_blocks(_relabelled(activity, o, queue), blocks)]
            known[j, queue] = found
        return found

    def moved(self, i: int) -> None:
        self._parts.pop(i, None)


def email_in_time(
    placed: list[PlacedShift],
    email: QueueDemand,
    demands: Sequence[QueueDemand],
    occupancy: float,
    blocks: Blocks | None = None,
) -> None:
    """Where email worked first in, first out would miss its deadline, move agents skilled for it
    onto it inside the late email's window (from its arrival to its deadline), taking first those
    whose phone or chat queue stays above its requirement without them. Emails are answered in
    order, so one late email makes every later one late until the backlog is caught up: the
    earliest late one is mended first.

    The week model plans email in tenths of an agent per block; whole agents per slot, breaks
    and the covering pass can leave that plan behind, and a backlog a few minutes behind its
    deadline is a late week (measured on the starter workspace: 17.6% of email-en in time)."""
    live = {d.name: d for d in demands if not d.deferred}
    deadline = round((email.queue.respond_within_hours or 24.0) * 60 / SLOT_MINUTES)
    members: dict[int, list[tuple[int, int]]] = defaultdict(list)  # slot → on-queue (shift, offset)
    for i, shift in enumerate(placed):
        if not skills(shift.assignment.agent.skills, email.name) or shift.assignment.queue is not None:
            continue
        for j, activity in enumerate(shift.activity):
            if activity not in OFF_QUEUE and shift.first_slot + j < WEEK_SLOTS:
                members[shift.first_slot + j].append((i, j))
    served: dict[tuple[str, int], int] = defaultdict(int)
    for shift in placed:
        for j, activity in enumerate(shift.activity):
            served[activity, shift.first_slot + j] += 1
    agents = np.array([served[email.name, t] for t in range(WEEK_SLOTS)], dtype=float)
    # Offsets of each shift whose block found no spare part: still none until that shift moves,
    # since the live queues' served counts only fall here and the shift's activity is as it was.
    spareless: dict[int, set[int]] = defaultdict(set)
    moves = _BlockMoves(placed, blocks) if blocks is not None else None
    after = 0  # late slots before this one found nobody to spare: later ones still may
    trials = MOST_FAILED_TRADES
    for _ in range(2 * WEEK_SLOTS):  # each turn moves a part to email or passes a late slot
        late = _first_late(email, agents, occupancy, after)
        if late is None:
            return
        move: tuple[int, list[int]] | None = None
        for t in _window(late, deadline):
            for i, j in members.get(t, ()):
                queue = placed[i].activity[j]
                if queue not in live or served[queue, t] <= live[queue].required[t] or j in spareless[i]:
                    continue
                parts = [[j]] if moves is None else moves.parts(i, j, email.name)
                part = _spare_segment(placed[i], parts, queue, served, live[queue])
                if part is not None:
                    move = (i, part)
                    break
                spareless[i].add(j)
            if move:
                break
        if move is not None:
            chosen = [move]
        else:  # nobody can be spared inside the window: a trade, or on to the next late slot
            window = _window(late, deadline)
            chosen = _trade(placed, late, window, members, email, live, served, agents, occupancy, moves) if trials else []
            if not chosen:
                trials -= 1
                after = late + 1
                continue
        for i, offsets in chosen:
            spareless.pop(i, None)
            if moves is not None:
                moves.moved(i)
            for k in offsets:
                t = placed[i].first_slot + k
                served[placed[i].activity[k], t] -= 1
                placed[i].activity[k] = email.name
                served[email.name, t] += 1
                if t < WEEK_SLOTS:
                    agents[t] += 1


def cover_short_from_email(
    placed: list[PlacedShift], demands: Sequence[QueueDemand], occupancy: dict[str, float], blocks: Blocks | None
) -> None:
    """Where a phone or chat queue is short while agents skilled for it work email, move part of
    their email time to it (a whole part of a block, with blocks) when every email interval
    answered in time stays so. The queue choice gives email an agent wherever phone and chat
    look covered, and the deadline is often hours away, so email can hold far more agents than
    it needs while a live queue misses (measured on a 150-agent workspace: email 976 on-queue
    hours against 394 needed, phone-en on target in 62% of intervals). Earliest slots first;
    a move is checked against the email's first-in-first-out deadline before it is made."""
    live = {d.name: d for d in demands if not d.deferred}
    emails = {d.name: d for d in demands if d.deferred}
    if not live or not emails:
        return
    served: dict[tuple[str, int], int] = defaultdict(int)
    on_email: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for i, shift in enumerate(placed):
        for j, activity in enumerate(shift.activity):
            t = shift.first_slot + j
            served[activity, t] += 1
            if activity in emails and shift.assignment.queue is None and t < WEEK_SLOTS:
                on_email[t].append((i, j))
    agents = {e: np.array([served[e, t] for t in range(WEEK_SLOTS)], dtype=float) for e in emails}
    in_time = {e: _in_time(emails[e], agents[e], occupancy[e]) for e in emails}
    moves = _BlockMoves(placed, blocks) if blocks is not None else None

    def short(queue: str, t: int) -> bool:
        return t < WEEK_SLOTS and served[queue, t] < live[queue].required[t]

    for slot in sorted(on_email):
        for q, demand in sorted(live.items()):
            while served[q, slot] < demand.required[slot]:
                options = []
                for i, j in on_email[slot]:
                    shift, email = placed[i], placed[i].activity[j]
                    if email not in emails or not skills(shift.assignment.agent.skills, q):
                        continue
                    parts = [[j]] if moves is None else moves.parts(i, j, q)
                    for offsets in parts:
                        mended = sum(short(q, shift.first_slot + k) for k in offsets)
                        options.append(((-mended, len(offsets), shift.assignment.agent.agent_id), i, email, offsets))
                moved = False
                for _, i, email, offsets in sorted(options, key=lambda option: option[0])[:MOST_EMAIL_CHECKS]:
                    slots = [placed[i].first_slot + k for k in offsets]
                    trial = agents[email].copy()
                    np.subtract.at(trial, [t for t in slots if t < WEEK_SLOTS], 1.0)
                    if _in_time(emails[email], trial, occupancy[email]) < in_time[email]:
                        continue
                    agents[email] = trial
                    for k, t in zip(offsets, slots, strict=True):
                        served[email, t] -= 1
                        placed[i].activity[k] = q
                        served[q, t] += 1
                    if moves is not None:
                        moves.moved(i)
                    moved = True
                    break
                if not moved:
                    break


# Email moves tried per short slot before it is left short (each is a deadline check).
MOST_EMAIL_CHECKS = 4


def _in_time(email: QueueDemand, agents: np.ndarray, occupancy: float) -> int:
    """Intervals of `email` with emails, all answered within the deadline, with `agents` on it."""
    level, _ = email_service(email.queue, email.contacts, email.aht_seconds, agents, SLOT_MINUTES, occupancy)
    return int(((level >= 1.0) & (email.contacts > 0)).sum())


def _trade(
    placed: list[PlacedShift],
    late: int,
    window: list[int],
    members: dict[int, list[tuple[int, int]]],
    email: QueueDemand,
    live: dict[str, QueueDemand],
    served: dict[tuple[str, int], int],
    agents: np.ndarray,
    occupancy: float,
    moves: _BlockMoves | None,
) -> list[tuple[int, list[int]]]:
    """Parts of phone or chat blocks inside `window` to move to `email` although their queues
    cannot spare them, while `email` answers fewer of its intervals in time than its target:
    the cheapest parts first (each slot that falls below its queue's requirement costs that
    queue's share of one busy slot, as the roster's score counts it), added until the emails
    of slot `late` are in time, and kept only when the email slots they bring in time are
    worth more, at email's share of one busy slot, than the phone and chat slots they cost.
    [] when no such trade is found (a tight team: nobody is spare and every move costs)."""
    busy = int((email.contacts > 0).sum())
    now = _in_time(email, agents, occupancy)
    if not busy or now >= email.queue.service_level * busy - 1e-9:
        return []
    worth = {q: 1.0 / max(1, int((d.contacts > 0).sum())) for q, d in live.items()}
    taken: dict[tuple[str, int], int] = defaultdict(int)  # slots of each live queue the trade gives up

    def lost(queue: str, s: int) -> float:  # the queue's share lost by one more agent off slot s
        demand = live[queue]
        return worth[queue] if served[queue, s] - taken[queue, s] <= demand.required[s] and demand.contacts[s] > 0 else 0.0

    options: list[tuple[float, int, str, int, list[int]]] = []
    for t in window:
        for i, j in members.get(t, ()):
            queue = placed[i].activity[j]
            if queue not in live:
                continue
            for offsets in [[j]] if moves is None else moves.parts(i, j, email.name):
                slots = [placed[i].first_slot + k for k in offsets]
                if any(s >= WEEK_SLOTS for s in slots):
                    continue
                cost = sum(lost(queue, s) for s in slots)
                options.append((cost / len(offsets), len(offsets), placed[i].assignment.agent.agent_id, i, offsets))
        if len(options) >= MOST_TRADE_OPTIONS:  # the earliest slots of the window help most emails
            break
    options.sort(key=lambda option: option[:3])
    chosen: list[tuple[int, list[int]]] = []
    trial, cost = agents.copy(), 0.0
    for _, _, _, i, offsets in options:
        if any(i == c for c, _ in chosen):
            continue
        queue = placed[i].activity[offsets[0]]
        for k in offsets:
            s = placed[i].first_slot + k
            cost += lost(queue, s)
            taken[queue, s] += 1
            trial[s] += 1
        chosen.append((i, offsets))
        if len(chosen) >= MOST_TRADES or _first_late(email, trial, occupancy, late) != late:
            break
    gained = _in_time(email, trial, occupancy) - now
    return chosen if chosen and gained / busy > cost + 1e-9 else []


# Parts a trade may gather to bring one late email slot in time, the parts it chooses among, and
# the trades an email queue may look for in vain (each is a few deadline checks; a team short
# all week would otherwise look at every late slot of a 72-hour window).
MOST_TRADES = 8
MOST_TRADE_OPTIONS = 400
MOST_FAILED_TRADES = 24


def _spare_segment(
    shift: PlacedShift, parts: list[list[int]], queue: str, served: dict[tuple[str, int], int], demand: QueueDemand
) -> list[int] | None:
    """The smallest of `parts` (parts of a block on `queue` that keep the shift's blocks when they
    go to email) that leaves `queue` at or above its requirement in every slot it leaves."""
    best = None
    for offsets in parts:
        slots = [shift.first_slot + k for k in offsets]
        if any(t >= WEEK_SLOTS or served[queue, t] <= demand.required[t] for t in slots):
            continue
        if best is None or len(offsets) < len(best):
            best = offsets
    return best


def _window(late: int, deadline: int) -> list[int]:
    """Slots that can still answer an email of slot `late` in time, latest last (the week is
    cyclic, as the backlog is): from its arrival to its deadline."""
    return [(late + k) % WEEK_SLOTS for k in range(max(1, deadline))]


def _first_late(email: QueueDemand, agents: np.ndarray, occupancy: float, after: int = 0) -> int | None:
    """The first slot from `after` on whose emails miss the deadline with `agents` on email per
    slot, or None."""
    level, _ = email_service(email.queue, email.contacts, email.aht_seconds, agents, SLOT_MINUTES, occupancy)
    late = np.flatnonzero((level[after:] < 1.0) & (email.contacts[after:] > 0))
    return after + int(late[0]) if len(late) else None


def cover_short(placed: list[PlacedShift], demands: Sequence[QueueDemand]) -> None:
    """Slot by slot, move an agent from a phone or chat queue staffed above its requirement to
    one below it that the agent is skilled for. Queues are chosen per skill set in
    `_assign_queues`, so one skill set can leave a queue an agent short while another's agents
    sit above a queue both serve (measured at 350 agents: 53 intervals an agent short, most
    such). An agent already on the short queue the slot before moves first, so blocks hold;
    email never gives up its people here (its deadline was planned)."""
    live = {d.name: d for d in demands if not d.deferred}
    on_queue: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for i, shift in enumerate(placed):
        if shift.assignment.queue is not None:
            continue  # held to one queue for the shift
        for j, activity in enumerate(shift.activity):
            if activity in live:
                on_queue[shift.first_slot + j].append((i, j))
    for slot in sorted(on_queue):
        if slot < WEEK_SLOTS:
            _cover_slot(placed, on_queue[slot], slot, live)


def cover_short_blocks(placed: list[PlacedShift], demands: Sequence[QueueDemand], blocks: Blocks) -> None:
    """`cover_short` in blocks: where a phone or chat queue is short, a donor agent (on another
    live queue, skilled for the short one) moves a part of its block of at least `min_slots`, or
    the whole block, when the shift keeps its blocks and the move mends more short slots of the
    short queue than it opens on the donor's queue (earliest slots first)."""
    live = {d.name: d for d in demands if not d.deferred}
    served: dict[tuple[str, int], int] = defaultdict(int)
    on_queue: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for i, shift in enumerate(placed):
        for j, activity in enumerate(shift.activity):
            served[activity, shift.first_slot + j] += 1
            if shift.assignment.queue is None and activity in live:
                on_queue[shift.first_slot + j].append((i, j))

    def short(queue: str, t: int) -> bool:
        return t < WEEK_SLOTS and served[queue, t] < live[queue].required[t]

    moves = _BlockMoves(placed, blocks)
    for slot in range(WEEK_SLOTS):
        for q, demand in sorted(live.items()):
            while served[q, slot] < demand.required[slot]:
                best: tuple[tuple[int, int, str], int, list[int]] | None = None
                for i, j in on_queue.get(slot, ()):
                    shift = placed[i]
                    donor = shift.activity[j]
                    if donor == q or donor not in live or not skills(shift.assignment.agent.skills, q):
                        continue
                    for offsets in moves.parts(i, j, q):
                        slots = [shift.first_slot + k for k in offsets]
                        mended = sum(short(q, t) for t in slots)
                        opened = sum(t < WEEK_SLOTS and served[donor, t] <= live[donor].required[t] for t in slots)
                        key = (opened - mended, len(offsets), shift.assignment.agent.agent_id)
                        if mended > opened and (best is None or key < best[0]):
                            best = (key, i, offsets)
                if best is None:
                    break
                _, i, offsets = best
                for k in offsets:
                    t = placed[i].first_slot + k
                    served[placed[i].activity[k], t] -= 1
                    placed[i].activity[k] = q
                    served[q, t] += 1
                moves.moved(i)


def _cover_slot(placed: list[PlacedShift], members: list[tuple[int, int]], slot: int, live: dict[str, QueueDemand]) -> None:
    """`cover_short` in one slot: `members` are the (shift, offset) pairs on a live queue."""
    served: dict[str, int] = defaultdict(int)
    for i, j in members:
        served[placed[i].activity[j]] += 1

    def spare(i: int, j: int) -> int:  # agents above requirement on the queue this agent serves
        queue = placed[i].activity[j]
        return served[queue] - int(live[queue].required[slot])

    for q, demand in sorted(live.items()):
        while served[q] < demand.required[slot]:
            donors = [(i, j) for i, j in members if placed[i].activity[j] != q and skills(placed[i].assignment.agent.skills, q)]
            donors = [(i, j) for i, j in donors if spare(i, j) > 0]
            if not donors:
                break
            i, j = min(
                donors,
                key=lambda d: (
                    not (d[1] > 0 and placed[d[0]].activity[d[1] - 1] == q),  # on q the slot before
                    -spare(*d),
                    placed[d[0]].assignment.agent.agent_id,
                ),
            )
            served[placed[i].activity[j]] -= 1
            placed[i].activity[j] = q
            served[q] += 1
