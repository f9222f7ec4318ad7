"""The roster's rules in the week model: each start band of a group carries the week of
`roster.rules` on its counts, each per-person limit times the band's head count (`_BandWeek`,
`_BandSink`). Two starts on consecutive days within one band always leave the minimum rest
(`candidates.band_minutes`), so rest needs no rows here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ortools.sat.python import cp_model

from wfm.roster import rules as roster_rules
from wfm.roster.candidates import DAYS, Group, Shift
from wfm.roster.demand import ServiceWeights
from wfm.roster.week.model import Column, _BandRows, _row, _Rows, _sum
from wfm.rules import RuleName, RulesProfile


def _band_constraints(
    cp: cp_model.CpModel,
    groups: Sequence[Group],
    columns: dict[int, list[int]],
    x: dict[Column, Any],
    rules: RulesProfile,
    weights: ServiceWeights,
    cost: Callable[[Any, float], None],
    rows: _Rows,
    *,
    complete: bool = False,
) -> dict[tuple[int, int], Any]:
    """What each band of a group can carry: the week's rules (`roster.rules`) on the band's
    counts, each per-person limit times the band's people; how many of the group's agents are
    in each band is the model's choice. Each row is noted in `rows`; `complete`: the rows of
    every band, day and night the group's candidate shifts have, not only those of its columns."""
    bands: dict[tuple[int, int], Any] = {}
    for group in groups:
        free = [(group.shifts[i], x[group.index, i]) for i in columns.get(group.index, [])]
        if not free:
            continue  # the group works no candidate shift
        possible = group.shifts if complete else [s for s, _ in free]
        used_bands = sorted({s.band for s in possible})
        for band in used_bands:
            bands[group.index, band] = cp.new_int_var(0, group.size, f"band[{group.label},{band}]")
        # Everyone with a contract is in a band (so the minimum binds); others may stay home.
        in_bands = _sum(bands[group.index, band] for band in used_bands)
        cp.add(in_bands == group.size if group.min_minutes else in_bands <= group.size)
        for band in used_bands:
            week = _BandWeek(bands[group.index, band], band, free, possible)
            sink = _BandSink(cp, group, band, week.people, rows.bands[group.index, band], rules, weights, cost)
            roster_rules.apply(sink, week, group, rules, roster_rules.WEEK_MODEL_ORDER)
    return bands


class _BandWeek:
    """A start band's week in the week model (`roster.rules.Week`): the counts of its shifts,
    carried by `people`, the band's head count."""

    def __init__(self, people: Any, band: int, free: list[tuple[Shift, Any]], possible: Sequence[Shift]) -> None:
        self.people = people
        self._mine = [(s, v) for s, v in free if s.band == band]
        self._per_day: dict[int, list[Any]] = defaultdict(list)
        for shift in possible:
            if shift.band == band:
                self._per_day.setdefault(shift.day, [])
        for shift, value in self._mine:
            self._per_day[shift.day].append(value)
        self._night_in_reach = any(s.night and s.band == band for s in possible)
        self._paid = _sum(s.paid * v for s, v in self._mine)

    def limited_days(self) -> Iterable[int]:
        return list(self._per_day)

    def starts_on(self, day: int) -> Any:
        return _sum(self._per_day[day])

    def any_day(self, days: range) -> bool:
        return any(d in self._per_day for d in days)

    def span(self, days: range) -> Any:
        return _sum([v for d in days for v in self._per_day.get(d, [])])

    def worked(self) -> Any:
        return _sum(v for _, v in self._mine)

    def paid(self) -> Any:
        return self._paid

    def nights(self) -> Any | None:
        nights = [v for s, v in self._mine if s.night]
        return _sum(nights) if nights or self._night_in_reach else None

    def clashes(self, rules: RulesProfile) -> Iterable[tuple[Any, Any]]:
        return ()  # two starts within one band always leave the rest (`candidates.band_minutes`)


class _BandSink:
    """The week model's `roster.rules.Sink`: a per-person limit becomes a row over a band's
    counts and its people, with a costed excess where the profile makes the rule soft; each
    row is noted where pricing (`column_entries`) finds it."""

    def __init__(
        self,
        cp: cp_model.CpModel,
        group: Group,
        band: int,
        people: Any,
        noted: _BandRows,
        rules: RulesProfile,
        weights: ServiceWeights,
        cost: Callable[[Any, float], None],
    ) -> None:
        self._cp, self._group, self._band, self._people, self._noted = cp, group, band, people, noted
        self._soft, self._weights, self._cost = rules.soft, weights, cost

    def at_most(self, rule: RuleName, value: Any, bound: int, days: Sequence[int] = ()) -> None:
        cp, group = self._cp, self._group
        name = self._name(rule, days)
        if rule in self._soft:
            excess = cp.new_int_var(0, DAYS * group.size, f"{rule}[{group.label}]")
            self._cost(excess, self._soft[rule] * self._weights.paid_minute * 60)
            row = _row(cp, value - bound * self._people - excess, cp_model.INT_MIN, 0, name)
        else:
            row = _row(cp, value - bound * self._people, cp_model.INT_MIN, 0, name)
        self._note(rule, row, days)

    def at_least(self, rule: RuleName, value: Any, bound: int, days: Sequence[int] = ()) -> None:
        cp, group = self._cp, self._group
        name = self._name(rule, days)
        if rule in self._soft:
            missing = cp.new_int_var(0, bound * group.size, f"missing_minutes[{group.label},{self._band}]")
            row = _row(cp, value + missing - bound * self._people, 0, cp_model.INT_MAX, name)
            self._cost(missing, self._soft[rule] * self._weights.paid_minute)
        else:
            row = _row(cp, value - bound * self._people, 0, cp_model.INT_MAX, name)
        self._note(rule, row, days)

    def apart(self, rule: RuleName, first: Any, second: Any) -> None:
        raise AssertionError("the week model keeps rest by start bands")

    def _name(self, rule: RuleName, days: Sequence[int]) -> str:
        """`max_nights[MNL-001 and 3 alike,band 2]`, `max_consecutive_days[...,days 0-5]`."""
        span = f",days {days[0]}-{days[-1]}" if len(days) > 1 else f",day {days[0]}" if days else ""
        return f"{rule}[{self._group.label},band {self._band}{span}]"

    def _note(self, rule: RuleName, row: int, days: Sequence[int]) -> None:
        """Where a shift's column meets the row: per day (1), week (1), paid (its minutes), night (1)."""
        noted = self._noted
        if rule == "max_hours_day":
            noted.day[days[0]] = row
        elif rule == "max_consecutive_days":
            for day in days:
                noted.run[day].append(row)
        elif rule == "max_nights":
            noted.nights = row
        elif rule in ("max_hours_week", "min_hours_week"):
            noted.paid.append(row)
        else:
            noted.week.append(row)
