"""Staffing requirements: a forecast turned into on-queue agents, interval by interval.

Owns the step from `forecast` (queue, interval_start, contacts, aht_seconds) to `requirements`
(the same plus `agents`), vectorised over all queues and intervals at once, and the one place
shrinkage is applied (`apply_shrinkage`).

- Phone and chat are answer-time queues: `agents` is the fewest on-queue agents meeting the
  queue's service level within `answer_seconds` and its occupancy cap (Erlang C, or Erlang A
  when the queue has `patience_seconds`; a chat agent with concurrency k is k servers).
- Email is deferred work with a deadline: see `email_level_agents`. Its rows also carry
  `workload_erlangs` (agent-hours of work arriving per hour) and `deadline_hours`, which the
  roster stage uses directly. Email agents, like phone and chat, respect the occupancy cap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from wfm.erlang import required_agents
from wfm.errors import InputError, suggest
from wfm.rules import RulesProfile
from wfm.workspace import EMAIL_DEFAULT_HOURS, QueueConfig

FORECAST_COLUMNS = ("queue", "interval_start", "contacts", "aht_seconds")
REQUIREMENT_COLUMNS = (
    *FORECAST_COLUMNS,
    "agents",
    "agents_with_shrinkage",
    "channel",
    "traffic_erlangs",
    "workload_erlangs",
    "deadline_hours",
)
"""Columns of the frame `compute_requirements` returns, in order.

agents: on-queue agents needed (int). agents_with_shrinkage: the same grossed up for unplanned
absence (int). traffic_erlangs: contacts × AHT / interval length. workload_erlangs and
deadline_hours: email only (NaN elsewhere).
"""

# A fraction that misses by less than this counts as met (see wfm.erlang).
_TOLERANCE = 1e-9


def apply_shrinkage(agents: ArrayLike, shrinkage: float) -> NDArray[np.int64]:
    """On-queue agents grossed up for unplanned absence: ⌈agents / (1 − shrinkage)⌉.

    Shrinkage here is only what the roster cannot see (sickness, lateness, unplanned
    meetings): breaks and lunch are rostered explicitly and must not be counted again. This is
    the one place wfm applies it. E.g. 14 agents at 30 % shrinkage → ⌈20.0⌉ = 20.
    """
    if not (0.0 <= shrinkage < 1.0) or not np.isfinite(shrinkage):
        raise InputError(f"shrinkage: expected a fraction from 0 up to (not including) 1, got {shrinkage!r}")
    counts = np.asarray(agents, dtype=np.float64)
    # 14 / 0.7 is 20.000000000000004 in floating point; the tolerance keeps it 20.
    return np.ceil(counts / (1.0 - shrinkage) * (1.0 - _TOLERANCE)).astype(np.int64)


def email_level_agents(workload_erlangs: ArrayLike, window_intervals: int, max_occupancy: float = 1.0) -> NDArray[np.int64]:
    """Level staffing that clears every email within its deadline, for one queue's timeline.

    `workload_erlangs[t]` is the work arriving in interval t (agents busy for one interval),
    on a gap-free grid; `window_intervals` = m is the deadline in whole intervals. Agents in
    interval t are

        ⌈ (work arriving in intervals t−m+1 … t) / (m × max_occupancy) ⌉,

    the trailing mean over one deadline window. Spreading each interval's work evenly over its
    own m intervals (arrival to deadline) is a feasible schedule, and the staffing above is
    exactly the sum of those spreads, so every email is finished on time while peaks are
    levelled over the deadline; agents are productive `max_occupancy` of their time. All
    emails, not only the queue's service-level share, are cleared: the roster stage, which
    sees `workload_erlangs` and the deadline, may use the slack. Work before the first interval
    is taken as none, and work in the last m − 1 intervals is partly due after the horizon.
    """
    work = np.asarray(workload_erlangs, dtype=np.float64)
    if window_intervals < 1:
        raise InputError(f"email_level_agents: window_intervals must be ≥ 1, got {window_intervals}")
    if not 0.0 < max_occupancy <= 1.0:
        raise InputError(f"email_level_agents: max_occupancy must be a fraction in (0, 1], got {max_occupancy!r}")
    total = np.concatenate(([0.0], np.cumsum(work)))
    ends = np.arange(1, work.size + 1)
    window_work = total[ends] - total[np.maximum(ends - window_intervals, 0)]
    level = np.maximum(window_work, 0.0) / (window_intervals * max_occupancy)
    return np.ceil(level * (1.0 - _TOLERANCE) - _TOLERANCE).astype(np.int64).clip(min=0)


def compute_requirements(
    forecast: pd.DataFrame,
    queues: Sequence[QueueConfig],
    interval_minutes: int,
    rules: RulesProfile,
    shrinkage: float = 0.0,
) -> pd.DataFrame:
    """Requirements for every forecast row: on-queue agents needed per queue and interval.

    `forecast` has columns queue, interval_start (UTC), contacts, aht_seconds; every queue must
    be one of `queues`. A queue's occupancy cap is its own `max_occupancy` or else the rules
    profile's `service.max_occupancy`. `shrinkage` (unplanned absence) only feeds
    `agents_with_shrinkage`. Returns the columns of `REQUIREMENT_COLUMNS`, sorted by queue and
    interval_start.
    """
    frame = _checked_forecast(forecast, queues)
    configs = {queue.name: queue for queue in queues}
    minutes = float(interval_minutes)
    if not minutes > 0:
        raise InputError(f"requirements: interval_minutes must be positive, got {interval_minutes!r}")

    codes, names = pd.factorize(frame["queue"], sort=False)
    per_queue = [configs[str(name)] for name in names]

    def setting(values: list[float]) -> NDArray[np.float64]:
        return np.asarray(values, dtype=np.float64)[codes]

    channel = np.asarray([q.channel for q in per_queue], dtype=object)[codes]
    email = channel == "email"
    contacts = frame["contacts"].to_numpy(dtype=np.float64)
    aht = frame["aht_seconds"].to_numpy(dtype=np.float64)
    traffic = np.where(contacts > 0, contacts * np.where(contacts > 0, aht, 0.0) / (minutes * 60.0), 0.0)
    cap = setting([q.occupancy_cap(rules) for q in per_queue])
    agents = np.zeros(len(frame), dtype=np.int64)

    queued = np.flatnonzero(~email)
    if queued.size:
        answer = setting([q.answer_seconds if q.answer_seconds is not None else np.nan for q in per_queue])
        patience = setting([q.patience_seconds if q.patience_seconds is not None else np.nan for q in per_queue])
        agents[queued] = required_agents(
            traffic[queued],
            np.where(contacts[queued] > 0, aht[queued], 1.0),
            setting([q.service_level for q in per_queue])[queued],
            answer[queued],
            cap[queued],
            setting([float(q.concurrency) for q in per_queue])[queued],
            patience_seconds=patience[queued] if np.isfinite(patience[queued]).any() else None,
        )

    deadline = np.full(len(frame), np.nan)
    workload = np.full(len(frame), np.nan)
    # Nanoseconds since the epoch (UTC), without making a Timestamp object per row.
    stamps = frame["interval_start"].dt.tz_convert(None).to_numpy().astype("datetime64[ns]").astype(np.int64)
    for code, queue in enumerate(per_queue):
        if not queue.is_deferred:
            continue
        rows = np.flatnonzero(codes == code)
        hours = queue.respond_within_hours if queue.respond_within_hours is not None else EMAIL_DEFAULT_HOURS
        deadline[rows] = hours
        workload[rows] = traffic[rows]
        agents[rows] = _email_rows(stamps[rows], traffic[rows], hours, minutes, float(cap[rows[0]]), queue.name)

    out = pd.DataFrame(
        {
            "queue": frame["queue"].to_numpy(),
            "interval_start": frame["interval_start"],
            "contacts": contacts,
            "aht_seconds": aht,
            "agents": agents,
            "agents_with_shrinkage": apply_shrinkage(agents, shrinkage),
            "channel": channel.astype(str),
            "traffic_erlangs": traffic,
            "workload_erlangs": workload,
            "deadline_hours": deadline,
        }
    )
    return out.reset_index(drop=True)


def _email_rows(
    stamps: NDArray[np.int64],
    workload: NDArray[np.float64],
    hours: float,
    minutes: float,
    cap: float,
    queue: str,
) -> NDArray[np.int64]:
    """Email level staffing for one queue's rows (UTC nanoseconds, sorted), on its interval grid."""
    step = np.int64(round(minutes * 60e9))
    offset = stamps - stamps[0]
    off_grid = offset % step != 0
    if off_grid.any():
        bad = pd.Timestamp(int(stamps[int(np.argmax(off_grid))]), tz="UTC").isoformat()
        first = pd.Timestamp(int(stamps[0]), tz="UTC").isoformat()
        raise InputError(
            f"forecast: queue {queue!r} interval_start {bad} is off the {minutes:g}-minute grid that starts at {first}"
        )
    slots = offset // step
    # Missing intervals hold no work; the window runs over time, not rows.
    dense = np.zeros(int(slots[-1]) + 1)
    dense[slots] = workload
    # Whole intervals only, rounding the deadline down so it is never overshot.
    window = max(1, int(np.floor(hours * 60.0 / minutes + _TOLERANCE)))
    return email_level_agents(dense, window, cap)[slots]


def _checked_forecast(forecast: pd.DataFrame, queues: Sequence[QueueConfig]) -> pd.DataFrame:
    """The forecast with UTC times, sorted by queue and time; InputError naming the first problem."""
    missing = [column for column in FORECAST_COLUMNS if column not in forecast.columns]
    if missing:
        raise InputError(
            f"forecast: missing column {missing[0]!r}, got columns {list(forecast.columns)} "
            f"(expected {', '.join(FORECAST_COLUMNS)})"
        )
    frame = forecast.loc[:, list(FORECAST_COLUMNS)].copy()
    starts = frame["interval_start"]
    if not isinstance(starts.dtype, pd.DatetimeTZDtype):
        raise InputError(
            f"forecast: interval_start must be UTC timestamps, got dtype {starts.dtype} "
            "(parse with pd.to_datetime(..., utc=True))"
        )
    frame["interval_start"] = starts.dt.tz_convert("UTC")
    known = {queue.name for queue in queues}
    frame["queue"] = frame["queue"].astype(str)
    unknown = sorted(set(frame["queue"].unique()) - known)
    if unknown:
        raise InputError(f"forecast: queue {unknown[0]!r} is not in wfm.toml{suggest(unknown[0], known)}")
    contacts = pd.to_numeric(frame["contacts"], errors="coerce").to_numpy(dtype=np.float64)
    aht = pd.to_numeric(frame["aht_seconds"], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(contacts) | (contacts < 0)
    if bad.any():
        row = int(np.argmax(bad))
        raise InputError(
            f"forecast row {row + 1} ({_row_label(frame, row)}): contacts must be a number ≥ 0, "
            f"got {_shown(frame['contacts'].iat[row])}"
        )
    bad = (contacts > 0) & ~(np.isfinite(aht) & (aht > 0))
    if bad.any():
        row = int(np.argmax(bad))
        raise InputError(
            f"forecast row {row + 1} ({_row_label(frame, row)}): aht_seconds must be positive where "
            f"contacts > 0, got {_shown(frame['aht_seconds'].iat[row])}"
        )
    frame["contacts"] = contacts
    frame["aht_seconds"] = aht
    duplicated = frame.duplicated(["queue", "interval_start"])
    if duplicated.any():
        row = int(np.argmax(duplicated.to_numpy()))
        raise InputError(
            f"forecast row {row + 1}: {_row_label(frame, row)} appears twice, got a second row for it "
            "(one row per queue and interval_start)"
        )
    return frame.sort_values(["queue", "interval_start"], kind="stable").reset_index(drop=True)


def _row_label(frame: pd.DataFrame, row: int) -> str:
    """`queue at time` for messages about one forecast row."""
    start: pd.Timestamp = frame["interval_start"].iloc[row]
    return f"queue {frame['queue'].iat[row]!r} at {start.isoformat()}"


def _shown(value: object) -> str:
    """A cell as a planner would write it: 0.0, nan, 'abc' (not np.float64(0.0))."""
    return repr(value.item() if isinstance(value, np.generic) else value)
