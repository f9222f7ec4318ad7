"""The planned week played out contact by contact: a Monte Carlo check of a roster against demand.

`simulate_plan` takes a roster (roster.csv rows), a forecast (forecast.csv rows) and the queues, draws
`runs` independent weeks of contacts and serves them with the rostered agents. It answers what Erlang
cannot: time-varying staffing inside an interval, breaks, queues sharing agents, backlog carried from
one interval to the next, and the spread of the outcome from week to week.

The model, contact by contact
- Arrivals: Poisson in each forecast interval, uniform inside it. With `overdispersion = CV > 0` each
  queue-day (a date in the queue's own clock) has its rate multiplied by a gamma variable with mean 1
  and that CV, the usual way to make daily volumes vary more than Poisson.
- Handle times: exponential with the interval's AHT, or lognormal with that mean and `aht_cv`.
- Patience: exponential with mean `patience_seconds` where the queue has one (Erlang A); a contact
  not started by then abandons. Without it contacts wait as long as it takes (Erlang C). Email never
  abandons.
- Dispatch, event by event, at the moment an agent can take a contact: an arriving contact goes
  to the agent idle longest among those who may take it now, or else waits in its queue, first in,
  first out. An agent who finishes a contact, comes back from a break or starts a row takes the
  oldest contact waiting among the queues it may serve (phone and chat before email), and only
  then idles. Nobody is booked ahead: an idle agent is free for whatever arrives.
- Which agents serve which queue (`routing`):
  - `"roster"` (default): an agent takes contacts only from the queue of its current roster row.
  - `"skills"`: the rule from the issue for multi-skilled agents, "a contact goes to the longest-idle
    skilled agent; an agent serves the queue that has waited longest": while on any queue row, an
    agent takes contacts of every queue in its skills (agents.csv) and of the row's queue.
  On `break`, `lunch` or off shift an agent takes no new contact. A contact in hand is finished
  first: when the row changes (a break, another queue, the shift's end) the agent starts nothing
  new until its hand is empty, then works under whatever row the roster has at that moment, so an
  overrun delays the next row rather than double-booking the agent.
- Chat with `concurrency = k`: an agent holds up to k conversations at once, each one server with the
  queue's AHT (the contract's "k servers per agent"). An arriving chat goes to the longest-idle agent
  with a free slot, who then goes to the back of that line. A phone call or email needs the agent's
  full attention: it starts only on an empty hand (a waiting call does not stop the agent's
  conversations from being refilled meanwhile under skills routing).
- Email: served FIFO by the agents on the email queue; "answered within target" means the reply is
  sent (handling finished) within `respond_within_hours` of arrival.

Outputs: per interval, means over the runs of offered, answered within target and abandoned contacts;
service level and ASA there are ratios of those sums over runs (contact-weighted). ASA follows
wfm.erlang: the mean time in queue over all contacts, answered ones counting their wait and
abandoners the time until they hung up (a contact no later row could ever take is left out).
Per queue: the mean over runs of the week's service level with a 95% Student-t interval across
runs, ASA and abandon rate over all runs, Erlang's prediction for the same roster and demand
(see `_erlang_prediction`) and whether that prediction lies outside the interval.

How it is fast enough in plain Python
Each run is one loop over three time-ordered sources: roster changes (one list for all runs: the
times at which an agent's set of servable queues changes, from the roster's segment tables),
contact ends (a heap) and arrivals (drawn and sorted with numpy). Per queue an ordered dict holds
the idle agents, longest idle first, and a deque the waiting contacts, so every event costs a few
dictionary and deque operations. Abandonment needs no event of its own: a contact whose patience
ran out is dropped when it reaches the head of its queue, which is exactly when it would otherwise
have been served. Figures: benchmarks/bench_simulate.py and the README.
"""

from __future__ import annotations

import difflib
import math
import statistics
from collections import OrderedDict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from heapq import heappop, heappush
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from wfm.erlang import queue_metrics
from wfm.errors import InputError, suggest
from wfm.timegrid import week_start
from wfm.workspace import AgentConfig, QueueConfig, read_csv_strings

HandleTime = Literal["exponential", "lognormal"]
Routing = Literal["roster", "skills"]
OFF_ACTIVITIES = ("break", "lunch")
ROSTER_COLUMNS = ("agent_id", "activity", "start", "end")
FORECAST_COLUMNS = ("queue", "interval_start", "contacts", "aht_seconds")
INTERVAL_COLUMNS = ("queue", "interval_start", "offered", "answered_within_target", "abandoned", "service_level", "asa_seconds")

_WEEK_SECONDS = 7 * 86400.0
# Roster rows are clipped to this span around the week (seconds from Monday 00:00 UTC): enough for a
# shift that starts in the week to end and for a backlog to drain, and it bounds the time grid.
_ROW_SPAN = (-86400.0, _WEEK_SECONDS + 7 * 86400.0)
# Padding for runs with fewer contacts than the longest run: an arrival far after every row, so it
# finds no agent and is discarded.
_PAD_TIME = 1e15


class QueueSimulation(BaseModel):
    """One queue's simulated week next to Erlang's prediction. `None` where nothing was offered/answered."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    offered: float = Field(description="contacts per simulated week (mean over runs)")
    service_level: float | None = Field(description="mean over runs of the week's answered-within-target / offered")
    service_level_ci: tuple[float, float] | None = Field(description="95% interval of that mean across runs")
    asa_seconds: float | None = Field(description="mean time in queue over all contacts (abandoners: until they hang up)")
    abandon_rate: float | None = Field(description="abandoned / offered, all runs")
    erlang_service_level: float | None = Field(description="Erlang's prediction for the same roster and demand")
    disagrees_with_erlang: bool | None = Field(
        description="Erlang's prediction lies outside the simulated 95% interval (None: nothing to compare)"
    )


class SimulationResult(BaseModel):
    """`intervals` has the columns of simulation.csv (INTERVAL_COLUMNS); `queues` is keyed by queue name."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    intervals: pd.DataFrame
    queues: dict[str, QueueSimulation]
    runs: int
    seed: int
    routing: Routing
    overdispersion: float
    handle_time: HandleTime

    def summary_json(self) -> dict[str, object]:
        """simulation.json as FORMATS.md specifies it (plus a few extra keys)."""
        return {
            "queues": {name: queue.model_dump() for name, queue in self.queues.items()},
            "runs": self.runs,
            "seed": self.seed,
            "routing": self.routing,
            "overdispersion": self.overdispersion,
            "handle_time": self.handle_time,
        }


# ----------------------------------------------------------------------------- prepared inputs


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
    states: tuple[tuple[int, ...], ...]  # queue indices, phone and chat before email; states[0] is ()
    roster_on_queue: np.ndarray  # (queues, segments): agents rostered on each queue (row queue, breaks removed)


@dataclass(frozen=True)
class _Contacts:
    """All runs' contacts, padded to a (steps, runs) rectangle in arrival order per run."""

    arrival: np.ndarray
    queue: np.ndarray
    handle: np.ndarray
    patience: np.ndarray
    row: np.ndarray  # forecast row of the contact, -1 for padding


# ----------------------------------------------------------------------------- public API


def simulate_plan(
    queues: Sequence[QueueConfig],
    agents: Sequence[AgentConfig],
    roster: pd.DataFrame,
    forecast: pd.DataFrame,
    week: date,
    interval_minutes: int,
    *,
    runs: int = 30,
    seed: int = 0,
    overdispersion: float = 0.0,
    handle_time: HandleTime = "exponential",
    aht_cv: float = 1.0,
    routing: Routing = "roster",
) -> SimulationResult:
    """Play the planned week `runs` times, contact by contact, and compare with Erlang.

    `roster`: agent_id, activity (queue name, `break` or `lunch`), start, end (UTC); `forecast`: queue,
    interval_start (UTC), contacts, aht_seconds. Same inputs and seed give identical output; run r
    draws from its own stream (spawned from `seed`), so the first runs do not change when more are added.
    """
    _check_options(runs, seed, overdispersion, handle_time, aht_cv, routing, interval_minutes)
    queues = tuple(queues)
    if not queues:
        raise InputError("simulate: no queues given")
    demand = _prepare_demand(forecast, queues, week, interval_minutes)
    staffing = _prepare_staffing(roster, queues, agents, week, routing)
    contacts = _draw_contacts(demand, queues, runs, seed, overdispersion, handle_time, aht_cv)
    starts = _place(contacts, staffing, queues)
    return _summarise(contacts, starts, demand, staffing, queues, runs, seed, routing, overdispersion, handle_time)


# ----------------------------------------------------------------------------- validation and preparation


def _check_options(runs: int, seed: int, overdispersion: float, handle_time: str, aht_cv: float, routing: str,
                   interval_minutes: int) -> None:
    if runs < 2:
        raise InputError(f"--runs: expected at least 2 (the interval needs a spread across runs), got {runs}")
    if seed < 0:
        raise InputError(f"--seed: expected a whole number ≥ 0, got {seed}")
    if not 0 <= overdispersion <= 5:
        raise InputError(f"--overdispersion: expected a coefficient of variation in [0, 5], got {overdispersion}")
    if handle_time not in ("exponential", "lognormal"):
        raise InputError(f"--handle-time: expected exponential or lognormal, got {handle_time!r}")
    if handle_time == "exponential" and aht_cv != 1.0:
        raise InputError(f"aht_cv: exponential handle times have CV 1, got {aht_cv} (use handle_time='lognormal')")
    if not 0 < aht_cv <= 10:
        raise InputError(f"aht_cv: expected a coefficient of variation in (0, 10], got {aht_cv}")
    if routing not in ("roster", "skills"):
        raise InputError(f"--routing: expected roster or skills, got {routing!r}")
    if interval_minutes <= 0 or 1440 % interval_minutes:
        raise InputError(f"interval_minutes: expected a divisor of a day such as 15, 30 or 60, got {interval_minutes}")


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
        return _parse_utc(values.astype(str), source, column)
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


def _prepare_staffing(roster: pd.DataFrame, queues: tuple[QueueConfig, ...], agents: Sequence[AgentConfig], week: date,
                      routing: Routing) -> _Staffing:
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
        raise InputError(f"{source} row {row + 2}, column activity: expected a queue of wfm.toml, break or lunch, "
                         f"got {value!r}{suggest(value, [*names, *OFF_ACTIVITIES])}")
    origin = pd.Timestamp(week_start(week))
    start = np.round((_utc_column(frame["start"], source, "start") - origin).dt.total_seconds().to_numpy(dtype=float))
    end = np.round((_utc_column(frame["end"], source, "end") - origin).dt.total_seconds().to_numpy(dtype=float))
    backwards = ~(end > start)
    if backwards.any():
        row = int(np.flatnonzero(backwards)[0])
        raise InputError(f"{source} row {row + 2}, column end: expected a time after start ({frame['start'].iloc[row]}), "
                         f"got {frame['end'].iloc[row]}")
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
    keep = end > start

    n_queues, n_agents = len(queues), max(len(agent_ids), 1)
    # Week start and every row edge are boundaries (the Erlang prediction integrates staffing between them).
    bounds = np.unique(np.concatenate(([0.0], start[keep], end[keep])))
    n_segments = bounds.size + 1
    first = np.searchsorted(bounds, start) + 1  # segment that starts at the row's start
    last = np.searchsorted(bounds, end) + 1  # first segment after the row

    def coverage(rows: np.ndarray, queue_rows: np.ndarray) -> np.ndarray:
        """(queues, segments, agents) counts of rows covering each segment, via a difference array."""
        diff = np.zeros((n_queues, n_segments + 1, n_agents), dtype=np.int32)
        np.add.at(diff, (queue_rows, first[rows], agent_index[rows]), 1)
        np.add.at(diff, (queue_rows, last[rows], agent_index[rows]), -1)
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
        skilled = np.zeros((n_queues, n_agents), dtype=bool)
        for a, agent_id in enumerate(agent_ids):
            for skill in known[agent_id].skills:
                if skill in queue_of:
                    skilled[queue_of[skill], a] = True
        available = rostered | (on_any[None, :, :] & skilled[:, None, :])

    # An agent's state changes where any queue's availability changes; segment g + 1 starts at bounds[g].
    deferred = [q.is_deferred for q in queues]
    order = sorted(range(n_queues), key=lambda q: (deferred[q], q))
    state_ids: dict[tuple[int, ...], int] = {(): 0}
    changed = (available[:, 1:, :] != available[:, :-1, :]).any(axis=0)
    segments, members = np.nonzero(changed)  # row-major: by time, then agent
    change_state: list[int] = []
    for g, a in zip(segments.tolist(), members.tolist(), strict=True):
        column = available[:, g + 1, a]
        state = tuple(q for q in order if column[q])
        change_state.append(state_ids.setdefault(state, len(state_ids)))
    return _Staffing(
        agent_ids=agent_ids,
        bounds=bounds,
        change_time=tuple(bounds[segments].tolist()),
        change_agent=tuple(members.tolist()),
        change_state=tuple(change_state),
        states=tuple(state_ids),
        roster_on_queue=rostered.sum(axis=2).astype(float),
    )


# ----------------------------------------------------------------------------- drawing and placing contacts


def _draw_contacts(demand: _Demand, queues: tuple[QueueConfig, ...], runs: int, seed: int, overdispersion: float,
                   handle_time: HandleTime, aht_cv: float) -> _Contacts:
    patience_mean = np.array([
        q.patience_seconds if q.patience_seconds is not None and not q.is_deferred else np.inf for q in queues
    ])[demand.queue]
    sigma = math.sqrt(math.log1p(aht_cv**2))
    per_run: list[tuple[np.ndarray, ...]] = []
    for child in np.random.SeedSequence(seed).spawn(runs):
        rng = np.random.default_rng(child)
        rate = demand.contacts
        if overdispersion > 0:
            shape = 1.0 / overdispersion**2
            rate = rate * rng.gamma(shape, 1.0 / shape, size=demand.n_days)[demand.day]
        row = np.repeat(np.arange(rate.size), rng.poisson(rate))
        arrival = demand.start_seconds[row] + rng.random(row.size) * demand.interval_seconds
        aht = demand.aht_seconds[row]
        if handle_time == "exponential":
            handle = rng.standard_exponential(row.size) * aht
        else:
            handle = aht * np.exp(sigma * rng.standard_normal(row.size) - sigma**2 / 2)
        mean_patience = patience_mean[row]
        finite = np.isfinite(mean_patience)
        patience = np.where(finite, rng.standard_exponential(row.size) * np.where(finite, mean_patience, 0.0), np.inf)
        order = np.argsort(arrival, kind="stable")
        per_run.append((arrival[order], demand.queue[row[order]], handle[order], patience[order], row[order]))

    steps = max(max(len(p[0]) for p in per_run), 1)

    def stack(position: int, fill: float, dtype: type) -> np.ndarray:
        out: np.ndarray = np.full((steps, runs), fill, dtype=dtype)
        for r, arrays in enumerate(per_run):
            out[: arrays[position].size, r] = arrays[position]
        return out

    return _Contacts(
        arrival=stack(0, _PAD_TIME, float),
        queue=stack(1, 0, np.intp),
        handle=stack(2, 0.0, float),
        patience=stack(3, np.inf, float),
        row=stack(4, -1, np.intp),
    )


def _place(contacts: _Contacts, staffing: _Staffing, queues: tuple[QueueConfig, ...]) -> np.ndarray:
    """Start time of every contact (inf if it abandoned or no agent ever took it), shaped like `contacts`."""
    steps, runs = contacts.arrival.shape
    counts = (contacts.row >= 0).sum(axis=0)
    jobs = [
        (
            contacts.arrival[: counts[r], r].tolist(),
            contacts.queue[: counts[r], r].tolist(),
            contacts.handle[: counts[r], r].tolist(),
            (contacts.arrival[: counts[r], r] + contacts.patience[: counts[r], r]).tolist(),
        )
        for r in range(runs)
    ]
    plan = _DispatchPlan.of(staffing, queues)
    start = np.full((steps, runs), np.inf)
    for r, job in enumerate(jobs):
        start[: counts[r], r] = _dispatch(plan, *job)
    return start


@dataclass(frozen=True)
class _DispatchPlan:
    """What `_dispatch` needs besides the contacts, as plain Python values (the loop reads them millions of times)."""

    n_agents: int
    change_time: tuple[float, ...]
    change_agent: tuple[int, ...]
    change_state: tuple[int, ...]
    states: tuple[tuple[int, ...], ...]
    limit: tuple[int, ...]  # per queue: an agent may start one of its contacts while holding fewer than this load
    weight: tuple[int, ...]  # per queue: the load one of its contacts puts on the agent
    deferred: tuple[bool, ...]

    @classmethod
    def of(cls, staffing: _Staffing, queues: tuple[QueueConfig, ...]) -> _DispatchPlan:
        # A chat of a queue with concurrency k > 1 weighs 1 and may start while the agent holds fewer than k
        # conversations; anything else needs the agent's full attention: it starts only on an empty hand and fills it.
        chat = [q.concurrency > 1 for q in queues]
        return cls(
            n_agents=max(len(staffing.agent_ids), 1),
            change_time=staffing.change_time,
            change_agent=staffing.change_agent,
            change_state=staffing.change_state,
            states=staffing.states,
            limit=tuple(q.concurrency if c else 1 for q, c in zip(queues, chat, strict=True)),
            weight=tuple(1 if c else _FULL_HAND for c in chat),
            deferred=tuple(q.is_deferred for q in queues),
        )


# A phone call or email fills the agent's hand: more than any chat concurrency.
_FULL_HAND = 1 << 20


def _dispatch(plan: _DispatchPlan, arrival: list[float], queue: list[int], handle: list[float],
              deadline: list[float]) -> list[float]:
    """One run, event by event: the start time of each contact (arrival order), inf if it never started.

    Three time-ordered sources of events: roster changes (the plan's list), contact ends (a heap)
    and arrivals (the run's list); at equal times a roster change comes first, then an end, then
    an arrival. Per queue, `idle` holds the agents who could start one of its contacts now, the
    longest idle first, and `waiting` its contacts in arrival order; a queue never has both.
    A contact still waiting at its deadline (arrival + patience) is dropped when it reaches the head
    of its queue.
    """
    inf = math.inf
    limit, weight, deferred, states = plan.limit, plan.weight, plan.deferred, plan.states
    idle: list[OrderedDict[int, None]] = [OrderedDict() for _ in limit]
    waiting: list[deque[int]] = [deque() for _ in limit]
    # rostered[a]: what the roster lets agent a serve now; serving[a]: what it works under. They differ
    # while the agent finishes the contacts of an earlier row, when it starts nothing new. States are
    # entries of plan.states, so `is` compares them.
    rostered = [states[0]] * plan.n_agents
    serving = [states[0]] * plan.n_agents
    load = [0] * plan.n_agents
    start = [inf] * len(arrival)
    ends: list[tuple[float, int, int]] = []  # (end time, agent, weight)
    n_waiting = 0

    def settle(a: int) -> None:
        """Agent a is idle for exactly the queues it may start a contact of now."""
        held = load[a]
        for q in serving[a]:
            if held < limit[q]:
                if a not in idle[q]:
                    idle[q][a] = None
            else:
                idle[q].pop(a, None)

    def pull(a: int, now: float) -> None:
        """Agent a can take work: the oldest waiting contact it may start (phone and chat before
        email), as often as its hand allows; then it is idle for whatever it may still start."""
        nonlocal n_waiting
        mine = serving[a]
        held = load[a]
        if len(mine) == 1:  # the usual case, one queue: the same rule without the search across queues
            q = mine[0]
            line = waiting[q]
            while held < limit[q] and line:
                k = line.popleft()
                n_waiting -= 1
                if deadline[k] < now:
                    continue  # hung up before anyone could take it
                start[k] = now
                held += weight[q]
                heappush(ends, (now + handle[k], a, weight[q]))
            load[a] = held
            if held < limit[q]:
                if a not in idle[q]:
                    idle[q][a] = None
            else:
                idle[q].pop(a, None)
            return
        while n_waiting:
            best, best_arrival = -1, inf
            for q in mine:
                if held >= limit[q]:
                    continue
                if best >= 0 and deferred[q]:
                    break  # `mine` lists email last
                line = waiting[q]
                while line and deadline[line[0]] < now:
                    line.popleft()  # hung up before anyone could take it
                    n_waiting -= 1
                if line and arrival[line[0]] < best_arrival:
                    best, best_arrival = q, arrival[line[0]]
            if best < 0:
                break
            k = waiting[best].popleft()
            n_waiting -= 1
            start[k] = now
            held += weight[best]
            heappush(ends, (now + handle[k], a, weight[best]))
        load[a] = held
        settle(a)

    change_time, change_agent, change_state = plan.change_time, plan.change_agent, plan.change_state
    n_changes, n_arrivals = len(change_time), len(arrival)
    c = i = 0
    next_change = change_time[0] if n_changes else inf
    next_arrival = arrival[0] if n_arrivals else inf
    while i < n_arrivals or n_waiting:
        next_end = ends[0][0] if ends else inf
        if next_change <= next_end and next_change <= next_arrival:
            if next_change == inf:
                break  # contacts still wait, but no agent will come for them
            now, a, state = next_change, change_agent[c], states[change_state[c]]
            c += 1
            next_change = change_time[c] if c < n_changes else inf
            rostered[a] = state
            for q in serving[a]:
                idle[q].pop(a, None)
            if load[a] == 0 or state is serving[a]:
                serving[a] = state
                pull(a, now)
        elif next_end <= next_arrival:
            now, a, w = heappop(ends)
            load[a] -= w
            if serving[a] is not rostered[a]:
                if load[a]:
                    continue  # still finishing an earlier row's contacts
                serving[a] = rostered[a]
            pull(a, now)
        else:
            q = queue[i]
            free = idle[q]
            if free:
                a = free.popitem(last=False)[0]
                start[i] = next_arrival
                w = weight[q]
                load[a] += w
                heappush(ends, (next_arrival + handle[i], a, w))
                if w == 1:
                    settle(a)  # to the back of the line for chats, out of its other queues' lines
                elif len(serving[a]) > 1:
                    for other in serving[a]:
                        idle[other].pop(a, None)  # a full hand: idle for nothing
            else:
                waiting[q].append(i)
                n_waiting += 1
            i += 1
            next_arrival = arrival[i] if i < n_arrivals else inf
    return start


# ----------------------------------------------------------------------------- summaries


def _summarise(contacts: _Contacts, starts: np.ndarray, demand: _Demand, staffing: _Staffing,
               queues: tuple[QueueConfig, ...], runs: int, seed: int, routing: Routing, overdispersion: float,
               handle_time: HandleTime) -> SimulationResult:
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
    target = np.array([
        q.respond_within_hours * 3600.0 if q.is_deferred and q.respond_within_hours is not None else (q.answer_seconds or 0.0)
        for q in queues
    ])[contacts.queue]
    deferred = np.array([q.is_deferred for q in queues])[contacts.queue]
    # Email is answered when the reply goes out; calls and chats when an agent picks them up.
    answered_in = np.where(deferred, wait + contacts.handle, wait)
    on_time = served & (answered_in <= target)

    # Per (run, forecast row) sums with one bincount each.
    key = (np.arange(runs)[None, :] * n_rows + row)[real]
    size = runs * n_rows

    def per_run_row(weights: np.ndarray) -> np.ndarray:
        return np.bincount(key, weights=weights[real].astype(float), minlength=size).reshape(runs, n_rows)

    offered = per_run_row(real)
    answered = per_run_row(on_time)
    dropped = per_run_row(abandoned)
    n_queued = per_run_row(queued)
    wait_sum = per_run_row(in_queue)

    with np.errstate(invalid="ignore", divide="ignore"):
        intervals = pd.DataFrame({
            "queue": [queues[q].name for q in demand.queue],
            "interval_start": demand.interval_start,
            "offered": offered.mean(axis=0),
            "answered_within_target": answered.mean(axis=0),
            "abandoned": dropped.mean(axis=0),
            "service_level": answered.sum(axis=0) / offered.sum(axis=0),
            "asa_seconds": wait_sum.sum(axis=0) / n_queued.sum(axis=0),
        })
    intervals = intervals.sort_values(["queue", "interval_start"], kind="stable").reset_index(drop=True)

    agent_seconds = _agent_seconds(staffing)
    summaries: dict[str, QueueSimulation] = {}
    for q, queue in enumerate(queues):
        mine = demand.queue == q
        offered_q = offered[:, mine].sum(axis=1)
        answered_q = answered[:, mine].sum(axis=1)
        total_offered = float(offered_q.sum())
        queued_q = float(n_queued[:, mine].sum())
        level, interval = _mean_and_interval(answered_q, offered_q)
        erlang = _erlang_prediction(queue, demand, mine, staffing.bounds, agent_seconds[q])
        summaries[queue.name] = QueueSimulation(
            offered=total_offered / runs,
            service_level=level,
            service_level_ci=interval,
            asa_seconds=float(wait_sum[:, mine].sum() / queued_q) if queued_q > 0 else None,
            abandon_rate=float(dropped[:, mine].sum() / total_offered) if total_offered > 0 else None,
            erlang_service_level=erlang,
            disagrees_with_erlang=None if interval is None or erlang is None else not interval[0] <= erlang <= interval[1],
        )
    return SimulationResult(
        intervals=intervals,
        queues=summaries,
        runs=runs,
        seed=seed,
        routing=routing,
        overdispersion=overdispersion,
        handle_time=handle_time,
    )


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


def _erlang_prediction(queue: QueueConfig, demand: _Demand, rows: np.ndarray, bounds: np.ndarray,
                       agent_seconds: np.ndarray) -> float | None:
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


def _fluid_email_level(contacts: np.ndarray, aht_seconds: np.ndarray, lo: np.ndarray, hi: np.ndarray, deadline_seconds: float,
                       bounds: np.ndarray, agent_seconds: np.ndarray) -> float:
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


# ----------------------------------------------------------------------------- reading plan files


def read_forecast_csv(path: Path) -> pd.DataFrame:
    """PLAN_DIR/forecast.csv → queue, interval_start (UTC), contacts, aht_seconds; InputError naming row and column."""
    if not path.is_file():
        raise InputError(f"{path}: missing (write one with `wfm forecast` or `wfm plan`)")
    frame = read_csv_strings(path)
    _check_frame_columns(frame, path.name, FORECAST_COLUMNS)
    frame["interval_start"] = _parse_utc(frame["interval_start"], path.name, "interval_start")
    for column in ("contacts", "aht_seconds"):
        text = frame[column]
        numbers = pd.to_numeric(text.where(text != "", "nan"), errors="coerce")
        bad = (numbers.isna() & (text != "")).to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(f"{path.name} row {row + 2}, column {column}: expected a number, got {text.iloc[row]!r}")
        frame[column] = numbers.astype(float)
    return frame[list(FORECAST_COLUMNS)].reset_index(drop=True)


_OFFSET = r"(?:Z|[+-]\d\d:?\d\d)$"


def _parse_utc(values: pd.Series, source: str, column: str) -> pd.Series:
    """ISO-8601 texts with `Z` or an offset → UTC timestamps; the first bad cell is an InputError."""
    text = values.astype(str)
    parsed = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
    bad = (~text.str.contains(_OFFSET, regex=True) | parsed.isna()).to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(f"{source} row {row + 2}, column {column}: expected an ISO-8601 UTC time such as "
                         f"2026-11-30T09:00:00Z, got {text.iloc[row]!r}")
    return parsed.astype("datetime64[ns, UTC]")
