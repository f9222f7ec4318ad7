"""One interval, sized (the fewest on-queue agents meeting the target) or evaluated (a given
staffing), with its verdict and its JSON shape: what `wfm erlang` answers.

Not imported by `wfm.erlang` itself: shrinkage comes from `wfm.requirements`, which builds on
`wfm.erlang`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from wfm.erlang.metrics import Staffing, evaluate, traffic_erlangs
from wfm.erlang.sizing import required_agents
from wfm.requirements import apply_shrinkage

# The verdict forgives a miss by less than this, as the sizing does.
_TOLERANCE = 1e-12


@dataclass(frozen=True)
class IntervalStaffing:
    """An interval's staffing and whether it meets the service level and the occupancy cap.

    `sized` is true when `staffing.agents` is the fewest meeting the target, false when it was
    given. `max_occupancy` 1 means no cap.
    """

    staffing: Staffing
    sized: bool
    agents_with_shrinkage: int
    service_level_target: float
    answer_seconds: float
    max_occupancy: float
    meets_target: bool

    @property
    def model(self) -> str:
        """`erlang_a` where callers hang up (a patience was given), else `erlang_c`."""
        return "erlang_a" if self.staffing.abandon_rate is not None else "erlang_c"

    def as_json(self) -> dict[str, Any]:
        """One JSON object; an unbounded ASA (too few agents) is null, as JSON has no infinity."""
        result = self.staffing
        return {
            "mode": "sized" if self.sized else "evaluated",
            "model": self.model,
            "agents": result.agents,
            "agents_with_shrinkage": self.agents_with_shrinkage,
            "servers": result.servers,
            "traffic_erlangs": result.traffic_erlangs,
            "service_level": result.service_level,
            "service_level_target": self.service_level_target,
            "answer_seconds": self.answer_seconds,
            "asa_seconds": result.asa_seconds if math.isfinite(result.asa_seconds) else None,
            "occupancy": result.occupancy,
            "max_occupancy": self.max_occupancy,
            "probability_wait": result.probability_wait,
            "abandon_rate": result.abandon_rate,
            "meets_target": self.meets_target,
        }


def staff_interval(
    contacts: float,
    interval_minutes: float,
    aht_seconds: float,
    service_level: float = 0.8,
    answer_seconds: float = 20.0,
    concurrency: int = 1,
    patience_seconds: float | None = None,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
    agents: int | None = None,
) -> IntervalStaffing:
    """Size the interval (without `agents`) or evaluate `agents` on-queue agents; Erlang C, or
    Erlang A with `patience_seconds`. `agents_with_shrinkage` is ⌈agents / (1 − shrinkage)⌉."""
    cap = 1.0 if max_occupancy is None else max_occupancy
    sized = agents is None
    if agents is None:
        traffic = float(traffic_erlangs(contacts, aht_seconds, interval_minutes))
        agents = int(
            required_agents(
                traffic, aht_seconds, service_level, answer_seconds, cap, concurrency, patience_seconds=patience_seconds
            )
        )
    result = evaluate(agents, contacts, aht_seconds, interval_minutes, answer_seconds, concurrency, patience_seconds)
    meets = result.service_level >= service_level - _TOLERANCE and result.occupancy <= cap + _TOLERANCE
    return IntervalStaffing(
        staffing=result,
        sized=sized,
        agents_with_shrinkage=int(apply_shrinkage(result.agents, shrinkage)),
        service_level_target=service_level,
        answer_seconds=answer_seconds,
        max_occupancy=cap,
        meets_target=meets,
    )
