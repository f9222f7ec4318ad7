"""Where breaks and lunch may sit inside a shift, and the on-queue time the model can count on.

The week model does not place breaks (explicit positions multiply its size several times and
slow the service solve); it counts each shift as on queue for the expected share of each slot,
with lunch spread over its window and breaks over their allowed span. A later stage places
every break and lunch where the queues can best spare the agent, within the same spans.

House rules beyond FORMATS.md, so a day reads well: a break is at least an hour from either
edge of the shift; breaks and lunch are separated by at least 15 minutes on queue; with two
breaks and a lunch, one break falls before lunch and one after.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from wfm.roster.candidates import SLOT_MINUTES
from wfm.rules import RulesProfile

EDGE_MINUTES = 60
GAP_MINUTES = 15
# The model counts on-queue capacity in tenths of an agent.
SCALE = 10


@dataclass(frozen=True)
class ShiftPattern:
    length: int  # minutes
    lunch_minutes: int
    lunch_starts: tuple[int, ...]  # allowed lunch start offsets (minutes from shift start)
    break_minutes: int
    breaks: int
    break_starts: tuple[int, ...]  # allowed break start offsets, before lunch placement

    @property
    def slots(self) -> int:
        return self.length // SLOT_MINUTES


@cache
def shift_pattern(length: int, rules: RulesProfile) -> ShiftPattern:
    hours = length / 60
    lunch = rules.lunch_minutes_for(hours)
    lunch_starts: tuple[int, ...] = ()
    if lunch:
        low, high = (round(h * 60) for h in rules.breaks.lunch_after_hours)
        lunch_starts = tuple(
            s for s in range(low - low % SLOT_MINUTES, high + 1, SLOT_MINUTES) if low <= s and s > 0 and s + lunch < length
        )
    breaks = rules.breaks_for(hours)
    minutes = rules.breaks.break_minutes
    edge = EDGE_MINUTES if length >= 4 * EDGE_MINUTES else SLOT_MINUTES
    break_starts = tuple(range(edge, length - edge - minutes + 1, SLOT_MINUTES)) if breaks else ()
    return ShiftPattern(length, lunch, lunch_starts, minutes, breaks, break_starts)


@cache
def expected_on_queue(length: int, rules: RulesProfile) -> tuple[int, ...]:
    """On-queue share of each slot of a shift, in tenths of an agent (rounded to nearest: rounding
    down would under-count a 9-hour shift by about 4% and buy hours the week does not need)."""
    pattern = shift_pattern(length, rules)
    slots = pattern.slots
    off = np.zeros(slots)
    if pattern.lunch_starts:
        share = 1.0 / len(pattern.lunch_starts)
        for start in pattern.lunch_starts:
            first = start // SLOT_MINUTES
            off[first : first + pattern.lunch_minutes // SLOT_MINUTES] += share
    if pattern.breaks and pattern.break_starts:
        per_start = pattern.breaks / len(pattern.break_starts)
        for start in pattern.break_starts:
            first = start // SLOT_MINUTES
            off[first : first + pattern.break_minutes // SLOT_MINUTES] += per_start
    on = np.clip(1.0 - off, 0.0, 1.0)
    return tuple(round(v * SCALE) for v in on)
