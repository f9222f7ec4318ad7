"""Why the hard rules cannot all hold, in CP-SAT's own words.

When an agent's contracted minimum cannot be met, the message names the rules that clash, the
agent and the local days. It is built from one agent's week in which every hard rule of
`roster.rules`, and every candidate shift the single-shift rules removed, is guarded by an
assumption literal per rule and day: CP-SAT's core of the infeasible model
(`sufficient_assumptions_for_infeasibility`), made minimal by dropping one literal at a time,
is the explanation. `check_contracts` runs before any solve and names agents whose minimum
no legal week can meet; `short_contracts` names those the best roster left short.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from ortools.sat.python import cp_model

from wfm.errors import InfeasibleError
from wfm.roster.assign import PersonWeek
from wfm.roster.candidates import DAYS, Group, Shift, _windows_for, _zone_calendar, candidate_shifts
from wfm.roster.rules import WEEK_RULES, apply, availability, days_unavailable, rest_conflicts
from wfm.rules import RuleName, RulesProfile
from wfm.timegrid import week_start
from wfm.workspace import AgentConfig, Workspace

Guard = tuple[RuleName, tuple[int, ...]]  # a rule, and the local days it is guarded on (none: the week)
# Work units for one explanation solve; the clock is only a safety net.
EXPLAIN_WORK = 5.0
EXPLAIN_SECONDS = 20.0


class _Guarded:
    """The explanation's `roster.rules.Sink`: every hard limit is a row enforced only if its
    rule's assumption literal (per rule and days) holds. Soft rules cannot clash: no row."""

    def __init__(self, model: cp_model.CpModel, works: dict[int, Any], shifts: dict[int, Shift], rules: RulesProfile) -> None:
        self.model, self._works, self._shifts, self._soft = model, works, shifts, rules.soft
        self.guards: dict[Guard, Any] = {}
        self.days = frozenset(shift.day for shift in shifts.values())  # local days a shift could start
        self._apart: dict[tuple[int, int], list[int]] = defaultdict(list)

    def guard(self, rule: RuleName, days: Sequence[int] = ()) -> Any:
        key = (rule, tuple(days))
        if key not in self.guards:
            self.guards[key] = self.model.new_bool_var(f"{rule}[{','.join(map(str, days))}]")
        return self.guards[key]

    def at_most(self, rule: RuleName, value: Any, bound: int, days: Sequence[int] = ()) -> None:
        if rule not in self._soft:
            self.model.add(value <= bound).only_enforce_if(self.guard(rule, days)).with_name(f"{rule}{list(days)}")

    def at_least(self, rule: RuleName, value: Any, bound: int, days: Sequence[int] = ()) -> None:
        if rule not in self._soft:
            self.model.add(value >= bound).only_enforce_if(self.guard(rule, days)).with_name(f"{rule}{list(days)}")

    def apart(self, rule: RuleName, first: Hashable, second: Hashable) -> None:
        # gathered per shift and the later day, written by `close` as one row each
        assert isinstance(first, int) and isinstance(second, int)
        self._apart[first, self._shifts[second].day].append(second)

    def close(self) -> None:
        """The rest rows: a shift worked leaves none of its clashing shifts on a later day."""
        for (first, day), seconds in sorted(self._apart.items()):
            guard = self.guard("min_rest", (self._shifts[first].day, day))
            clash = sum(self._works[k] for k in seconds)
            self.model.add(clash + len(seconds) * self._works[first] <= len(seconds)).only_enforce_if(guard)


def _unguarded(agent: AgentConfig) -> AgentConfig:
    """The agent without their window and days unavailable: every shift the grid allows."""
    return agent.model_copy(
        update={
            "available_from": None,
            "available_to": None,
            "weekdays_unavailable": frozenset(),
            "dates_unavailable": frozenset(),
        }
    )


def _week_model(group: Group, rules: RulesProfile, week: dt.date) -> _Guarded:
    """One member's week over every shift of the grid, each rule guarded."""
    agent = group.agents[0]
    wide = rules.model_copy(update={"hours": rules.hours.model_copy(update={"max_per_day": 16.0})})
    shifts = dict(enumerate(candidate_shifts(_unguarded(agent), wide, week)))
    model = cp_model.CpModel()
    works = {k: model.new_bool_var(f"works[{agent.agent_id},{k}]") for k in shifts}
    sink = _Guarded(model, works, shifts, rules)
    dates = _zone_calendar(agent.timezone, week)[1]
    origin = week_start(week)
    for k, shift in shifts.items():
        local_date = dates[shift.day + 1]
        excluded: list[Guard] = []
        if days_unavailable(agent, local_date):
            excluded.append(("days_unavailable", (shift.day,)))
        if not availability(_windows_for(agent, local_date, origin), shift.start, shift.end):
            excluded.append(("availability", (shift.day,)))
        if shift.paid > rules.hours.max_per_day * 60 + 1e-9:
            excluded.append(("max_hours_day", (shift.day,)))
        for rule, days in excluded:
            model.add(works[k] == 0).only_enforce_if(sink.guard(rule, days))
    apply(sink, PersonWeek(works, shifts, rest_conflicts(shifts, rules)), group, rules, WEEK_RULES)
    sink.close()
    return sink


def _solve(model: cp_model.CpModel, assumptions: list[Any]) -> tuple[Any, list[int]]:
    model.clear_assumptions()
    model.add_assumptions(assumptions)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = EXPLAIN_WORK
    solver.parameters.max_time_in_seconds = EXPLAIN_SECONDS
    status = solver.solve(model)
    core = list(solver.sufficient_assumptions_for_infeasibility()) if status == cp_model.INFEASIBLE else []
    return status, core


@dataclass(frozen=True)
class Clash:
    """A minimal core of the guarded rules, and the local days any shift of the grid starts on."""

    core: list[Guard]
    days: frozenset[int]


def clashing_rules(group: Group, rules: RulesProfile) -> Clash | None:
    """The hard rules (and days) that leave no legal week reaching `group`'s contracted minimum:
    a minimal core of CP-SAT's assumptions (or, undecided, `_by_whole_rules`). None when a
    legal week exists; an empty core when CP-SAT could not decide in time."""
    assert group.week is not None, "groups come from make_groups"
    sink = _week_model(group, rules, group.week)
    by_index = {var.index: key for key, var in sink.guards.items()}
    status, core = _solve(sink.model, list(sink.guards.values()))
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    if status != cp_model.INFEASIBLE:
        return Clash(_by_whole_rules(sink), sink.days)
    kept = [sink.guards[by_index[index]] for index in core]
    for literal in list(kept):  # drop what the clash does not need, one at a time
        trial = [other for other in kept if other is not literal]
        status, smaller = _solve(sink.model, trial)
        if status == cp_model.INFEASIBLE:
            kept = [sink.guards[by_index[index]] for index in smaller] or trial
    ordered = sorted((by_index[var.index] for var in kept), key=lambda key: (WEEK_ORDER.index(key[0]), key[1]))
    return Clash(ordered, sink.days)


def _by_whole_rules(sink: _Guarded) -> list[Guard]:
    """When the assumptions leave CP-SAT undecided (a fine grid: enforced rows relax weakly),
    the clash by whole rules: with every guard fixed, presolve proves infeasibility fast; each
    rule whose rows the clash does not need is dropped in turn. Empty when undecided still."""
    on = set(sink.guards)
    if not _fixed_infeasible(sink, on):
        return []
    for rule in WEEK_ORDER[1:]:
        trial = {key for key in on if key[0] != rule}
        if trial != on and _fixed_infeasible(sink, trial):
            on = trial
    return sorted(on, key=lambda key: (WEEK_ORDER.index(key[0]), key[1]))


def _fixed_infeasible(sink: _Guarded, on: set[Guard]) -> bool:
    """Whether CP-SAT proves the week infeasible with the guards `on` true and the others false."""
    model = sink.model.clone()
    model.clear_assumptions()
    for key, var in sink.guards.items():
        model.add(model.get_bool_var_from_proto_index(var.index) == int(key in on))
    status, _ = _solve(model, [])
    return bool(status == cp_model.INFEASIBLE)


WEEK_ORDER: tuple[RuleName, ...] = (
    "min_hours_week",
    "max_hours_week",
    "availability",
    "days_unavailable",
    "max_hours_day",
    "min_rest",
    "min_days_off",
    "max_consecutive_days",
    "max_nights",
)


def describe(group: Group, rules: RulesProfile, clash: Clash) -> str:
    """One line: the agents, their minimum, and each clashing rule with its days."""
    agent = group.agents[0]
    assert group.week is not None
    dates = _zone_calendar(agent.timezone, group.week)[1]
    ids = ", ".join(a.agent_id for a in group.agents)
    days_of: dict[RuleName, list[tuple[int, ...]]] = defaultdict(list)
    for rule, days in clash.core:
        if rule != "min_hours_week":
            days_of[rule].append(days)
    local = [dates[d + 1] for d in range(DAYS)]
    parts = [_part(rule, spans, group, rules, local, clash.days) for rule, spans in days_of.items()]
    text = "; ".join(parts) if parts else "the other rules"
    return f"min_hours_week: {ids} contracted for {group.min_minutes / 60:g} paid hours, which clashes with {text}"


def _part(
    rule: RuleName,
    spans: list[tuple[int, ...]],
    group: Group,
    rules: RulesProfile,
    dates: list[dt.date],
    week_days: frozenset[int],
) -> str:
    """One clashing rule, its parameter and its days (local dates)."""
    agent = group.agents[0]
    named = sorted({d for span in spans for d in span})
    on = _dates([dates[d] for d in named], every=set(named) >= week_days)
    if rule == "availability":
        text = f"availability {agent.available_from:%H:%M}–{agent.available_to:%H:%M} {on}"
        shortest = min(rules.shifts.lengths_hours)
        window = agent.window_minutes()
        if window is not None and window[1] - window[0] < shortest * 60:
            text += f" (shorter than the shortest shift, {shortest:g} h: shift_length)"
        return text
    if rule == "days_unavailable":
        return f"days_unavailable {on}"
    if rule == "max_hours_day":
        return f"max_hours_day ({rules.hours.max_per_day:g} h, one shift a day) {on}"
    if rule == "min_rest":
        pairs = ", ".join(f"{dates[a]:%a %d %b}–{dates[b]:%a %d %b}" for a, b in sorted(set(spans)))
        return f"min_rest ({rules.hours.min_rest_between_shifts:g} h) between {pairs}"
    if rule == "max_consecutive_days":
        firsts = ", ".join(f"{dates[span[0]]:%a %d %b}" for span in sorted(set(spans)))
        return f"max_consecutive_days ({rules.hours.max_consecutive_days}) in the runs from {firsts}"
    if rule == "max_hours_week":
        return f"max_hours_week ({group.cap_minutes / 60:g} h)"
    if rule == "min_days_off":
        return f"min_days_off ({rules.hours.min_days_off_per_week})"
    if rule == "max_nights":
        return f"max_nights ({rules.nights.max_per_week})"
    return rule


def _dates(dates: list[dt.date], *, every: bool) -> str:
    if not dates:
        return ""
    if every:
        return f"on every local day, {dates[0]:%a %d %b} to {dates[-1]:%a %d %b %Y}"
    return "on " + ", ".join(f"{d:%a %d %b}" for d in dates)


# ----------------------------------------------------------------------------- contracted minimums


def check_contracts(groups: list[Group], ws: Workspace) -> None:
    """Name agents whose contracted minimum no legal week can meet, before any solving: a quick
    upper bound (`most_paid_minutes`) finds them, CP-SAT's core says why."""
    reasons = []
    for group in groups:
        if not group.min_minutes:
            continue
        most = most_paid_minutes(group, ws.rules) if group.shifts else 0
        if most < group.min_minutes:
            clash = clashing_rules(group, ws.rules)
            if clash is not None and clash.core:
                reasons.append(describe(group, ws.rules, clash))
            else:
                ids = ", ".join(a.agent_id for a in group.agents)
                reasons.append(
                    f"min_hours_week: {ids} contracted for {group.min_minutes / 60:g} paid hours, but their legal shifts"
                    f" (availability, days_unavailable, min_days_off, max_nights) allow at most {most / 60:g}"
                )
    if reasons:
        raise InfeasibleError("the hard rules cannot all hold", reasons)


def short_contracts(roster: pd.DataFrame, groups: list[Group], ws: Workspace) -> list[str]:
    """Why each agent `roster` (roster.csv rows) leaves under their contracted minimum is short,
    by name."""
    paid = roster[roster["activity"] != "lunch"].assign(minutes=lambda f: (f["end"] - f["start"]).dt.total_seconds() / 60)
    paid_minutes = {str(k): float(v) for k, v in paid.groupby("agent_id")["minutes"].sum().items()}
    reasons = []
    for group in groups:
        short = [a for a in group.agents if paid_minutes.get(a.agent_id, 0.0) < group.min_minutes]
        if not short:
            continue
        clash = clashing_rules(group, ws.rules)
        if clash is not None and clash.core:
            reasons.append(describe(group, ws.rules, clash))
            continue
        for agent in short:
            have = paid_minutes.get(agent.agent_id, 0.0)
            reasons.append(
                f"min_hours_week: {agent.agent_id} is contracted for {group.min_minutes / 60:g} paid hours; a week within"
                f" every hard rule exists for them alone ({ws.rules.name} profile), but no roster found gives more than"
                f" {have / 60:g}"
            )
    return reasons


def most_paid_minutes(group: Group, rules: RulesProfile) -> int:
    """Most paid minutes one member could work: best shift per day, at most the allowed days and
    nights, within the weekly cap (rest between days is not considered, so this is an upper bound)."""
    best_day: dict[int, int] = {}
    best_night: dict[int, int] = {}
    for shift in group.shifts:
        table = best_night if shift.night else best_day
        table[shift.day] = max(table.get(shift.day, 0), shift.paid)
    days = 7 - rules.hours.min_days_off_per_week
    nights = rules.nights.max_per_week if "max_nights" not in rules.soft else days
    # state: (days used, nights used) → most minutes, over the local days in order
    states = {(0, 0): 0}
    for day in sorted(set(best_day) | set(best_night)):
        following = dict(states)
        for (used, night_count), minutes in states.items():
            if used == days:
                continue
            if day in best_day:
                key = (used + 1, night_count)
                following[key] = max(following.get(key, 0), minutes + best_day[day])
            if day in best_night and night_count < nights:
                key = (used + 1, night_count + 1)
                following[key] = max(following.get(key, 0), minutes + best_night[day])
        states = following
    return min(max(states.values()), group.cap_minutes)
