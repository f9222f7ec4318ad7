"""The roster's rules as constraints: one function per rule name of `wfm.rules`, written once.

Every solver stage keeps the same rules on its own kind of week, so each rule of the week below
is written against two small interfaces instead of against one model:

* a `Week`: the shift starts of one person's week (the assignment, the greedy roster, the
  explanation) or of one start band's (the week model, where `people` is the band's head
  count), per local day, with their paid minutes and night shifts;
* a `Sink`: what a stage does with "this stays at most / at least that much". The week model
  writes one row per band (`week.model`), the assignment one per person (`assign`), the greedy
  roster tests numbers (`Check`, its predicate form), and the explanation guards each row with
  an assumption literal (`explain`).

The rules of one shift alone (`shift_length`, `start_grid`, `availability`, `days_unavailable`,
and `max_hours_day`'s cap on one shift) decide which candidate shifts exist (`candidates`); the
rules of a week (`max_hours_day`'s one shift a local day, `min_rest`, `min_days_off`,
`max_consecutive_days`, `max_hours_week`, `min_hours_week`, `max_nights`) are rows over them.
The rules inside a shift are asked by the stages that fill a shift in: `breaks` and `lunch` say
where each may go (`patterns`, which `realize` places them by), `skills` which queues a person
may be on (`greedy`, `realize`), `min_block` and `max_switches` how a shift's queue blocks may
run (`blocks`, `realize`).

A rule the profile makes soft is kept by the sink with a costed excess; the rule functions do
not know which rules are soft. The rules inside a shift are kept whole even when `[soft]` weighs
`min_block` or `max_switches` (`wfm.rules`): the weight is what the checker's soft line means.

`wfm.check` judges a written roster by its own copy of every rule, on purpose: the referee
shares no code with the player.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from wfm.roster.candidates import DAYS, SLOT_MINUTES, Group, Shift
from wfm.rules import RuleName, RulesProfile
from wfm.workspace import AgentConfig


class Sink(Protocol):
    """Where a stage puts a rule's limits. `days` are the local day indices a limit is about
    (empty for the whole week), for row names and for explanations."""

    def at_most(self, rule: RuleName, value: Any, bound: int, days: Sequence[int] = ()) -> None: ...

    def at_least(self, rule: RuleName, value: Any, bound: int, days: Sequence[int] = ()) -> None: ...

    def apart(self, rule: RuleName, first: Hashable, second: Hashable) -> None:
        """One person works at most one of the shifts `first` and `second` (keys of the week)."""


class Week(Protocol):
    """One person's week, or one start band's, as a stage models it (see the module docstring).
    Values are model expressions or plain numbers."""

    people: Any  # who carries the week: 1, or a band's head count

    def limited_days(self) -> Iterable[int]:
        """The local days whose shift starts need a limit (those with a shift to limit)."""

    def starts_on(self, day: int) -> Any:
        """Shift starts on local day `day`."""

    def any_day(self, days: range) -> bool:
        """Whether any of `days` can have a shift start (a span of none needs no row)."""

    def span(self, days: range) -> Any:
        """Shift starts over `days`."""

    def worked(self) -> Any:
        """Shift starts over the week (days worked: one shift a day)."""

    def paid(self) -> Any:
        """Paid minutes over the week."""

    def nights(self) -> Any | None:
        """Night shifts over the week; None when no night shift is in reach (no row)."""

    def clashes(self, rules: RulesProfile) -> Iterable[tuple[Hashable, Hashable]]:
        """Pairs of the week's shifts (by key) too close for one person (`rest_conflicts`)."""


# ----------------------------------------------------------------------------- one shift alone


def shift_length(rules: RulesProfile, cap_minutes: float) -> list[tuple[int, int]]:
    """(length, paid) minutes of the profile's shift lengths one shift may have: its paid time
    within the daily cap (`max_hours_day`) and the agent's weekly cap (`max_hours_week`)."""
    lengths = []
    for hours in rules.shifts.lengths_hours:
        paid = rules.paid_hours(hours) * 60
        if paid <= rules.hours.max_per_day * 60 + 1e-9 and paid <= cap_minutes + 1e-9:
            lengths.append((round(hours * 60), round(paid)))
    return lengths


def start_grid(rules: RulesProfile, begin: int, end: int) -> range:
    """The start minutes on the grid from `begin` (never before the week starts) up to `end`."""
    step = rules.shifts.start_step_minutes
    first = max(0, begin)
    first += -first % step
    return range(first, end, step)


def availability(windows: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether a shift from `start` to `end` lies inside one of the agent's windows."""
    return any(w_start <= start and end <= w_end for w_start, w_end in windows)


def days_unavailable(agent: AgentConfig, local_date: dt.date) -> bool:
    """Whether the agent may not start a shift on `local_date` (a weekday or date they listed)."""
    return agent.unavailable_on(local_date)


# ----------------------------------------------------------------------------- the week's rules


def max_hours_day(sink: Sink, week: Week, group: Group, rules: RulesProfile) -> None:
    """At most one shift starts on a local day. Each candidate's paid time is within the daily
    cap already (`shift_length`), so one shift a day keeps the cap on the day's hours."""
    for day in week.limited_days():
        sink.at_most("max_hours_day", week.starts_on(day), 1, (day,))


def min_rest(sink: Sink, week: Week, group: Group, rules: RulesProfile) -> None:
    """Two shifts of one person leave at least the profile's rest between them (`too_close`).
    The week model keeps it by start bands (`candidates.band_minutes`): its week has no clashes."""
    for first, second in week.clashes(rules):
        sink.apart("min_rest", first, second)


def min_days_off(sink: Sink, week: Week, group: Group, rules: RulesProfile) -> None:
    """Days worked (one shift a day) leave the profile's days off."""
    sink.at_most("min_days_off", week.worked(), 7 - rules.hours.min_days_off_per_week)


def max_consecutive_days(sink: Sink, week: Week, group: Group, rules: RulesProfile) -> None:
    """No run of more than the profile's consecutive days: every span of one day more holds a
    day off."""
    longest = rules.hours.max_consecutive_days
    if longest >= DAYS:
        return
    for first in range(DAYS - longest):
        days = range(first, first + longest + 1)
        if week.any_day(days):
            sink.at_most("max_consecutive_days", week.span(days), longest, days)


def max_hours_week(sink: Sink, week: Week, group: Group, rules: RulesProfile) -> None:
    """Paid minutes of the week within the agent's cap (never above the profile's)."""
    sink.at_most("max_hours_week", week.paid(), group.cap_minutes)


def min_hours_week(sink: Sink, week: Week, group: Group, rules: RulesProfile) -> None:
    """Paid minutes of the week reach the contracted minimum, where there is one."""
    if group.min_minutes:
        sink.at_least("min_hours_week", week.paid(), group.min_minutes)


def max_nights(sink: Sink, week: Week, group: Group, rules: RulesProfile) -> None:
    """Night shifts (`candidates.is_night`) within the weekly cap."""
    nights = week.nights()
    if nights is not None:
        sink.at_most("max_nights", nights, rules.nights.max_per_week)


def rest_minutes(rules: RulesProfile) -> int:
    return round(rules.hours.min_rest_between_shifts * 60)


def too_close(first: Shift, second: Shift, rest: int) -> bool:
    """Whether one person cannot work both shifts: they overlap, or one starts less than `rest`
    minutes after the other ends."""
    return first.end + rest > second.start and second.end + rest > first.start


def rest_conflicts(shifts: dict[int, Shift], rules: RulesProfile) -> list[tuple[int, int]]:
    """Pairs of `shifts` (by key) on different local days that one person cannot both work
    (`too_close`); pairs on one day are `max_hours_day`'s."""
    rest = rest_minutes(rules)
    ordered = sorted(shifts.items(), key=lambda item: item[1].start)
    pairs = []
    for i, (k1, s1) in enumerate(ordered):
        for k2, s2 in ordered[i + 1 :]:
            if not too_close(s1, s2, rest):
                break  # later starts are further away still
            if s1.day != s2.day:
                pairs.append((k1, k2))
    return pairs


# The week's rules, in the order each stage writes its rows (the order is part of the model, so
# a solve repeats): the week model per band, the assignment per person.
WEEK_MODEL_ORDER = (max_hours_day, min_days_off, max_hours_week, max_consecutive_days, max_nights, min_hours_week)
ASSIGN_ORDER = (max_hours_day, min_rest, min_days_off, max_consecutive_days, max_hours_week, min_hours_week, max_nights)
# Every rule of the week, for the greedy roster and the explanation.
WEEK_RULES = ASSIGN_ORDER


def apply(sink: Sink, week: Week, group: Group, rules: RulesProfile, order: Sequence[Any] = WEEK_RULES) -> None:
    """Every rule of the week on `week`, in `order`."""
    for rule in order:
        rule(sink, week, group, rules)


# ----------------------------------------------------------------------------- the predicate form


class Check:
    """A sink that tests numbers: `ok` stays True while every limit holds. Minimums are not
    tested (a week under construction reaches them later)."""

    def __init__(self) -> None:
        self.ok = True

    def at_most(self, rule: RuleName, value: Any, bound: int, days: Sequence[int] = ()) -> None:
        if value > bound:
            self.ok = False

    def at_least(self, rule: RuleName, value: Any, bound: int, days: Sequence[int] = ()) -> None:
        return None

    def apart(self, rule: RuleName, first: Hashable, second: Hashable) -> None:
        self.ok = False


class AddedShift:
    """A person's week of `history` with `shift` added, as plain numbers: the greedy roster's
    `Week`. Limits only about `shift`'s own day and nights are tested, as adding it changes
    nothing else."""

    people = 1

    def __init__(self, history: Sequence[Shift], shift: Shift, paid: int) -> None:
        self._history = history
        self._shift = shift
        self._paid = paid
        self._days = {s.day for s in history} | {shift.day}

    def limited_days(self) -> Iterable[int]:
        return (self._shift.day,)

    def starts_on(self, day: int) -> int:
        return sum(1 for s in self._history if s.day == day) + (self._shift.day == day)

    def any_day(self, days: range) -> bool:
        return True

    def span(self, days: range) -> int:
        return sum(1 for d in days if d in self._days)

    def worked(self) -> int:
        return len(self._history) + 1

    def paid(self) -> int:
        return self._paid + self._shift.paid

    def nights(self) -> int | None:
        if not self._shift.night:
            return None
        return sum(s.night for s in self._history) + 1

    def clashes(self, rules: RulesProfile) -> Iterable[tuple[Hashable, Hashable]]:
        rest = rest_minutes(rules)
        return [(s, self._shift) for s in self._history if too_close(s, self._shift, rest)]


def allows(history: Sequence[Shift], shift: Shift, paid: int, group: Group, rules: RulesProfile) -> bool:
    """Whether a person who works `history` (`paid` minutes) may also work `shift` under every
    rule of the week: the rules' predicate form."""
    check = Check()
    apply(check, AddedShift(history, shift, paid), group, rules)
    return check.ok


# ----------------------------------------------------------------------------- inside a shift

# House rule beyond FORMATS.md, so a day reads well: a break is at least this far from either
# edge of the shift (a shift too short for that keeps one slot).
EDGE_MINUTES = 60


@dataclass(frozen=True)
class Placement:
    """Where a shift's breaks, or its lunch, may go: how many, the minutes of each, and the
    offsets from the shift's start (minutes, on the slot grid) at which one may begin."""

    count: int
    minutes: int
    starts: tuple[int, ...]


def breaks(rules: RulesProfile, length: int) -> Placement:
    """The paid breaks of a shift `length` minutes long: one of `break_minutes` for each full
    `break_every_paid_hours` of paid time, none opening or closing the shift (each at least
    `EDGE_MINUTES` from either edge)."""
    count = rules.breaks_for(length / 60)
    minutes = rules.breaks.break_minutes
    if not count:
        return Placement(0, minutes, ())
    edge = EDGE_MINUTES if length >= 4 * EDGE_MINUTES else SLOT_MINUTES
    return Placement(count, minutes, tuple(range(edge, length - edge - minutes + 1, SLOT_MINUTES)))


def lunch(rules: RulesProfile, length: int) -> Placement:
    """The unpaid lunch of a shift `length` minutes long: one of `lunch_minutes` in a shift
    longer than `lunch_if_longer_than_hours`, none in a shorter one, starting within
    `lunch_after_hours` of the shift's start (both bounds inclusive) and neither opening nor
    closing the shift."""
    minutes = rules.lunch_minutes_for(length / 60)
    if not minutes:
        return Placement(0, 0, ())
    low, high = (round(hours * 60) for hours in rules.breaks.lunch_after_hours)
    grid = range(low - low % SLOT_MINUTES, high + 1, SLOT_MINUTES)
    return Placement(1, minutes, tuple(s for s in grid if low <= s and s > 0 and s + minutes < length))


def skills(serves: Collection[str], queue: str) -> bool:
    """Whether someone skilled for the queues `serves` (an agent's skills, a group's, a skill
    set) may be on `queue`: only a queue among them."""
    return queue in serves


@dataclass(frozen=True)
class Blocks:
    """The profile's `[blocks]` in slots: every queue block of a shift lasts `min_slots` on-queue
    slots (unless it is the shift's only one), and a shift changes queue `max_switches` times at most."""

    min_slots: int
    max_switches: int


def block_limits(rules: RulesProfile) -> Blocks | None:
    """The profile's `[blocks]` in slots, or None without them (then no block rules)."""
    if rules.blocks is None:
        return None
    return Blocks(max(1, rules.blocks.min_minutes // SLOT_MINUTES), rules.blocks.max_switches)


def min_block(blocks: Blocks, slots: int, *, only: bool = False) -> bool:
    """Whether a queue block of `slots` on-queue slots is long enough: it holds `min_slots`, or
    it is the shift's only block (`only`). Breaks and lunch inside a block neither end it nor
    count toward it. Asked of a block as it ends; of a block about to start, whether the slots
    left in the shift can make it whole."""
    return only or slots >= blocks.min_slots


def max_switches(blocks: Blocks, switches: int) -> bool:
    """Whether a shift that changes queue `switches` times (its blocks less one) keeps the cap."""
    return switches <= blocks.max_switches
