"""Stage 2: named agents. Within each group and start band, give each person the shifts the
week model counted, under every per-person rule exactly: one shift a local day, rest between
shifts (checked pairwise, so a DST night is right too), days worked, consecutive days, weekly
paid hours, nights, the contracted minimum; and spread nights, weekends and hours fairly.

Each model is small (a band's agents × the shifts it works), so all of them together solve in
seconds. A counted shift nobody can take is dropped (and reported); where a person's contracted
minimum cannot be met from the counted shifts, the model may add one of the group's candidate
shifts, at its cost in paid time and in the person's wishes it denies (`roster.wishes`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from wfm.errors import InfeasibleError
from wfm.roster import stop
from wfm.roster.candidates import DAYS, Group, Shift
from wfm.roster.rules import ASSIGN_ORDER, apply, rest_conflicts
from wfm.roster.wishes import wish_hours
from wfm.rules import RuleName, RulesProfile
from wfm.timegrid import local_days
from wfm.workspace import AgentConfig

_DROP = 10**6  # a counted shift left unassigned
_EXTRA_MINUTE = 10  # a paid minute added beyond the week model's counts
_FAIR = 1_000  # each step of the highest nights / weekend days / hours spread
WALL_SAFETY = 30  # a band model's wall clock, in multiples of its work limit


@dataclass(frozen=True)
class Assignment:
    agent: AgentConfig
    shift: Shift
    queue: str | None = None  # a queue held for the whole shift (the greedy roster's way), else chosen per slot


@dataclass
class AssignResult:
    assignments: list[Assignment]
    dropped: int  # counted shifts nobody could take
    added: int  # shifts added to meet contracted minimums
    soft_violations: dict[str, int]


def assign_agents(
    groups: Sequence[Group],
    counts: dict[tuple[int, int], int],
    bands: dict[tuple[int, int], int],
    rules: RulesProfile,
    week: dt.date,
    *,
    seed: int = 0,
    time_limit: float = 1.0,
) -> AssignResult:
    assignments: list[Assignment] = []
    dropped = added = 0
    soft: dict[str, int] = defaultdict(int)
    for group in groups:
        members = list(group.agents)
        weekend = _weekend_days(group.timezone, week)
        band_sizes = sorted((band, size) for (g, band), size in bands.items() if g == group.index and size > 0)
        # Bands with work first; deterministic split of the (interchangeable) members.
        offset = 0
        for band, size in band_sizes:
            people = members[offset : offset + size]
            offset += size
            wanted = {i: n for (g, i), n in counts.items() if g == group.index and group.shifts[i].band == band and n > 0}
            extra = [i for i, s in enumerate(group.shifts) if s.band == band] if group.min_minutes else []
            result = _assign_band(group, people, wanted, extra, weekend, rules, seed, time_limit)
            assignments.extend(result.assignments)
            dropped += result.dropped
            added += result.added
            for rule, amount in result.soft_violations.items():
                soft[rule] += amount
        rest = members[offset:]
        if rest and group.min_minutes:
            # Members the week model left without a band still have a contracted minimum.
            extra = list(range(len(group.shifts)))
            result = _assign_band(group, rest, {}, extra, weekend, rules, seed, time_limit)
            assignments.extend(result.assignments)
            added += result.added
    assignments.sort(key=lambda a: (a.agent.agent_id, a.shift.start))
    return AssignResult(assignments, dropped, added, dict(soft))


def _weekend_days(timezone: str, week: dt.date) -> set[int]:
    dates = local_days(timezone, week)
    dates.append(dates[-1] + dt.timedelta(days=1))
    return {i for i, d in enumerate(dates) if d.weekday() >= 5}


def _assign_band(
    group: Group,
    people: list[AgentConfig],
    wanted: dict[int, int],
    extra: list[int],
    weekend: set[int],
    rules: RulesProfile,
    seed: int,
    time_limit: float,
) -> AssignResult:
    """Give `people` (one start band of `group`) the `wanted` shifts (index → count) under the
    week's rules (`roster.rules`), adding shifts of `extra` where a contract needs them, fairly."""
    if len(people) == 1 and all(n == 1 for n in wanted.values()):
        # One person: the week model's band constraints were already exact for them; only rest
        # across a DST change is left to check.
        shifts = {k: group.shifts[k] for k in wanted}
        if not rest_conflicts(shifts, rules):
            return AssignResult([Assignment(people[0], s) for s in shifts.values()], 0, 0, {})
    model = cp_model.CpModel()
    shift_ids = sorted(set(wanted) | set(extra))
    shifts = {k: group.shifts[k] for k in shift_ids}
    a: dict[tuple[int, int], cp_model.IntVar] = {}
    for p, agent in enumerate(people):
        for k in shift_ids:
            a[p, k] = model.new_bool_var(f"works[{agent.agent_id},{k}]")
    objective, drops = _counted(model, a, len(people), shifts, wanted)
    for k, shift in shifts.items():  # a group with wishes is one person (`roster.wishes`)
        hours = wish_hours(group, shift)
        if hours:
            objective.append(round(_EXTRA_MINUTE * 60 * hours) * a[0, k])
    conflicts = rest_conflicts(shifts, rules)
    soft_vars: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    nights_of: list[Any] = []
    weekends_of: list[Any] = []
    paid_of: list[Any] = []
    for p, agent in enumerate(people):
        week = PersonWeek({k: a[p, k] for k in shift_ids}, shifts, conflicts)
        sink = _PersonSink(model, week.works, agent, rules, soft_vars, objective)
        apply(sink, week, group, rules, ASSIGN_ORDER)
        nights_of.append(week.nights())
        weekends_of.append(sum(a[p, k] for k in shift_ids if shifts[k].day in weekend))
        paid_of.append(week.paid())
    _fairness(model, objective, nights_of, weekends_of, paid_of, group.cap_minutes)
    for rule, vars_ in soft_vars.items():
        if rule != "min_hours_week":
            weight = round(rules.soft[rule] * _EXTRA_MINUTE * 60)
            objective.extend(weight * v for v in vars_)
    model.minimize(sum(objective))

    solver = cp_model.CpSolver()
    # The work limit decides, so the same roster comes out on a busy machine; the clock is only
    # a safety net (a 1 s wall limit stopped band models early under load, and the roster then
    # depended on the machine).
    solver.parameters.max_time_in_seconds = WALL_SAFETY * time_limit
    solver.parameters.max_deterministic_time = time_limit
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = stop.solve(lambda: solver.solve(model), solver.stop_search)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise _band_infeasible(group, people, rules)
    chosen = [Assignment(people[p], shifts[k]) for (p, k), var in a.items() if solver.value(var)]
    dropped = sum(int(solver.value(v)) for v in drops.values())
    added = max(0, len(chosen) - (sum(wanted.values()) - dropped))
    violations = {rule: sum(int(solver.value(v)) for v in vars_) for rule, vars_ in soft_vars.items()}
    return AssignResult(chosen, dropped, added, {k: v for k, v in violations.items() if v})


def _counted(
    model: cp_model.CpModel,
    a: dict[tuple[int, int], cp_model.IntVar],
    people: int,
    shifts: dict[int, Shift],
    wanted: dict[int, int],
) -> tuple[list[Any], dict[int, cp_model.IntVar]]:
    """The week model's counts: each wanted shift taken as often as counted, a shortfall costing
    `_DROP`, any other shift taken paid like an extra one. Returns the objective's terms and the
    dropped counts."""
    objective: list[Any] = []
    drops: dict[int, cp_model.IntVar] = {}
    for k, shift in shifts.items():
        taken = sum(a[p, k] for p in range(people))
        if k in wanted:
            drops[k] = model.new_int_var(0, wanted[k], f"dropped[{k}]")
            model.add(taken + drops[k] >= wanted[k])
            # Taking more than counted is an extra shift, paid like any other.
            surplus = model.new_int_var(0, people, f"surplus[{k}]")
            model.add(taken <= wanted[k] + surplus)
            objective.append(_DROP * drops[k] + _EXTRA_MINUTE * shift.paid * surplus)
        else:
            objective.append(_EXTRA_MINUTE * shift.paid * taken)
    return objective, drops


def _fairness(
    model: cp_model.CpModel,
    objective: list[Any],
    nights_of: list[Any],
    weekends_of: list[Any],
    paid_of: list[Any],
    cap_minutes: int,
) -> None:
    """Spread nights, weekend days and paid hours: the most of each (and the hours' range) cost."""
    for name, values, upper in (("nights", nights_of, DAYS), ("weekend_days", weekends_of, DAYS)):
        if values:
            top = model.new_int_var(0, upper, f"most_{name}")
            for value in values:
                model.add(value <= top)
            objective.append(_FAIR * top)
    if len(paid_of) > 1:
        top = model.new_int_var(0, cap_minutes, "most_paid")
        low = model.new_int_var(0, cap_minutes, "least_paid")
        for value in paid_of:
            model.add(value <= top)
            model.add(value >= low)
        objective.append((_FAIR // 60) * (top - low))


def _band_infeasible(group: Group, people: list[AgentConfig], rules: RulesProfile) -> InfeasibleError:
    """Why a band's contracted minimum cannot hold: CP-SAT's core when the rules themselves
    clash (`explain`), else the band and its counted shifts are too few."""
    from wfm.roster.explain import clashing_rules, describe  # explain builds on this module

    clash = clashing_rules(group, rules)
    if clash is not None and clash.core:
        return InfeasibleError("the hard rules cannot all hold", [describe(group, rules, clash)])
    names = ", ".join(agent.agent_id for agent in people)
    return InfeasibleError(
        "the hard rules cannot all hold",
        [
            f"min_hours_week: {names} contracted for {group.min_minutes / 60:g} paid hours; a week within every hard rule"
            " exists for each alone, but not in one start band beside the shifts the week model counted"
        ],
    )


class PersonWeek:
    """One person's week in a band model (`roster.rules.Week`): a boolean per shift they may work."""

    people = 1

    def __init__(self, works: dict[int, cp_model.IntVar], shifts: dict[int, Shift], conflicts: list[tuple[int, int]]) -> None:
        self.works = works
        self._conflicts = conflicts
        self._by_day: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for k, var in works.items():
            self._by_day[shifts[k].day].append(var)
        self._starts = {day: sum(self._by_day.get(day, [])) for day in range(DAYS)}
        self._paid = sum(shifts[k].paid * var for k, var in works.items())
        self._nights = sum(var for k, var in works.items() if shifts[k].night)

    def limited_days(self) -> Iterable[int]:
        return [day for day in range(DAYS) if len(self._by_day.get(day, [])) > 1]

    def starts_on(self, day: int) -> Any:
        return self._starts[day]

    def any_day(self, days: range) -> bool:
        return True

    def span(self, days: range) -> Any:
        return sum(self._starts[d] for d in days)

    def worked(self) -> Any:
        return sum(self._starts.values())

    def paid(self) -> Any:
        return self._paid

    def nights(self) -> Any:
        return self._nights

    def clashes(self, rules: RulesProfile) -> Iterable[tuple[int, int]]:
        return self._conflicts


class _PersonSink:
    """The assignment's `roster.rules.Sink`: one row per person and rule, with a costed excess
    (collected in `soft_vars`) where the profile makes the rule soft."""

    def __init__(
        self,
        model: cp_model.CpModel,
        works: dict[int, cp_model.IntVar],
        agent: AgentConfig,
        rules: RulesProfile,
        soft_vars: dict[str, list[cp_model.IntVar]],
        objective: list[Any],
    ) -> None:
        self._model, self._works, self._agent, self._soft = model, works, agent, rules.soft
        self._soft_vars, self._objective = soft_vars, objective

    def at_most(self, rule: RuleName, value: Any, bound: int, days: Sequence[int] = ()) -> None:
        if rule in self._soft:
            excess = self._model.new_int_var(0, DAYS, f"{rule}[{self._agent.agent_id}]")
            self._model.add(value <= bound + excess).with_name(self._name(rule, days))
            self._soft_vars[rule].append(excess)
        else:
            self._model.add(value <= bound).with_name(self._name(rule, days))

    def at_least(self, rule: RuleName, value: Any, bound: int, days: Sequence[int] = ()) -> None:
        if rule in self._soft:
            missing = self._model.new_int_var(0, bound, f"missing_minutes[{self._agent.agent_id}]")
            self._model.add(value + missing >= bound).with_name(self._name(rule, days))
            self._soft_vars[rule].append(missing)
            self._objective.append(round(self._soft[rule] * _EXTRA_MINUTE) * missing)
        else:
            self._model.add(value >= bound).with_name(self._name(rule, days))

    def apart(self, rule: RuleName, first: Hashable, second: Hashable) -> None:
        pair = [self._works[first], self._works[second]]  # type: ignore[index]
        self._model.add_bool_or([var.Not() for var in pair]).with_name(f"{rule}[{self._agent.agent_id},{first},{second}]")

    def _name(self, rule: RuleName, days: Sequence[int]) -> str:
        span = f",days {days[0]}-{days[-1]}" if len(days) > 1 else f",day {days[0]}" if days else ""
        return f"{rule}[{self._agent.agent_id}{span}]"
