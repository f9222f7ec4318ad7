"""Tiny situations for the per-rule tests: one or two agents in UTC, a profile with overrides,
and the judges of a rule — the week model, the assignment and the greedy roster's predicate for
the rules of a week, stage 3 (`realize`) for the rules inside a shift — beside the independent
checker (`wfm.check`), which shares no code with them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from wfm.check import Violation, check_roster
from wfm.roster.assign import Assignment, AssignResult, assign_agents
from wfm.roster.candidates import WEEK_SLOTS, Group, Shift, make_groups
from wfm.roster.demand import QueueDemand, ServiceWeights
from wfm.roster.realize import realize, roster_frame
from wfm.roster.rules import allows
from wfm.roster.week import _build
from wfm.rules import RulesProfile, parse_rules
from wfm.workspace import AgentConfig, QueueConfig, Workspace, WorkspaceConfig

WEEK = dt.date(2026, 11, 30)  # a Monday; UTC agents have no DST and seven local days in it
DAY = 1440
QUEUE = QueueConfig(name="phone-en", channel="phone", timezone="UTC")
CHAT = QueueConfig(name="chat-en", channel="chat", timezone="UTC")
BASE: dict[str, dict[str, Any]] = {
    "shifts": {"lengths_hours": [8], "start_step_minutes": 60},
    "hours": {
        "max_per_week": 60,
        "max_per_day": 10,
        "min_rest_between_shifts": 11,
        "max_consecutive_days": 7,
        "min_days_off_per_week": 0,
    },
    "nights": {"max_per_week": 7},
}


def profile(soft: dict[str, float] | None = None, **sections: dict[str, Any]) -> RulesProfile:
    """BASE (every week rule loose) with `sections` merged in, and `soft` weights."""
    data: dict[str, Any] = {name: {**BASE.get(name, {}), **sections.get(name, {})} for name in {**BASE, **sections}}
    if soft:
        data["soft"] = soft
    return parse_rules(data, source="test profile", name="test")


def agent(agent_id: str = "A1", **fields: Any) -> AgentConfig:
    return AgentConfig(agent_id=agent_id, **{"timezone": "UTC", "skills": ("phone-en",), **fields})


def group(rules: RulesProfile, size: int = 1, week: dt.date = WEEK, **fields: Any) -> Group:
    """A group of `size` alike agents A1, A2, ... (UTC unless `fields` say otherwise)."""
    (only,) = make_groups([agent(f"A{n + 1}", **fields) for n in range(size)], rules, week)
    return only


def at(group: Group, day: int, hour: float, hours: float = 8) -> int:
    """The index of `group`'s candidate shift starting on `day` (UTC) at `hour`, `hours` long."""
    start, length = day * DAY + round(hour * 60), round(hours * 60)
    for i, shift in enumerate(group.shifts):
        if shift.start == start and shift.length == length:
            return i
    raise AssertionError(f"no candidate shift on day {day} at {hour} h")


def week_model_most(group: Group, rules: RulesProfile, pick: Callable[[Shift], bool], *, fewest: bool = False) -> int:
    """The most (or, with `fewest`, the fewest) shifts `pick` chooses that the week model lets
    the group work, over the candidate shifts `pick` chooses."""
    ids = [i for i, s in enumerate(group.shifts) if pick(s)]
    model = _build([group], {group.index: ids}, [], rules, ServiceWeights())
    total = sum(model.x.values())
    if fewest:
        model.cp.minimize(total)
    else:
        model.cp.maximize(total)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10.0
    assert solver.solve(model.cp) == cp_model.OPTIMAL
    return round(solver.objective_value)


def assign(group: Group, rules: RulesProfile, wanted: Sequence[int]) -> AssignResult:
    """The assignment of the shifts `wanted` (an index twice: two agents on it) to the group's
    agents, all in one band. A band of one agent is taken as the week model left it, so the
    rules bind in a band of two."""
    band = group.shifts[wanted[0]].band if wanted else 0
    counts = {(group.index, i): n for i, n in Counter(wanted).items()}
    assert group.week is not None
    return assign_agents([group], counts, {(group.index, band): group.size}, rules, group.week, time_limit=2.0)


def quiet_demand() -> QueueDemand:
    """phone-en with nobody required all week: the greedy roster plans only contracts."""
    zeros = np.zeros(WEEK_SLOTS)
    return QueueDemand(QUEUE, zeros.astype(int), zeros, zeros)


def demand(queue: QueueConfig, required: np.ndarray) -> QueueDemand:
    """`queue` needing `required` on-queue agents per slot, ten contacts where it needs any."""
    return QueueDemand(queue, required.astype(int), np.where(required > 0, 10.0, 0.0), np.full(WEEK_SLOTS, 300.0))


def greedy_allows(group: Group, rules: RulesProfile, history: Sequence[int], candidate: int) -> bool:
    """The greedy roster's test (`roster.rules.allows`): may the agent who works `history` add `candidate`?"""
    shifts = [group.shifts[i] for i in history]
    return allows(shifts, group.shifts[candidate], sum(s.paid for s in shifts), group, rules)


def workspace(rules: RulesProfile, agents: Sequence[AgentConfig], queues: Sequence[QueueConfig] = (QUEUE,)) -> Workspace:
    config = WorkspaceConfig(queues=tuple(queues))
    history = pd.DataFrame(columns=["queue", "interval_start", "contacts", "aht_seconds"])
    return Workspace(root=Path("."), config=config, rules=rules, agents=tuple(agents), history=history)


def roster(shifts: Sequence[tuple[str, Shift]], week: dt.date = WEEK) -> pd.DataFrame:
    """roster.csv rows for (agent_id, shift): on phone-en throughout, lunch where the shift has one
    (4 h after its start, so paid time is the shift's `paid`)."""
    origin = pd.Timestamp(week, tz="UTC")
    rows = []
    for agent_id, shift in shifts:
        start, end = origin + pd.Timedelta(minutes=shift.start), origin + pd.Timedelta(minutes=shift.end)
        lunch = shift.length - shift.paid
        if lunch:
            middle = start + pd.Timedelta(hours=4)
            rows += [(agent_id, "phone-en", start, middle), (agent_id, "lunch", middle, middle + pd.Timedelta(minutes=lunch))]
            rows.append((agent_id, "phone-en", middle + pd.Timedelta(minutes=lunch), end))
        else:
            rows.append((agent_id, "phone-en", start, end))
    return pd.DataFrame(rows, columns=["agent_id", "activity", "start", "end"])


def judged(rules: RulesProfile, group: Group, shifts: Sequence[int | Shift], rule: str) -> list[Violation]:
    """What the independent checker says of `rule` when the group's first agent works `shifts`
    (candidate indices, or shifts of one's own)."""
    only = group.agents[0]
    assert group.week is not None
    worked = [group.shifts[s] if isinstance(s, int) else s for s in shifts]
    frame = roster([(only.agent_id, shift) for shift in worked], group.week)
    return verdict(rules, [only], frame, rule, group.week)


def verdict(
    rules: RulesProfile,
    agents: Sequence[AgentConfig],
    frame: pd.DataFrame,
    rule: str,
    week: dt.date = WEEK,
    queues: Sequence[QueueConfig] = (QUEUE,),
) -> list[Violation]:
    """What the independent checker says of `rule` on the roster rows `frame`."""
    return [v for v in check_roster(workspace(rules, agents, queues), frame, week) if v.rule == rule]


def timeline(agent_id: str, start: int, plan: Sequence[tuple[str, int]], week: dt.date = WEEK) -> pd.DataFrame:
    """roster.csv rows of one shift from minute `start` of the week: (activity, minutes) back to back."""
    origin = pd.Timestamp(week, tz="UTC")
    rows = []
    for activity, minutes in plan:
        end = start + minutes
        rows.append((agent_id, activity, origin + pd.Timedelta(minutes=start), origin + pd.Timedelta(minutes=end)))
        start = end
    return pd.DataFrame(rows, columns=["agent_id", "activity", "start", "end"])


def realized(
    rules: RulesProfile, group: Group, shifts: Sequence[int], demands: Sequence[QueueDemand] | None = None
) -> pd.DataFrame:
    """Stage 3 (`realize`: breaks, lunch, queues) for the group's first agent working the
    candidate shifts `shifts`, as roster.csv rows; nobody required anywhere unless `demands`."""
    only = group.agents[0]
    assert group.week is not None
    assignments = [Assignment(only, group.shifts[i]) for i in shifts]
    placed = realize(assignments, demands or [quiet_demand()], {}, [tuple(sorted(only.skills))], rules)
    return roster_frame(placed, group.week)


def worked(result: AssignResult, agent_id: str = "A1") -> list[Shift]:
    """The shifts the assignment gave `agent_id`, by start."""
    return sorted((a.shift for a in result.assignments if a.agent.agent_id == agent_id), key=lambda s: s.start)
