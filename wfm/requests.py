"""People's requests (requests.csv) around the roster: leave made hard before it, wishes priced
by it and judged after it.

- **Leave** (hard: no minute of work in the leave's local hours) becomes days the agent is
  unavailable before the roster is built (`leave_dates`): every local date on which *some*
  shift the agent could work would reach into the leave. That is the leave's own date, and the
  date before when a shift starting then could run past midnight into the leave's hours (a
  late start without an availability window, a night window). The solver knows whole local
  dates an agent cannot start on (`days_unavailable`) and nothing finer, so leave for a few
  hours costs the whole local date: conservative, never illegal.
- **Wishes** (`off`, `on`) are priced by the roster solver (`wfm.roster.wishes`): a denied
  wish costs its `weight` in paid hours in every stage that picks shifts, and never outweighs
  a hard rule. An `off` wish is granted when no shift touches its hours (`request_span`), an
  `on` wish when a shift starts on its date, within its `from`–`to` window when given
  (`wished_starts`): `wish_granted`, which the solver's spans follow and the judge of the
  finished roster (`judge_requests`, summary.json "requests") asks.

`shift_reach` bounds where a shift starting on a local date can lie; `wfm.previous` uses it
for the rest rule across the week boundary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from wfm.planfiles import Shift, roster_shifts
from wfm.rules import RulesProfile
from wfm.timegrid import local_midnight_utc, week_bounds
from wfm.workspace import REQUEST_KINDS, AgentConfig, Request, Workspace

__all__ = [
    "judge_requests",
    "leave_dates",
    "request_span",
    "shift_reach",
    "unavailable_for_roster",
    "wish_granted",
    "wished_starts",
]

# Local wall-clock arithmetic below ignores a DST change inside the span; this margin keeps
# every bound on the safe side of one.
_DST_MARGIN = dt.timedelta(hours=1)


def request_span(request: Request, agent: AgentConfig) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants a request covers: its local date, or only its `from`–`to` hours."""
    zone = agent.zone
    start_of_day = local_midnight_utc(agent.timezone, request.date)
    end_of_day = local_midnight_utc(agent.timezone, request.date + dt.timedelta(days=1))
    start = _wall(zone, request.date, request.from_time) if request.from_time is not None else start_of_day
    end = _wall(zone, request.date, request.to_time) if request.to_time is not None else end_of_day
    return start, end


def wished_starts(request: Request, agent: AgentConfig) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants [low, high) an `on` wish's shift may start in: on its local date, from
    `from` (else midnight) to `to` inclusive (else the next midnight). Shifts start on whole
    minutes, so `to` inclusive is `to` plus a minute, exclusive."""
    low, high = request_span(request, agent)
    if request.to_time is not None:
        high += dt.timedelta(minutes=1)
    return low, high


def wish_granted(request: Request, agent: AgentConfig, shifts: Iterable[tuple[dt.datetime, dt.datetime]]) -> bool:
    """Is the wish granted by the agent's `shifts` ((start, end) UTC instants)? `off`: no shift
    touches its hours; `on`: a shift starts in its `wished_starts`. The judge (`judge_requests`)
    and the roster solver (`wfm.roster.wishes`) both ask this."""
    if request.kind == "on":
        low, high = wished_starts(request, agent)
        return any(low <= start < high for start, _ in shifts)
    low, high = request_span(request, agent)
    return not any(start < high and end > low for start, end in shifts)


def _wall(zone: dt.tzinfo, day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time).replace(tzinfo=zone).astimezone(dt.UTC)


def shift_reach(agent: AgentConfig, rules: RulesProfile, local_date: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """(earliest start, latest end) in UTC of any shift the agent could start on `local_date`:
    the availability window's bounds when it has one, else the whole date plus the longest
    shift; widened by an hour for DST."""
    midnight = local_midnight_utc(agent.timezone, local_date)
    longest = dt.timedelta(hours=max(rules.shifts.lengths_hours))
    window = agent.window_minutes()
    if window is None:
        return midnight - _DST_MARGIN, midnight + dt.timedelta(days=1) + longest + _DST_MARGIN
    open_minutes, close_minutes = window
    # A window crossing midnight also admits starts just after midnight (the evening before's window).
    earliest = midnight if close_minutes > 1440 else midnight + dt.timedelta(minutes=open_minutes)
    return earliest - _DST_MARGIN, midnight + dt.timedelta(minutes=close_minutes) + _DST_MARGIN


def leave_dates(ws: Workspace) -> dict[str, set[dt.date]]:
    """Per agent, the local dates the roster must keep free so that no shift touches any leave."""
    agents = {agent.agent_id: agent for agent in ws.agents}
    out: dict[str, set[dt.date]] = {}
    for request in ws.requests:
        # A what-if may have removed the agent since requests.csv was read.
        if request.kind != "leave" or request.agent_id not in agents:
            continue
        agent = agents[request.agent_id]
        low, high = request_span(request, agent)
        for day in (request.date - dt.timedelta(days=1), request.date):
            earliest, latest = shift_reach(agent, ws.rules, day)
            if earliest < high and latest > low:
                out.setdefault(agent.agent_id, set()).add(day)
    return out


def unavailable_for_roster(ws: Workspace, extra: Mapping[str, Iterable[dt.date]]) -> Workspace:
    """`ws` with `extra` local dates added to each named agent's `dates_unavailable`: what the
    roster is given, so that leave and the week boundary hold without a change to the solver."""
    if not any(extra.values()):
        return ws
    agents = tuple(
        agent.model_copy(update={"dates_unavailable": agent.dates_unavailable | frozenset(extra[agent.agent_id])})
        if extra.get(agent.agent_id)
        else agent
        for agent in ws.agents
    )
    return ws.model_copy(update={"agents": agents})


def judge_requests(ws: Workspace, roster: pd.DataFrame, week: dt.date) -> dict[str, object]:
    """summary.json "requests": granted and denied per kind for the requests whose local hours
    overlap the plan week [Monday 00:00 UTC, next Monday), and each denied one (`denied`:
    agent_id, date, kind, hours, weight, row), in requests.csv order."""
    agents = {agent.agent_id: agent for agent in ws.agents}
    shifts = roster_shifts(roster)
    counts = {kind: {"granted": 0, "denied": 0} for kind in REQUEST_KINDS}
    denied: list[dict[str, object]] = []
    first, stop = week_bounds(week)
    for request in ws.requests:
        if request.agent_id not in agents:
            continue
        agent = agents[request.agent_id]
        low, high = request_span(request, agent)
        if not (low < stop and high > first):
            continue
        granted = _granted(request, agent, shifts.get(agent.agent_id, []))
        counts[request.kind]["granted" if granted else "denied"] += 1
        if not granted:
            entry: dict[str, object] = {"agent_id": request.agent_id, "date": request.date.isoformat(), "kind": request.kind}
            if request.hours:
                entry["hours"] = request.hours
            entry.update(weight=request.weight, row=request.row)
            denied.append(entry)
    return {**counts, "denied": denied}


def _granted(request: Request, agent: AgentConfig, shifts: Sequence[Shift]) -> bool:
    return wish_granted(request, agent, [(shift.start, shift.end) for shift in shifts])
