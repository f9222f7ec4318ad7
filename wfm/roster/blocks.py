"""Queue blocks: a shift's on-queue time as runs of one queue (`[blocks]` in the profile).

A block is a maximal run of one queue in a shift's on-queue slots; breaks and lunch neither end
nor lengthen it. With blocks, each block of a shift lasts `min_slots` on-queue slots unless it is
the shift's only one, and a shift changes queue `max_switches` times at most.

`improve_blocks` re-chooses, one shift at a time with every other shift as it stands, the whole
queue sequence of a shift by dynamic programming over its on-queue slots (state: the queue, the
block's length so far, the switches used), so that the phone and chat slots brought to their
requirement are the most the shift's agent can bring, each weighed as the roster's score weighs
its interval (the score is the mean over queues of each queue's share of busy intervals on
target), and, among equals, the service level its agent adds. Email slots stay where they are:
the deadline pass placed them. A shift takes a new sequence only when it is strictly better, so
the passes never make the roster worse by that count and end when a pass changes nothing."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wfm.planfiles import OFF_QUEUE
from wfm.roster.candidates import WEEK_SLOTS
from wfm.roster.demand import QueueDemand
from wfm.roster.rules import Blocks, max_switches, min_block

# A slot of no queue: a break, lunch, or one not given a queue yet.
NO_QUEUE = OFF_QUEUE | {""}
# Among sequences that bring as many slots to requirement, the service level one more agent
# adds (contacts answered in target) counts at this fraction of a slot brought to requirement.
LEVEL_WEIGHT = 1e-3
MAX_PASSES = 3


def queue_runs(activity: Sequence[str]) -> list[tuple[str, int]]:
    """The shift's blocks as (queue, on-queue slots); break and lunch neither end nor lengthen one."""
    runs: list[tuple[str, int]] = []
    for name in activity:
        if name in NO_QUEUE:
            continue
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + 1)
        else:
            runs.append((name, 1))
    return runs


def keeps_blocks(activity: Sequence[str], blocks: Blocks) -> bool:
    """Whether the shift's queues keep the rules `min_block` and `max_switches`."""
    runs = queue_runs(activity)
    only = len(runs) <= 1
    return max_switches(blocks, len(runs) - 1) and all(min_block(blocks, size, only=only) for _, size in runs)


def improve_blocks(
    activities: list[list[str]],
    first_slots: Sequence[int],
    choices: Sequence[Sequence[str]],
    demands: Sequence[QueueDemand],
    blocks: Blocks,
) -> int:
    """Re-choose the phone and chat queues of the shifts in `activities` (per shift, per slot: a
    queue or an off-queue activity; every shift keeping its blocks) in place; the shifts changed.
    `choices[i]` are the queues shift `i` may serve."""
    live = {d.name: d for d in demands if not d.deferred}
    served = {q: np.zeros(WEEK_SLOTS, dtype=int) for q in live}
    for i, activity in enumerate(activities):
        for j, a in enumerate(activity):
            t = first_slots[i] + j
            if a in served and t < WEEK_SLOTS:
                served[a][t] += 1
    busy = {q: int((d.contacts > 0).sum()) for q, d in live.items()}
    worth = {q: 1.0 / n if n else 0.0 for q, n in busy.items()}
    movable = [i for i, a in enumerate(activities) if sum(q in live for q in choices[i]) >= 2 and any(x in live for x in a)]
    movable.sort(key=lambda i: (first_slots[i], i))
    changed: set[int] = set()
    for _ in range(MAX_PASSES):
        moved = 0
        for i in movable:
            activity = activities[i]
            offsets = [j for j, a in enumerate(activity) if a not in NO_QUEUE]
            slots = [first_slots[i] + j for j in offsets]
            for j, t in zip(offsets, slots, strict=True):
                if activity[j] in served and t < WEEK_SLOTS:
                    served[activity[j]][t] -= 1
            queues = [q for q in choices[i] if q in live]
            gains = _gains(queues, slots, served, live, worth)
            current = [activity[j] for j in offsets]
            sequence = _best_sequence(current, queues, gains, blocks)
            if sequence is not None:
                for j, q in zip(offsets, sequence, strict=True):
                    activity[j] = q
                changed.add(i)
                moved += 1
            for j, t in zip(offsets, slots, strict=True):
                if activity[j] in served and t < WEEK_SLOTS:
                    served[activity[j]][t] += 1
        if not moved:
            break
    return len(changed)


def _gains(
    queues: list[str], slots: list[int], served: dict[str, np.ndarray], live: dict[str, QueueDemand], worth: dict[str, float]
) -> np.ndarray:
    """[slot, queue]: what the shift's agent adds on each queue in each of its on-queue slots."""
    gains = np.zeros((len(slots), len(queues)))
    for k, t in enumerate(slots):
        if t >= WEEK_SLOTS:
            continue
        for c, q in enumerate(queues):
            demand = live[q]
            n = int(served[q][t])
            reach = worth[q] if n < demand.required[t] <= n + 1 else 0.0
            level = 0.0
            curve = demand.expected_sl
            if curve is not None and n + 1 < curve.shape[1]:
                level = float(demand.contacts[t]) * float(curve[t, n + 1] - curve[t, n])
            gains[k, c] = reach + LEVEL_WEIGHT * worth[q] * level
    return gains


def _best_sequence(current: list[str], queues: list[str], gains: np.ndarray, blocks: Blocks) -> list[str] | None:
    """The queue per on-queue slot worth most that keeps the blocks, email slots (any queue not
    in `queues`) where they are; None when it is not strictly better than `current`."""
    n, size = len(current), blocks.min_slots
    names = queues + sorted({q for q in current if q not in queues})
    index = {q: c for c, q in enumerate(names)}
    fixed = [index[q] if q not in queues else -1 for q in current]
    value = np.zeros((n, len(names)))
    value[:, : len(queues)] = gains
    # state (queue, run capped at size, switches): best total and where it came from
    best: dict[tuple[int, int, int], float] = {}
    back: list[dict[tuple[int, int, int], tuple[int, int, int] | None]] = []
    for c in range(len(names)):
        if fixed[0] in (-1, c) and (fixed[0] != -1 or c < len(queues)):
            best[c, 1, 0] = value[0, c]
    back.append(dict.fromkeys(best))
    for k in range(1, n):
        step: dict[tuple[int, int, int], float] = {}
        came: dict[tuple[int, int, int], tuple[int, int, int] | None] = {}
        for (c, run, used), total in best.items():
            for d in range(len(names)):
                if fixed[k] not in (-1, d) or (fixed[k] == -1 and d >= len(queues)):
                    continue
                if d == c:
                    state = (c, min(run + 1, size), used)
                elif min_block(blocks, run) and max_switches(blocks, used + 1):
                    state = (d, 1, used + 1)
                else:
                    continue
                score = total + value[k, d]
                if state not in step or score > step[state] + 1e-12:
                    step[state] = score
                    came[state] = (c, run, used)
        best = step
        back.append(came)
    ends = [(total, state) for state, total in best.items() if min_block(blocks, state[1], only=state[2] == 0)]
    if not ends:
        return None
    total, state = max(ends, key=lambda item: (item[0], -item[1][2]))
    now = sum(value[k, index[q]] for k, q in enumerate(current))
    if total <= now + 1e-9:
        return None
    sequence = []
    at: tuple[int, int, int] | None = state
    for k in range(n - 1, -1, -1):
        if at is None:  # every state of the last slot leads back to the first; else keep the shift
            return None
        sequence.append(names[at[0]])
        at = back[k][at]
    sequence.reverse()
    return sequence
