"""Wishes (requests.csv `off`, `on`) priced by the roster: each denied wish costs its `weight`
in paid hours, in every stage that picks shifts.

A wish belongs to one person, and the week model counts alike people together; so an agent
with a wish in the plan week is taken out of its group into a group of its own
(`with_wishes`), whose shifts the model then picks one by one. The wish's price is on each of
that group's shifts (`wish_hours`): an `off` wish adds its weight to every shift touching its
hours, an `on` wish takes its weight off every shift starting in its window (a person starts
at most one shift a local day, so that is the denied wish's cost less a constant). The week
model, the assignment and the greedy roster read it from the group; the choice among whole
rosters counts the weights of the wishes each one denies (`denied_hours`).

The spans are `wfm.requests`' own (`request_span`, `wished_starts`), in minutes from the plan
week's Monday 00:00 UTC, and granted means what `wfm.requests.wish_granted` says, so the
solver and the judge (`judge_requests`) agree. Leave is not a wish: it is kept hard before the
roster (`wfm.requests.leave_dates`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from wfm.requests import request_span, wished_starts
from wfm.roster.candidates import WEEK_MINUTES, Group, Shift
from wfm.timegrid import week_start
from wfm.workspace import Workspace

__all__ = ["Wish", "WishedGroup", "denied_hours", "week_wishes", "wish_hours", "with_wishes"]


@dataclass(frozen=True)
class Wish:
    """One wish of one agent in minutes from the week start: `off` is granted when no shift
    touches [low, high), `on` when a shift starts in [low, high)."""

    agent_id: str
    kind: str  # "off" or "on"
    low: int
    high: int
    weight: float  # paid hours a denial costs

    def touches(self, shift: Shift) -> bool:
        return shift.start < self.high and shift.end > self.low

    def starts(self, shift: Shift) -> bool:
        return self.low <= shift.start < self.high

    def granted(self, shifts: Iterable[Shift]) -> bool:
        if self.kind == "on":
            return any(self.starts(s) for s in shifts)
        return not any(self.touches(s) for s in shifts)

    def hours(self, shift: Shift) -> float:
        """What working `shift` adds to the denied wish's cost, in paid hours (see the module)."""
        if self.kind == "on":
            return -self.weight if self.starts(shift) else 0.0
        return self.weight if self.touches(shift) else 0.0


@dataclass(frozen=True)
class WishedGroup(Group):
    """A group of one agent with wishes in the plan week."""

    wishes: tuple[Wish, ...] = ()


def week_wishes(ws: Workspace, week: dt.date) -> dict[str, tuple[Wish, ...]]:
    """Per agent, the wishes of requests.csv whose hours overlap the plan week (as
    `judge_requests` counts them), of a positive weight, in requests.csv order."""
    agents = {agent.agent_id: agent for agent in ws.agents}
    origin = week_start(week)
    out: dict[str, list[Wish]] = {}

    def minute(instant: dt.datetime) -> int:
        return int((instant - origin).total_seconds() // 60)

    for request in ws.requests:
        agent = agents.get(request.agent_id)
        if agent is None or request.kind not in ("off", "on") or request.weight <= 0:
            continue
        span = request_span(request, agent)
        if not (minute(span[0]) < WEEK_MINUTES and minute(span[1]) > 0):
            continue
        low, high = wished_starts(request, agent) if request.kind == "on" else span
        out.setdefault(agent.agent_id, []).append(Wish(agent.agent_id, request.kind, minute(low), minute(high), request.weight))
    return {agent_id: tuple(wishes) for agent_id, wishes in out.items()}


def with_wishes(groups: Sequence[Group], wishes: Mapping[str, Sequence[Wish]]) -> list[Group]:
    """`groups` with each agent that has wishes in a `WishedGroup` of its own, after the rest of
    its group, all numbered afresh; `groups` themselves without any wishes."""
    if not wishes:
        return list(groups)
    out: list[Group] = []
    for group in groups:
        rest = tuple(a for a in group.agents if a.agent_id not in wishes)
        if len(rest) == group.size:
            out.append(dataclasses.replace(group, index=len(out)))
            continue
        if rest:
            out.append(dataclasses.replace(group, index=len(out), agents=rest))
        for agent in group.agents:
            if agent.agent_id in wishes:
                fields = {f.name: getattr(group, f.name) for f in dataclasses.fields(Group)}
                fields.update(index=len(out), agents=(agent,), wishes=tuple(wishes[agent.agent_id]))
                out.append(WishedGroup(**fields))
    return out


def wish_hours(group: Group, shift: Shift) -> float:
    """Paid hours the group's wishes add to (or, granting an `on` wish, take off) working
    `shift`: 0 for a group without wishes."""
    if not isinstance(group, WishedGroup):
        return 0.0
    return sum(wish.hours(shift) for wish in group.wishes)


def denied_hours(groups: Sequence[Group], shifts_of: Mapping[str, Sequence[Shift]]) -> tuple[int, float]:
    """The wishes of `groups` a roster (each agent's shifts) denies: how many, and their weight."""
    count, weight = 0, 0.0
    for group in groups:
        if isinstance(group, WishedGroup):
            shifts = shifts_of.get(group.agents[0].agent_id, ())
            for wish in group.wishes:
                if not wish.granted(shifts):
                    count += 1
                    weight += wish.weight
    return count, weight
