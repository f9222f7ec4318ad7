"""The runs summed up: per interval and per queue figures, the spread across runs, and Erlang's
prediction for the same roster and demand."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.erlang import queue_metrics
from wfm.simulate.dispatch import _Contacts
from wfm.simulate.inputs import _Demand, _Staffing
from wfm.simulate.results import HandleTime, QueueSimulation, Routing, SimulationResult
from wfm.workspace import QueueConfig


def _summarise(
    contacts: _Contacts,
    starts: np.ndarray,
    demand: _Demand,
    staffing: _Staffing,
    queues: tuple[QueueConfig, ...],
    runs: int,
    seed: int,
    routing: Routing,
    overdispersion: float,
    handle_time: HandleTime,
) -> SimulationResult:
    tally = _Tally.of(contacts, starts, demand, queues, runs)
    agent_seconds = _agent_seconds(staffing)
    summaries: dict[str, QueueSimulation] = {}
    for q, queue in enumerate(queues):
        mine = demand.queue == q
        offered_q = tally.offered[:, mine].sum(axis=1)
        answered_q = tally.answered[:, mine].sum(axis=1)
        total_offered = float(offered_q.sum())
        queued_q = float(tally.queued[:, mine].sum())
        level, interval = _mean_and_interval(answered_q, offered_q)
        erlang = _erlang_prediction(queue, demand, mine, staffing.bounds, agent_seconds[q])
        summaries[queue.name] = QueueSimulation(
            offered=total_offered / runs,
            service_level=level,
            service_level_ci=interval,
            asa_seconds=float(tally.wait_sum[:, mine].sum() / queued_q) if queued_q > 0 else None,
            abandon_rate=float(tally.abandoned[:, mine].sum() / total_offered) if total_offered > 0 else None,
            erlang_service_level=erlang,
            disagrees_with_erlang=None if interval is None or erlang is None else not interval[0] <= erlang <= interval[1],
        )
    return SimulationResult(
        intervals=tally.intervals(demand, queues),
        queues=summaries,
        runs=runs,
        seed=seed,
        routing=routing,
        overdispersion=overdispersion,
        handle_time=handle_time,
    )


@dataclass(frozen=True)
class _Tally:
    """Per (run, forecast row) counts: offered, answered within target, abandoned, queued (answered
    or abandoned), and the summed time in queue."""

    offered: np.ndarray
    answered: np.ndarray
    abandoned: np.ndarray
    queued: np.ndarray
    wait_sum: np.ndarray

    @classmethod
    def of(cls, contacts: _Contacts, starts: np.ndarray, demand: _Demand, queues: tuple[QueueConfig, ...], runs: int) -> _Tally:
        n_rows = demand.contacts.size
        real = contacts.row >= 0
        row = np.where(real, contacts.row, 0)
        wait = starts - contacts.arrival
        served = real & np.isfinite(starts)
        abandoned = real & ~served & np.isfinite(contacts.patience)
        # Time in queue as wfm.erlang counts it for ASA: answered contacts their wait, abandoners the time
        # until they hung up. A contact no agent could ever take (no row after it) has no finite wait.
        queued = served | abandoned
        in_queue = np.where(served, wait, np.where(abandoned, contacts.patience, 0.0))
        target = np.array([_target_seconds(q) for q in queues])[contacts.queue]
        deferred = np.array([q.is_deferred for q in queues])[contacts.queue]
        # Email is answered when the reply goes out; calls and chats when an agent picks them up.
        answered_in = np.where(deferred, wait + contacts.handle, wait)
        on_time = served & (answered_in <= target)

        # Per (run, forecast row) sums with one bincount each.
        key = (np.arange(runs)[None, :] * n_rows + row)[real]
        size = runs * n_rows

        def per_run_row(weights: np.ndarray) -> np.ndarray:
            return np.bincount(key, weights=weights[real].astype(float), minlength=size).reshape(runs, n_rows)

        return cls(per_run_row(real), per_run_row(on_time), per_run_row(abandoned), per_run_row(queued), per_run_row(in_queue))

    def intervals(self, demand: _Demand, queues: tuple[QueueConfig, ...]) -> pd.DataFrame:
        """simulation.csv: per forecast row the means over runs; service level and ASA as ratios of sums."""
        with np.errstate(invalid="ignore", divide="ignore"):
            intervals = pd.DataFrame(
                {
                    "queue": [queues[q].name for q in demand.queue],
                    "interval_start": demand.interval_start,
                    "offered": self.offered.mean(axis=0),
                    "answered_within_target": self.answered.mean(axis=0),
                    "abandoned": self.abandoned.mean(axis=0),
                    "service_level": self.answered.sum(axis=0) / self.offered.sum(axis=0),
                    "asa_seconds": self.wait_sum.sum(axis=0) / self.queued.sum(axis=0),
                }
            )
        return intervals.sort_values(["queue", "interval_start"], kind="stable").reset_index(drop=True)


def _target_seconds(queue: QueueConfig) -> float:
    """The answer target: the reply deadline for email, the answer time for calls and chats."""
    if queue.is_deferred and queue.respond_within_hours is not None:
        return queue.respond_within_hours * 3600.0
    return queue.answer_seconds or 0.0


def _mean_and_interval(answered: np.ndarray, offered: np.ndarray) -> tuple[float | None, tuple[float, float] | None]:
    """Mean of the per-run service levels and its 95% Student-t interval (runs with no contacts are left out)."""
    levels = answered[offered > 0] / offered[offered > 0]
    if levels.size == 0:
        return None, None
    mean = float(levels.mean())
    if levels.size < 2:
        return mean, None
    half = _t_quantile(0.975, levels.size - 1) * float(levels.std(ddof=1)) / math.sqrt(levels.size)
    return mean, (max(0.0, mean - half), min(1.0, mean + half))


def _t_quantile(p: float, dof: int) -> float:
    """Student-t quantile: exact for 1 and 2 degrees of freedom, a Cornish-Fisher expansion above
    (error below 1e-4 from 3 degrees of freedom at p = 0.975; no scipy in the dependencies)."""
    if dof == 1:
        return math.tan(math.pi * (p - 0.5))
    if dof == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    z = statistics.NormalDist().inv_cdf(p)
    n = float(dof)
    return (
        z
        + (z**3 + z) / (4 * n)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * n**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * n**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * n**4)
    )


def _agent_seconds(staffing: _Staffing) -> np.ndarray:
    """(queues, boundaries): rostered on-queue agent-seconds accumulated up to each boundary (breaks removed).

    Between boundaries the count is constant, so linear interpolation of this table is exact."""
    widths = np.diff(staffing.bounds)
    counts = staffing.roster_on_queue[:, 1:-1]  # the segments between consecutive boundaries
    return np.concatenate((np.zeros((counts.shape[0], 1)), np.cumsum(counts * widths[None, :], axis=1)), axis=1)


def _erlang_prediction(
    queue: QueueConfig, demand: _Demand, rows: np.ndarray, bounds: np.ndarray, agent_seconds: np.ndarray
) -> float | None:
    """Erlang's service level for one queue's week, contact-weighted over its intervals.

    Per interval: Erlang C (Erlang A with patience) at the rostered on-queue agents in that interval
    (time-weighted, so a row covering half the interval counts half; k servers each for chat), the
    interval's contacts and AHT. Fractional server counts interpolate linearly between the
    neighbouring whole numbers. Email is deferred work, where an interval-by-interval Erlang figure
    would call every email that arrives at night late; its prediction is the fluid check instead.
    """
    contacts = demand.contacts[rows]
    total = float(contacts.sum())
    if total <= 0:
        return None
    lo = demand.start_seconds[rows]
    hi = lo + demand.interval_seconds
    if queue.is_deferred:
        hours = queue.respond_within_hours if queue.respond_within_hours is not None else 24.0
        return _fluid_email_level(contacts, demand.aht_seconds[rows], lo, hi, hours * 3600.0, bounds, agent_seconds)
    agents = (np.interp(hi, bounds, agent_seconds) - np.interp(lo, bounds, agent_seconds)) / demand.interval_seconds
    busy = contacts > 0
    aht = demand.aht_seconds[rows][busy]
    traffic = contacts[busy] * aht / demand.interval_seconds
    servers = agents[busy] * queue.concurrency
    whole = np.floor(servers)
    part = servers - whole
    levels = (1 - part) * _erlang_levels(queue, traffic, whole, aht) + part * _erlang_levels(queue, traffic, whole + 1, aht)
    return float((levels * contacts[busy]).sum() / total)


def _fluid_email_level(
    contacts: np.ndarray,
    aht_seconds: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    deadline_seconds: float,
    bounds: np.ndarray,
    agent_seconds: np.ndarray,
) -> float:
    """Share of emails answered in time when email work flows like a fluid through the rostered capacity.

    FIFO fluid: the backlog (seconds of work) grows with arrivals and drains at the rostered email
    agents' rate, never below zero. An interval's emails count as on time when the work queued at
    the interval's midpoint is done within `deadline_seconds` of it (RESEARCH: "capacity given to
    email up to t ≥ emails that arrived by t − deadline"). Arrivals and capacity are taken as
    spread evenly over each interval.
    """
    order = np.argsort(lo, kind="stable")
    contacts, work = contacts[order], (contacts * aht_seconds)[order]
    lo, hi = lo[order], hi[order]
    mid = (lo + hi) / 2

    def capacity(t: np.ndarray) -> np.ndarray:
        return np.interp(t, bounds, agent_seconds)

    at_lo, at_mid, at_hi = capacity(lo), capacity(mid), capacity(hi)
    ahead = capacity(mid + deadline_seconds) - at_mid
    on_time = np.zeros(contacts.size, dtype=bool)
    carried, previous_end = 0.0, float(at_lo[0])
    for i in range(contacts.size):
        start_backlog = max(0.0, carried - (at_lo[i] - previous_end))  # capacity between forecast rows drains it too
        mid_backlog = max(0.0, start_backlog + work[i] / 2 - (at_mid[i] - at_lo[i]))
        on_time[i] = ahead[i] >= mid_backlog - 1e-9
        carried = max(0.0, start_backlog + work[i] - (at_hi[i] - at_lo[i]))
        previous_end = float(at_hi[i])
    return float((contacts * on_time).sum() / contacts.sum())


def _erlang_levels(queue: QueueConfig, traffic: np.ndarray, servers: np.ndarray, aht_seconds: np.ndarray) -> np.ndarray:
    """wfm.erlang's service level (share of all arrivals answered within target) at whole server counts."""
    metrics = queue_metrics(servers, traffic, aht_seconds, queue.answer_seconds or 0.0, 1, queue.patience_seconds)
    return np.asarray(metrics.service_level, dtype=float)
