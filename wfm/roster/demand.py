"""What the roster must serve, per queue and 15-minute slot, and what a shortfall costs.

A shortfall is costed by the service it loses, not by a flat headcount: for each interval the
cost of being k agents short is

    base · k  +  contact_weight · λ · (SL(req) − SL(req − k))

where SL is the *expected* service level under the forecast's uncertainty (arrivals Poisson
around the forecast, times a day-level multiplier), so one agent short at the Monday peak costs
more than one short at 3 a.m., and the roster is judged against what may arrive rather than
the point forecast. The solver sees the lower convex hull of that cost as linear cuts.

Email is deferred work: it carries its arriving workload (agent-minutes) and the deadline.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wfm import erlang
from wfm.errors import InputError
from wfm.roster.candidates import SLOT_MINUTES, WEEK_SLOTS
from wfm.rules import RulesProfile
from wfm.timegrid import week_start
from wfm.workspace import QueueConfig

# Day-level forecast error (coefficient of variation) assumed on top of Poisson noise.
DAY_LEVEL_CV = 0.08
# Nodes of the traffic-multiplier quadrature (Gauss–Hermite on a lognormal).
_GH_NODES, _GH_WEIGHTS = np.polynomial.hermite_e.hermegauss(7)
_GH_WEIGHTS = _GH_WEIGHTS / _GH_WEIGHTS.sum()


@dataclass(frozen=True)
class CostLine:
    """cost ≥ intercept + slope · shortfall, in objective units."""

    slope: int
    intercept: int


@dataclass
class QueueDemand:
    queue: QueueConfig
    required: np.ndarray  # on-queue agents needed per slot (int)
    contacts: np.ndarray  # contacts arriving per slot
    aht_seconds: np.ndarray
    expected_sl: np.ndarray | None = None  # [slot, n] expected service level, phone/chat
    workload: np.ndarray | None = None  # email: agent-minutes of work arriving per slot
    cost_lines: list[list[CostLine]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.queue.name

    @property
    def deferred(self) -> bool:
        return self.queue.is_deferred


@dataclass(frozen=True)
class ServiceWeights:
    """Objective weights, in units where one paid minute costs `paid_minute`."""

    paid_minute: int = 10
    # One agent short for one 15-minute slot costs as much as this many paid minutes, before the
    # contact-weighted part: service comes first, but a lone quarter hour does not buy a shift.
    short_agent_slot: int = 30 * 10
    # Each expected contact that misses its answer target because of a shortfall.
    contact_missed: int = 6 * 10
    # Email: each agent-minute of email work overdue, for each 15-minute slot it stays overdue.
    # Twice a paid minute, so doing the work is always cheaper than leaving it late (measured at
    # 350 agents: at 1, a roster trimmed to 1.09× the hours bound answered 35% of email in time).
    email_late_minute: int = 20
    # A phone or chat interval below its requirement at all, however little: intervals on target
    # is what planners count, and a tenth of an agent short misses the target as surely as one.
    missed_slot: int = 50 * 10
    night_shift: int = 30  # people: a night costs a little, so nights go where service needs them


def build_demand(
    requirements: pd.DataFrame,
    queues: Sequence[QueueConfig],
    rules: RulesProfile,
    week: dt.date,
    interval_minutes: int,
    weights: ServiceWeights,
    *,
    day_level_cv: float | Mapping[str, float] = DAY_LEVEL_CV,
) -> list[QueueDemand]:
    """Requirements frame (queue, interval_start, contacts, aht_seconds, agents) → per-slot demand.

    `day_level_cv` is the forecast's relative error beyond Poisson noise, one figure or per
    queue (the forecast's own backtest gives it; a queue it does not name takes `DAY_LEVEL_CV`)."""
    if interval_minutes % SLOT_MINUTES:
        raise InputError(f"wfm.toml [plan] interval_minutes: expected 15, 30 or 60, got {interval_minutes}")
    origin = pd.Timestamp(week_start(week))
    per_interval = interval_minutes // SLOT_MINUTES
    n_intervals = WEEK_SLOTS // per_interval
    demands = []
    for queue in queues:
        rows = requirements[requirements["queue"] == queue.name]
        offsets = ((rows["interval_start"] - origin) / pd.Timedelta(minutes=interval_minutes)).to_numpy()
        inside = (offsets >= 0) & (offsets < n_intervals)
        index = offsets[inside].astype(int)
        agents = np.zeros(n_intervals, dtype=int)
        contacts = np.zeros(n_intervals)
        aht = np.full(n_intervals, float(np.nanmedian(rows["aht_seconds"])) if len(rows) else 300.0)
        agents[index] = rows["agents"].to_numpy()[inside]
        contacts[index] = rows["contacts"].to_numpy(dtype=float)[inside]
        aht[index] = np.nan_to_num(rows["aht_seconds"].to_numpy(dtype=float)[inside], nan=float(np.nanmedian(aht)))
        slot_interval = np.repeat(np.arange(n_intervals), per_interval)
        demand = QueueDemand(
            queue=queue,
            required=agents[slot_interval],
            contacts=contacts[slot_interval] / per_interval,
            aht_seconds=aht[slot_interval],
        )
        if queue.is_deferred:
            demand.workload = demand.contacts * demand.aht_seconds / 60.0
        else:
            cv = day_level_cv if isinstance(day_level_cv, float | int) else day_level_cv.get(queue.name, DAY_LEVEL_CV)
            curve = expected_service_curve(queue, contacts, aht, interval_minutes, int(agents.max()) + 6, float(cv))
            demand.expected_sl = curve[slot_interval]
            demand.cost_lines = [
                shortfall_cost_lines(int(demand.required[s]), demand.contacts[s], demand.expected_sl[s], weights)
                for s in range(WEEK_SLOTS)
            ]
        demands.append(demand)
    return demands


def expected_service_curve(
    queue: QueueConfig,
    contacts: np.ndarray,
    aht_seconds: np.ndarray,
    interval_minutes: int,
    n_max: int,
    day_level_cv: float = DAY_LEVEL_CV,
) -> np.ndarray:
    """[interval, n] contact-weighted expected service level for n = 0..n_max on-queue agents.

    Traffic is uncertain: a lognormal multiplier with the CV of Poisson noise (1/√λ) and of the
    day-level error, integrated by Gauss–Hermite; each node is weighted by its volume because a
    busy interval's contacts count more than a quiet one's.
    """
    cv = np.sqrt(1.0 / np.maximum(contacts, 1.0) + day_level_cv**2)
    sigma = np.sqrt(np.log1p(cv**2))
    total = np.zeros((len(contacts), n_max + 1))
    weight_sum = np.zeros((len(contacts), 1))
    for node, weight in zip(_GH_NODES, _GH_WEIGHTS, strict=True):
        multiplier = np.exp(sigma * node - sigma**2 / 2)
        curve = erlang.service_curve(
            contacts * multiplier,
            aht_seconds,
            interval_minutes,
            queue.answer_seconds or 0.0,
            concurrency=queue.concurrency,
            patience_seconds=queue.patience_seconds,
            n_max=n_max,
        )
        total += weight * multiplier[:, None] * curve
        weight_sum += weight * multiplier[:, None]
    return total / weight_sum


def shortfall_cost_lines(required: int, contacts: float, curve: np.ndarray, weights: ServiceWeights) -> list[CostLine]:
    """Lower convex hull of the cost of being k = 0..required agents short, as linear cuts."""
    if required <= 0:
        return []
    k = np.arange(required + 1)
    at_required = curve[required]
    cost = weights.short_agent_slot * k + weights.contact_missed * contacts * (at_required - curve[required - k])
    hull = _lower_hull(k, cost)
    lines = []
    for (k0, c0), (k1, c1) in itertools.pairwise(hull):
        slope = (c1 - c0) / (k1 - k0)
        lines.append(CostLine(slope=round(slope), intercept=round(c0 - slope * k0)))
    return lines


def _lower_hull(xs: np.ndarray, ys: np.ndarray) -> list[tuple[float, float]]:
    hull: list[tuple[float, float]] = []
    for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
        while len(hull) >= 2:
            (x0, y0), (x1, y1) = hull[-2], hull[-1]
            if (y1 - y0) * (x - x0) >= (y - y0) * (x1 - x0):
                hull.pop()
            else:
                break
        hull.append((x, y))
    return hull
