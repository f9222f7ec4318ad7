"""A roster and a forecast checked and turned into arrays: demand per forecast row, and which
queues each agent may serve as a time-ordered list of changes."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from wfm.errors import InputError, suggest
from wfm.planfiles import parse_utc
from wfm.simulate.results import Routing
from wfm.timegrid import week_start
from wfm.workspace import AgentConfig, QueueConfig

OFF_ACTIVITIES = ("break", "lunch")
ROSTER_COLUMNS = ("agent_id", "activity", "start", "end")
FORECAST_COLUMNS = ("queue", "interval_start", "contacts", "aht_seconds")
_WEEK_SECONDS = 7 * 86400.0
# Roster rows are clipped to this span around the week (seconds from Monday 00:00 UTC): enough for a
# shift that starts in the week to end and for a backlog to drain, and it bounds the time grid.
_ROW_SPAN = (-86400.0, _WEEK_SECONDS + 7 * 86400.0)


@dataclass(frozen=True)
class _Demand:
    """Forecast rows as arrays (one entry per row, in the frame's order)."""

    queue: np.ndarray  # int, index into queues
    interval_start: pd.DatetimeIndex
    start_seconds: np.ndarray  # from Monday 00:00 UTC
    contacts: np.ndarray
    aht_seconds: np.ndarray  # 0 where there are no contacts
    day: np.ndarray  # int, queue-day id for over-dispersion
    n_days: int
    interval_seconds: float


@dataclass(frozen=True)
class _Staffing:
    """Which queues each agent may serve, as a time-ordered list of changes (see the module docstring)."""

    agent_ids: tuple[str, ...]
    bounds: np.ndarray  # sorted segment boundaries (seconds); segment g starts at bounds[g-1], segment 0 before bounds[0]
    # Agent a may serve the queues `states[change_state[i]]` from `change_time[i]` (seconds) on, until its next change.
    change_time: tuple[float, ...]
    change_agent: tuple[int, ...]
    change_state: tuple[int, ...]
    # Seconds of break or lunch that begin with change i (its rostered length, adjacent rests together); 0 when the
    # change is not the start of a rest (a row change, the shift's end).
    change_rest: tuple[float, ...]
    states: tuple[tuple[int, ...], ...]  # queue indices, phone and chat before email; states[0] is ()
    roster_on_queue: np.ndarray  # (queues, segments): agents rostered on each queue (row queue, breaks removed)


def _close_name(name: str, known: Iterable[str]) -> str:
    """A did-you-mean hint, without listing every agent when nothing is close."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _check_frame_columns(frame: pd.DataFrame, source: str, required: tuple[str, ...]) -> None:
    for column in required:
        if column not in frame.columns:
            raise InputError(f"{source} header: required column {column!r} is missing{suggest(column, map(str, frame.columns))}")


def _utc_column(values: pd.Series, source: str, column: str) -> pd.Series:
    """A datetime column in UTC; naive or non-time values are an input error (the contract keeps UTC)."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC")
    if len(values) == 0:
        return pd.Series(values.index.size * [pd.NaT], index=values.index, dtype="datetime64[ns, UTC]")
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        return parse_utc(values.astype(str), source, column)
    raise InputError(f"{source}, column {column}: expected UTC times with an offset or Z, got times without a zone")


def _prepare_demand(forecast: pd.DataFrame, queues: tuple[QueueConfig, ...], week: date, interval_minutes: int) -> _Demand:
    source = "forecast.csv"
    _check_frame_columns(forecast, source, FORECAST_COLUMNS)
    names = [q.name for q in queues]
    frame = forecast.reset_index(drop=True)
    unknown = ~frame["queue"].isin(names)
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        value = str(frame["queue"].iloc[row])
        raise InputError(f"{source} row {row + 2}, column queue: no queue named {value!r} in wfm.toml{suggest(value, names)}")
    starts = _utc_column(frame["interval_start"], source, "interval_start")
    origin = pd.Timestamp(week_start(week))
    interval_seconds = interval_minutes * 60.0
    offsets = ((starts - origin).dt.total_seconds()).to_numpy(dtype=float)

    def first_bad(mask: np.ndarray, column: str, expected: str) -> None:
        if mask.any():
            row = int(np.flatnonzero(mask)[0])
            raise InputError(f"{source} row {row + 2}, column {column}: expected {expected}, got {frame[column].iloc[row]!r}")

    first_bad((offsets < 0) | (offsets >= _WEEK_SECONDS), "interval_start", f"a time in the plan week starting {week} 00:00 UTC")
    first_bad(np.mod(offsets, interval_seconds) != 0, "interval_start", f"a start on the {interval_minutes}-minute grid")
    contacts = pd.to_numeric(frame["contacts"], errors="coerce").to_numpy(dtype=float)
    first_bad(~np.isfinite(contacts) | (contacts < 0), "contacts", "a number ≥ 0")
    aht = pd.to_numeric(frame["aht_seconds"], errors="coerce").to_numpy(dtype=float)
    first_bad((contacts > 0) & ~(aht > 0), "aht_seconds", "a handle time in seconds > 0 where contacts > 0")
    first_bad((contacts > 0) & ~np.isfinite(aht), "aht_seconds", "a finite handle time")
    queue_index = frame["queue"].map({name: i for i, name in enumerate(names)}).to_numpy(dtype=np.intp)
    duplicated = pd.Series(list(zip(queue_index, offsets, strict=True))).duplicated().to_numpy()
    first_bad(duplicated, "interval_start", "one row per queue and interval (this one repeats an earlier row)")

    # Queue-days in each queue's own clock: over-dispersion follows the customers' days.
    day_keys = np.zeros(len(frame), dtype=np.int64)
    for q, queue in enumerate(queues):
        mine = queue_index == q
        if mine.any():
            local = pd.DatetimeIndex(starts[mine]).tz_convert(queue.timezone)
            ordinal = np.array([d.toordinal() for d in local.date], dtype=np.int64)
            day_keys[mine] = q * 10_000_000 + ordinal
    day, uniques = pd.factorize(day_keys)
    return _Demand(
        queue=queue_index,
        interval_start=pd.DatetimeIndex(starts),
        start_seconds=offsets,
        contacts=contacts,
        aht_seconds=np.where(contacts > 0, aht, 0.0),
        day=np.asarray(day, dtype=np.intp),
        n_days=len(uniques),
        interval_seconds=interval_seconds,
    )


@dataclass(frozen=True)
class _Rows:
    """roster.csv rows checked, as arrays: times in seconds from Monday 00:00 UTC clipped to `_ROW_SPAN`."""

    agent_ids: tuple[str, ...]  # in order of first appearance
    known: dict[str, AgentConfig]
    agent_index: np.ndarray  # per row, into agent_ids
    row_queue: np.ndarray  # per row, the queue index; NaN for break/lunch
    start: np.ndarray
    end: np.ndarray
    keep: np.ndarray  # rows with time left after clipping


def _roster_rows(roster: pd.DataFrame, queues: tuple[QueueConfig, ...], agents: Sequence[AgentConfig], week: date) -> _Rows:
    source = "roster.csv"
    _check_frame_columns(roster, source, ROSTER_COLUMNS)
    frame = roster.reset_index(drop=True)
    names = [q.name for q in queues]
    queue_of = {name: i for i, name in enumerate(names)}
    activity = frame["activity"].astype(str)
    unknown = ~activity.isin([*names, *OFF_ACTIVITIES])
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        value = activity.iloc[row]
        raise InputError(
            f"{source} row {row + 2}, column activity: expected a queue of wfm.toml, break or lunch, "
            f"got {value!r}{suggest(value, [*names, *OFF_ACTIVITIES])}"
        )
    origin = pd.Timestamp(week_start(week))
    start = np.round((_utc_column(frame["start"], source, "start") - origin).dt.total_seconds().to_numpy(dtype=float))
    end = np.round((_utc_column(frame["end"], source, "end") - origin).dt.total_seconds().to_numpy(dtype=float))
    backwards = ~(end > start)
    if backwards.any():
        row = int(np.flatnonzero(backwards)[0])
        raise InputError(
            f"{source} row {row + 2}, column end: expected a time after start ({frame['start'].iloc[row]}), "
            f"got {frame['end'].iloc[row]}"
        )
    agent_column = frame["agent_id"].astype(str)
    known = {a.agent_id: a for a in agents}
    missing = ~agent_column.isin(list(known))
    if missing.any():
        row = int(np.flatnonzero(missing.to_numpy())[0])
        value = agent_column.iloc[row]
        raise InputError(f"{source} row {row + 2}, column agent_id: {value!r} is not in agents.csv{_close_name(value, known)}")
    agent_ids = tuple(dict.fromkeys(agent_column))
    agent_index = agent_column.map({a: i for i, a in enumerate(agent_ids)}).to_numpy(dtype=np.intp)
    row_queue = activity.map(queue_of).to_numpy(dtype=float)  # NaN for break/lunch
    start = np.clip(start, *_ROW_SPAN)
    end = np.clip(end, *_ROW_SPAN)
    return _Rows(agent_ids, known, agent_index, row_queue, start, end, end > start)


def _prepare_staffing(
    roster: pd.DataFrame, queues: tuple[QueueConfig, ...], agents: Sequence[AgentConfig], week: date, routing: Routing
) -> _Staffing:
    rows = _roster_rows(roster, queues, agents, week)
    agent_index, row_queue, start, end, keep = rows.agent_index, rows.row_queue, rows.start, rows.end, rows.keep
    n_queues, n_agents = len(queues), max(len(rows.agent_ids), 1)
    # Week start and every row edge are boundaries (the Erlang prediction integrates staffing between them).
    bounds = np.unique(np.concatenate(([0.0], start[keep], end[keep])))
    n_segments = bounds.size + 1
    first = np.searchsorted(bounds, start) + 1  # segment that starts at the row's start
    last = np.searchsorted(bounds, end) + 1  # first segment after the row

    def coverage(which: np.ndarray, queue_rows: np.ndarray) -> np.ndarray:
        """(queues, segments, agents) counts of rows covering each segment, via a difference array."""
        diff = np.zeros((n_queues, n_segments + 1, n_agents), dtype=np.int32)
        np.add.at(diff, (queue_rows, first[which], agent_index[which]), 1)
        np.add.at(diff, (queue_rows, last[which], agent_index[which]), -1)
        return np.cumsum(diff, axis=1)[:, :n_segments, :]

    off_rows = np.flatnonzero(keep & np.isnan(row_queue))
    off_diff = np.zeros((n_segments + 1, n_agents), dtype=np.int32)
    np.add.at(off_diff, (first[off_rows], agent_index[off_rows]), 1)
    np.add.at(off_diff, (last[off_rows], agent_index[off_rows]), -1)
    # A break or lunch removes capacity even if a planner overlays it on a queue row instead of splitting it.
    on_break = np.cumsum(off_diff, axis=0)[:n_segments, :] > 0

    on_rows = np.flatnonzero(keep & ~np.isnan(row_queue))
    rostered = (coverage(on_rows, row_queue[on_rows].astype(np.intp)) > 0) & ~on_break[None, :, :]
    if routing == "roster":
        available = rostered
    else:
        # Skills routing: on any queue row, an agent may serve every skilled queue and the row's queue.
        on_any: np.ndarray = np.asarray(rostered.any(axis=0))
        available = rostered | (on_any[None, :, :] & _skilled(rows, queues)[:, None, :])
    change_time, change_agent, change_state, states = _state_changes(available, queues, bounds)
    return _Staffing(
        agent_ids=rows.agent_ids,
        bounds=bounds,
        change_time=change_time,
        change_agent=change_agent,
        change_state=change_state,
        change_rest=_rest_seconds(on_break, bounds, change_time, change_agent, change_state),
        states=states,
        roster_on_queue=rostered.sum(axis=2).astype(float),
    )


def _rest_seconds(
    on_break: np.ndarray,
    bounds: np.ndarray,
    change_time: tuple[float, ...],
    change_agent: tuple[int, ...],
    change_state: tuple[int, ...],
) -> tuple[float, ...]:
    """Per change: the rostered length of the break or lunch it starts (0 for any other change).

    `on_break` is (segments, agents); segment g + 1 starts at bounds[g]. A rest runs until the
    first segment the agent is not on a break or lunch row, so back-to-back rests count as one."""
    n_segments = on_break.shape[0]
    index = np.where(on_break, n_segments, np.arange(n_segments)[:, None])
    # next_free[g, a]: the first segment from g on where agent a is not resting.
    next_free = np.minimum.accumulate(index[::-1], axis=0)[::-1]
    edges = np.concatenate((bounds, [bounds[-1]]))  # segment n_segments - 1 (after the last bound) never ends
    time = np.asarray(change_time, dtype=float)
    agent = np.asarray(change_agent, dtype=np.intp)
    segment = np.searchsorted(bounds, time) + 1
    resting = (np.asarray(change_state) == 0) & on_break[segment, agent] if time.size else np.zeros(0, dtype=bool)
    free = next_free[segment, agent] if time.size else np.zeros(0, dtype=np.intp)
    rest = np.where(resting, edges[free - 1] - time, 0.0)
    return tuple(rest.tolist())


def _skilled(rows: _Rows, queues: tuple[QueueConfig, ...]) -> np.ndarray:
    """(queues, agents): the queues among each agent's skills (agents.csv)."""
    queue_of = {q.name: i for i, q in enumerate(queues)}
    skilled = np.zeros((len(queues), max(len(rows.agent_ids), 1)), dtype=bool)
    for a, agent_id in enumerate(rows.agent_ids):
        for skill in rows.known[agent_id].skills:
            if skill in queue_of:
                skilled[queue_of[skill], a] = True
    return skilled


def _state_changes(
    available: np.ndarray, queues: tuple[QueueConfig, ...], bounds: np.ndarray
) -> tuple[tuple[float, ...], tuple[int, ...], tuple[int, ...], tuple[tuple[int, ...], ...]]:
    """An agent's state changes where any queue's availability changes; segment g + 1 starts at
    bounds[g]. Returns the changes' times, agents and states, and the states (queue indices,
    phone and chat before email; the first is ())."""
    deferred = [q.is_deferred for q in queues]
    order = sorted(range(len(queues)), key=lambda q: (deferred[q], q))
    state_ids: dict[tuple[int, ...], int] = {(): 0}
    changed = (available[:, 1:, :] != available[:, :-1, :]).any(axis=0)
    segments, members = np.nonzero(changed)  # row-major: by time, then agent
    change_state: list[int] = []
    for g, a in zip(segments.tolist(), members.tolist(), strict=True):
        column = available[:, g + 1, a]
        state = tuple(q for q in order if column[q])
        change_state.append(state_ids.setdefault(state, len(state_ids)))
    return tuple(bounds[segments].tolist()), tuple(members.tolist()), tuple(change_state), tuple(state_ids)
