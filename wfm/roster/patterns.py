"""Where breaks and lunch may sit inside a shift, and the on-queue time the model can count on.

The week model does not place breaks (explicit positions multiply its size several times and
slow the service solve); it counts each shift as on queue for the expected share of each slot,
with lunch spread over its window and breaks over their allowed span. A later stage places
every break and lunch where the queues can best spare the agent, within the same spans.

How many breaks and lunches a shift has and where each may start are the rules `breaks` and
`lunch` (`wfm.roster.rules`). House rules beyond FORMATS.md, so a day reads well: breaks and
lunch are separated by at least 15 minutes on queue; with two breaks and a lunch, one break
falls before lunch and one after (`realize`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from wfm.roster.candidates import SLOT_MINUTES
from wfm.roster.rules import breaks, lunch
from wfm.rules import RulesProfile

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
    """Where the rules `lunch` and `breaks` let a shift `length` minutes long have them."""
    meal, pauses = lunch(rules, length), breaks(rules, length)
    return ShiftPattern(length, meal.minutes, meal.starts, pauses.minutes, pauses.count, pauses.starts)


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
