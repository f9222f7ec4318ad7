"""Email in the week model: what agents do by the end of each block covers the emails due by
then (`email_targets`), first in first out, the week taken as cyclic; lateness is costed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster.candidates import SLOT_MINUTES, WEEK_SLOTS
from wfm.roster.demand import QueueDemand, ServiceWeights
from wfm.roster.patterns import SCALE
from wfm.roster.week.model import BLOCK, BLOCK_MINUTES, BLOCKS, _fmt, _sum


def email_targets(demand: QueueDemand) -> tuple[np.ndarray, np.ndarray]:
    """Per block end: cumulative agent-minutes of email that may be done (arrived) and that must
    be done (all that arrived a deadline earlier). The week is taken as cyclic: the backlog at
    Monday 00:00 UTC is what arrives in the week's last deadline span.

    All of it, not the service level's share: emails are answered first in, first out, so an
    email is in time only when everything that arrived before it is done by its deadline (a
    target of the service level's share lets the backlog fall further behind all week)."""
    assert demand.workload is not None and demand.queue.respond_within_hours is not None
    work = demand.workload
    deadline = min(round(demand.queue.respond_within_hours * 60 / SLOT_MINUTES), WEEK_SLOTS)
    backlog = work[WEEK_SLOTS - deadline :] if deadline else np.zeros(0)
    cumulative = np.cumsum(np.concatenate([backlog, work]))  # arrivals from −deadline onwards
    may = cumulative[deadline:]
    must = cumulative[:WEEK_SLOTS]
    ends = np.arange(BLOCK - 1, WEEK_SLOTS, BLOCK)
    return may[ends], must[ends]


def _email(
    cp: cp_model.CpModel,
    demand: QueueDemand,
    on_queue: dict[int, list[Any]],
    weights: ServiceWeights,
    occupancy: float,
) -> list[tuple[Any, float]]:
    """Deferred work: what email agents have done by each block covers the emails due by then.
    Returns the costed lateness terms."""
    may, must = email_targets(demand)
    per_agent = BLOCK_MINUTES * occupancy
    total_work = int(np.ceil(may[-1])) + 1
    cumulative: Any = 0
    costs: list[tuple[Any, float]] = []
    for block in range(BLOCKS):
        label = f"{demand.name},{_fmt(block * BLOCK_MINUTES)}"
        agents = on_queue.get(block)
        if agents:
            done = cp.new_int_var(0, total_work, f"email_done[{label}]")
            cp.add(100 * SCALE * done <= round(100 * per_agent) * _sum(agents))
            running = cp.new_int_var(0, int(np.ceil(may[block])), f"email_cum[{label}]")
            cp.add(running == cumulative + done)
            cumulative = running
        need = int(np.ceil(must[block] - 1e-9))
        if need > 0:
            late = cp.new_int_var(0, need, f"email_late[{label}]")
            cp.add(cumulative + late >= need)
            costs.append((late, weights.email_late_minute * BLOCK))
    return costs
