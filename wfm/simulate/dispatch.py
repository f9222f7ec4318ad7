"""Contacts drawn for every run and served event by event: who takes which contact, and when.

How it is fast enough in plain Python
Each run is one loop over four time-ordered sources: roster changes (one list for all runs: the
times at which an agent's set of servable queues changes, from the roster's segment tables),
returns from a break taken late (a heap), contact ends (a heap) and arrivals (drawn and sorted
with numpy). Per queue an ordered dict holds
the idle agents, longest idle first, and a deque the waiting contacts, so every event costs a few
dictionary and deque operations. Abandonment needs no event of its own: a contact whose patience
ran out is dropped when it reaches the head of its queue, which is exactly when it would otherwise
have been served.
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from dataclasses import dataclass
from heapq import heappop, heappush

import numpy as np

from wfm.simulate.inputs import _Demand, _Staffing
from wfm.simulate.results import HandleTime
from wfm.workspace import QueueConfig

# Padding for runs with fewer contacts than the longest run: an arrival far after every row, so it
# finds no agent and is discarded.
_PAD_TIME = 1e15


@dataclass(frozen=True)
class _Contacts:
    """All runs' contacts, padded to a (steps, runs) rectangle in arrival order per run."""

    arrival: np.ndarray
    queue: np.ndarray
    handle: np.ndarray
    patience: np.ndarray
    row: np.ndarray  # forecast row of the contact, -1 for padding


def _draw_contacts(
    demand: _Demand,
    queues: tuple[QueueConfig, ...],
    runs: int,
    seed: int,
    overdispersion: float,
    handle_time: HandleTime,
    aht_cv: float,
) -> _Contacts:
    patience_mean = np.array(
        [q.patience_seconds if q.patience_seconds is not None and not q.is_deferred else np.inf for q in queues]
    )[demand.queue]
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
    change_rest: tuple[float, ...]
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
            change_rest=staffing.change_rest,
            states=staffing.states,
            limit=tuple(q.concurrency if c else 1 for q, c in zip(queues, chat, strict=True)),
            weight=tuple(1 if c else _FULL_HAND for c in chat),
            deferred=tuple(q.is_deferred for q in queues),
        )


# A phone call or email fills the agent's hand: more than any chat concurrency.
_FULL_HAND = 1 << 20


class _Floor:
    """The state of one run's dispatch. Per queue, `idle` holds the agents who could start one of
    its contacts now, the longest idle first, and `waiting` its contacts in arrival order; a queue
    never has both. `rostered[a]` is what the roster lets agent a serve now and `serving[a]` what
    it works under: they differ while the agent finishes the contacts of an earlier row, when it
    starts nothing new. States are entries of plan.states, so `is` compares them."""

    __slots__ = (
        "arrival",
        "deadline",
        "deferred",
        "ends",
        "handle",
        "idle",
        "limit",
        "load",
        "n_waiting",
        "owed",
        "resting",
        "returns",
        "rostered",
        "serving",
        "start",
        "waiting",
        "weight",
    )

    def __init__(self, plan: _DispatchPlan, arrival: list[float], handle: list[float], deadline: list[float]) -> None:
        self.limit, self.weight, self.deferred = plan.limit, plan.weight, plan.deferred
        self.idle: list[OrderedDict[int, None]] = [OrderedDict() for _ in plan.limit]
        self.waiting: list[deque[int]] = [deque() for _ in plan.limit]
        self.rostered = [plan.states[0]] * plan.n_agents
        self.serving = [plan.states[0]] * plan.n_agents
        self.load = [0] * plan.n_agents
        self.start = [math.inf] * len(arrival)
        self.ends: list[tuple[float, int, int]] = []  # (end time, agent, weight)
        self.n_waiting = 0
        self.arrival, self.handle, self.deadline = arrival, handle, deadline
        self.owed = [0.0] * plan.n_agents  # rest seconds an agent will take once its hand is empty
        self.resting = [False] * plan.n_agents  # on a rest that began late, until its return
        self.returns: list[tuple[float, int]] = []  # (return time, agent)

    def change(self, now: float, a: int, state: tuple[int, ...], rest: float) -> None:
        """The roster moves agent a to `state` at `now`; `rest` is the rostered length of a break or
        lunch that begins here (0 otherwise). A rest that finds the hand full is owed (see `_dispatch`)."""
        self.rostered[a] = state
        if self.resting[a]:
            return  # back at its return, under whatever the roster says then
        for q in self.serving[a]:
            self.idle[q].pop(a, None)
        if self.owed[a]:
            return  # still finishing its contacts before a rest it owes
        if self.load[a] and rest:
            self.owed[a] = rest
        elif self.load[a] == 0 or state is self.serving[a]:
            self.serving[a] = state
            self.pull(a, now)

    def come_back(self) -> None:
        """The next agent back from a rest that began late takes whatever the roster says now."""
        now, a = heappop(self.returns)
        self.resting[a] = False
        self.serving[a] = self.rostered[a]
        self.pull(a, now)

    def settle(self, a: int) -> None:
        """Agent a is idle for exactly the queues it may start a contact of now."""
        held, limit, idle = self.load[a], self.limit, self.idle
        for q in self.serving[a]:
            if held < limit[q]:
                if a not in idle[q]:
                    idle[q][a] = None
            else:
                idle[q].pop(a, None)

    def pull(self, a: int, now: float) -> None:
        """Agent a can take work: the oldest waiting contact it may start (phone and chat before
        email), as often as its hand allows; then it is idle for whatever it may still start."""
        mine = self.serving[a]
        if len(mine) == 1:  # the usual case, one queue: the same rule without the search across queues
            self._pull_one(a, mine[0], now)
            return
        limit, weight, deferred, waiting = self.limit, self.weight, self.deferred, self.waiting
        arrival, deadline, start, ends, handle = self.arrival, self.deadline, self.start, self.ends, self.handle
        held = self.load[a]
        while self.n_waiting:
            best, best_arrival = -1, math.inf
            for q in mine:
                if held >= limit[q]:
                    continue
                if best >= 0 and deferred[q]:
                    break  # `mine` lists email last
                line = waiting[q]
                while line and deadline[line[0]] < now:
                    line.popleft()  # hung up before anyone could take it
                    self.n_waiting -= 1
                if line and arrival[line[0]] < best_arrival:
                    best, best_arrival = q, arrival[line[0]]
            if best < 0:
                break
            k = waiting[best].popleft()
            self.n_waiting -= 1
            start[k] = now
            held += weight[best]
            heappush(ends, (now + handle[k], a, weight[best]))
        self.load[a] = held
        self.settle(a)

    def _pull_one(self, a: int, q: int, now: float) -> None:
        limit, w, line, deadline = self.limit[q], self.weight[q], self.waiting[q], self.deadline
        held = self.load[a]
        while held < limit and line:
            k = line.popleft()
            self.n_waiting -= 1
            if deadline[k] < now:
                continue  # hung up before anyone could take it
            self.start[k] = now
            held += w
            heappush(self.ends, (now + self.handle[k], a, w))
        self.load[a] = held
        idle = self.idle[q]
        if held < limit:
            if a not in idle:
                idle[a] = None
        else:
            idle.pop(a, None)


def _dispatch(plan: _DispatchPlan, arrival: list[float], queue: list[int], handle: list[float],
              deadline: list[float]) -> list[float]:  # fmt: skip
    """One run, event by event: the start time of each contact (arrival order), inf if it never started.

    Four time-ordered sources of events: roster changes (the plan's list), returns from a rest that
    began late (a heap), contact ends (a heap) and arrivals (the run's list); at equal times a
    roster change comes first, then a return, an end, an arrival. A contact still waiting at its
    deadline (arrival + patience) is dropped when it reaches the head of its queue (see `_Floor`).

    A break or lunch that finds the agent's hand full is owed: the agent finishes its contacts,
    then rests for the rest's full rostered length and comes back to whatever the roster says by
    then. Resting only the rostered time left would hand the queue the overrun as extra capacity
    that no roster has (see the module docstring of wfm.simulate).
    """
    inf = math.inf
    floor = _Floor(plan, arrival, handle, deadline)
    weight, nothing = plan.weight, plan.states[0]
    idle, waiting, serving, load, start, ends = floor.idle, floor.waiting, floor.serving, floor.load, floor.start, floor.ends
    rostered, owed, resting, returns = floor.rostered, floor.owed, floor.resting, floor.returns
    change_time, change_agent, change_state = plan.change_time, plan.change_agent, plan.change_state
    change_rest, states = plan.change_rest, plan.states
    n_changes, n_arrivals = len(change_time), len(arrival)
    c = i = 0
    next_change = change_time[0] if n_changes else inf
    next_arrival = arrival[0] if n_arrivals else inf
    while i < n_arrivals or floor.n_waiting:
        next_end = ends[0][0] if ends else inf
        next_return = returns[0][0] if returns else inf
        if next_change <= next_end and next_change <= next_arrival and next_change <= next_return:
            if next_change == inf:
                break  # contacts still wait, but no agent will come for them
            floor.change(next_change, change_agent[c], states[change_state[c]], change_rest[c])
            c += 1
            next_change = change_time[c] if c < n_changes else inf
        elif next_return <= next_end and next_return <= next_arrival:
            floor.come_back()
        elif next_end <= next_arrival:
            now, a, w = heappop(ends)
            load[a] -= w
            if owed[a]:
                if load[a]:
                    continue
                serving[a] = nothing
                resting[a] = True
                heappush(returns, (now + owed[a], a))
                owed[a] = 0.0
                continue
            if serving[a] is not rostered[a]:
                if load[a]:
                    continue  # still finishing an earlier row's contacts
                serving[a] = rostered[a]
            floor.pull(a, now)
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
                    floor.settle(a)  # to the back of the line for chats, out of its other queues' lines
                elif len(serving[a]) > 1:
                    for other in serving[a]:
                        idle[other].pop(a, None)  # a full hand: idle for nothing
            else:
                waiting[q].append(i)
                floor.n_waiting += 1
            i += 1
            next_arrival = arrival[i] if i < n_arrivals else inf
    return start
