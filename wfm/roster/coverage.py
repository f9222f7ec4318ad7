"""Scores a roster against the requirements: coverage.csv and the headline service figures.

`scheduled` is the average number of agents on the queue over the interval (an agent on the
queue for 10 of 15 minutes counts 2/3). Phone and chat service levels come from Erlang at that
staffing, interpolated between the neighbouring whole numbers of agents. Email is scored as a
fluid first-in-first-out backlog: the share of each interval's emails finished within the
deadline, with each on-queue agent working at the occupancy cap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from wfm import erlang
from wfm.roster.candidates import WEEK_MINUTES
from wfm.timegrid import interval_grid, week_start
from wfm.workspace import QueueConfig

ASA_CAP_SECONDS = 3600.0
COVERAGE_COLUMNS = ["queue", "interval_start", "required", "scheduled", "service_level", "asa_seconds"]


def scheduled_agents(roster: pd.DataFrame, queue: str, week: dt.date, interval_minutes: int) -> np.ndarray:
    """Average agents on `queue` per interval of the plan week, from roster rows."""
    origin = pd.Timestamp(week_start(week))
    minutes = np.zeros(WEEK_MINUTES + 1)
    rows = roster[roster["activity"] == queue]
    if len(rows):
        starts = ((pd.to_datetime(rows["start"], utc=True) - origin) / pd.Timedelta(minutes=1)).to_numpy()
        ends = ((pd.to_datetime(rows["end"], utc=True) - origin) / pd.Timedelta(minutes=1)).to_numpy()
        np.add.at(minutes, np.clip(starts, 0, WEEK_MINUTES).astype(np.int64), 1)
        np.add.at(minutes, np.clip(ends, 0, WEEK_MINUTES).astype(np.int64), -1)
    per_minute = np.cumsum(minutes)[:WEEK_MINUTES]
    return per_minute.reshape(-1, interval_minutes).mean(axis=1)


def coverage_frame(
    roster: pd.DataFrame,
    requirements: pd.DataFrame,
    queues: Sequence[QueueConfig],
    week: dt.date,
    interval_minutes: int,
    *,
    occupancy: float = 0.85,
) -> pd.DataFrame:
    grid = interval_grid(week, interval_minutes)
    frames = []
    for queue in queues:
        req = requirements[requirements["queue"] == queue.name].set_index("interval_start").reindex(grid)
        contacts = req["contacts"].fillna(0.0).to_numpy(dtype=float)
        aht = req["aht_seconds"].to_numpy(dtype=float)
        aht = np.where(np.isfinite(aht) & (aht > 0), aht, np.nanmedian(aht) if np.isfinite(aht).any() else 300.0)
        required = req["agents"].fillna(0).to_numpy(dtype=int)
        scheduled = scheduled_agents(roster, queue.name, week, interval_minutes)
        if queue.is_deferred:
            level, asa = email_service(queue, contacts, aht, scheduled, interval_minutes, queue.max_occupancy or occupancy)
        else:
            level, asa = phone_service(queue, contacts, aht, scheduled, interval_minutes)
        frames.append(
            pd.DataFrame(
                {
                    "queue": queue.name,
                    "interval_start": grid,
                    "required": required,
                    "scheduled": np.round(scheduled, 4),
                    "service_level": np.round(level, 6),
                    "asa_seconds": np.round(asa, 3),
                    "channel": queue.channel,
                    "target": queue.service_level,
                    "contacts": contacts,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def phone_service(
    queue: QueueConfig, contacts: np.ndarray, aht: np.ndarray, agents: np.ndarray, interval_minutes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Service level and ASA at fractional staffing, interpolated between whole agents."""
    n_max = int(np.ceil(agents.max())) + 1 if len(agents) else 1
    sl_curve = erlang.service_curve(
        contacts, aht, interval_minutes, queue.answer_seconds or 0.0, queue.concurrency, queue.patience_seconds, n_max
    )
    asa_curve = erlang.asa_curve(contacts, aht, interval_minutes, queue.concurrency, queue.patience_seconds, n_max)
    low = np.floor(agents).astype(int)
    high = np.minimum(low + 1, n_max)
    frac = agents - low
    rows = np.arange(len(agents))
    level = (1 - frac) * sl_curve[rows, low] + frac * sl_curve[rows, high]
    # An unstable queue (agents ≤ traffic) has infinite ASA; report it as an hour.
    capped = np.minimum(asa_curve, ASA_CAP_SECONDS)
    asa = (1 - frac) * capped[rows, low] + frac * capped[rows, high]
    idle = contacts <= 0
    level = np.where(idle, 1.0, level)
    asa = np.where(idle, 0.0, asa)
    return level, asa


def email_service(
    queue: QueueConfig,
    contacts: np.ndarray,
    aht: np.ndarray,
    agents: np.ndarray,
    interval_minutes: int,
    occupancy: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Share of each interval's emails answered within the deadline, and their mean wait, when
    emails are worked first in, first out by the rostered email capacity. The week is taken as
    cyclic (the backlog on Monday is what the week's last deadline span brings)."""
    deadline = (queue.respond_within_hours or 24.0) * 3600
    work = contacts * aht  # agent-seconds arriving per interval
    capacity = agents * interval_minutes * 60 * occupancy
    n = len(work)
    # two laps: the first settles the backlog that the second starts with
    arrivals = np.concatenate([work, work])
    served = np.concatenate([capacity, capacity])
    arrived = np.cumsum(arrivals)
    done = np.zeros_like(arrived)
    backlog = 0.0
    total = 0.0
    for i in range(2 * n):
        backlog += arrivals[i]
        step = min(backlog, served[i])
        backlog -= step
        total += step
        done[i] = total
    seconds = interval_minutes * 60
    # Each interval's emails sit at the middle of its work; they are done when the cumulative
    # work done reaches that position, at a time interpolated inside the finishing interval.
    position = arrived - arrivals / 2
    finish_index = np.minimum(np.searchsorted(done, position - 1e-9, side="left"), 2 * n - 1)
    increment = np.diff(done, prepend=0.0)
    before = np.where(finish_index > 0, done[np.maximum(finish_index - 1, 0)], 0.0)
    within = np.clip((position - before) / np.maximum(increment[finish_index], 1e-9), 0.0, 1.0)
    finish_time = (finish_index + within) * seconds
    wait = np.maximum(finish_time - (np.arange(2 * n) + 0.5) * seconds, 0.0)
    unfinished = position > done[-1] + 1e-6
    wait = np.where(unfinished, np.inf, wait)[n:]
    level = np.where(work > 0, (wait <= deadline).astype(float), 1.0)
    asa = np.where(np.isfinite(wait), wait, deadline * 2)
    return level, np.where(work > 0, asa, 0.0)


def coverage_summary(coverage: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per queue: share of intervals meeting target and contact-weighted service level."""
    summary = {}
    for queue, rows in coverage.groupby("queue", sort=False):
        busy = rows[rows["contacts"] > 0]
        weights = busy["contacts"].to_numpy()
        level = float(np.average(busy["service_level"], weights=weights)) if len(busy) else 1.0
        meeting = float((busy["service_level"] >= busy["target"] - 1e-9).mean()) if len(busy) else 1.0
        summary[str(queue)] = {
            "channel": str(rows["channel"].iloc[0]),
            "target": float(rows["target"].iloc[0]),
            "service_level": round(level, 4),
            "intervals_meeting_target": round(meeting, 4),
            "contacts": round(float(weights.sum()), 1),
            "required_hours": round(float(rows["required"].sum()) * _hours_per_row(coverage), 1),
            "scheduled_hours": round(float(rows["scheduled"].sum()) * _hours_per_row(coverage), 1),
        }
    return summary


def _hours_per_row(coverage: pd.DataFrame) -> float:
    starts = coverage["interval_start"].drop_duplicates().sort_values()
    if len(starts) < 2:
        return 0.25
    return float((starts.iloc[1] - starts.iloc[0]) / pd.Timedelta(hours=1))
