"""The independent checker: judges a written roster against every rule, from the files alone.

This module is the referee of the CP-SAT roster and the oracle of its tests, so it shares no code
with `wfm.roster`: it re-derives shifts, days, nights and hours from the roster rows and the
workspace, following FORMATS.md ("Conventions the rules rely on") word for word. Each rule is one
small function named like the rule (`min_rest`, `max_nights`, ...) that yields a `Violation`
measured in the rule's unit (minutes of overlap, hours of missing rest, nights over the cap, ...).
A rule is soft when the profile's `[soft]` table names it; `format` (a malformed roster row) is
always hard.

Week after week (FORMATS.md 0.2): given last week's roster (`wfm check --previous`), `min_rest`
and `max_consecutive_days` are judged across the boundary too, and last week's minutes after
this Monday 00:00 UTC count in coverage.csv's `scheduled`. Approved leave in requests.csv is the
hard rule `leave`: no minute of a shift in the leave's local date (or its `from`–`to` hours).

Reading `roster.csv` and `coverage.csv` happens here too (`read_plan`, `read_coverage`): syntax
errors there are `InputError`s (exit 2); anything that parses but breaks a rule is a `Violation`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from wfm.errors import InputError, suggest
from wfm.rules import RULE_NAMES, RuleName, RulesProfile
from wfm.timegrid import local_days, local_midnight_utc, week_bounds, week_start
from wfm.workspace import WEEKDAYS, AgentConfig, Workspace, read_csv_strings

UTC = dt.UTC
CheckName = RuleName | Literal["leave", "format"]
CHECK_NAMES: tuple[str, ...] = (*RULE_NAMES, "leave", "format")
ROSTER_COLUMNS = ("agent_id", "activity", "start", "end", "start_local", "end_local")
COVERAGE_COLUMNS = ("queue", "interval_start", "scheduled")
BREAK = "break"
LUNCH = "lunch"
# Roster times are whole minutes; floats of seconds/60 only need protection from rounding noise.
EPS_MINUTES = 1e-6
COVERAGE_TOLERANCE = 1e-6

_UTC_TEXT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z$")
_LOCAL_TEXT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$")


@dataclass(frozen=True)
class Violation:
    """One broken rule: what, who, when, how badly (`amount` in `unit`) and whether it is soft.

    `when` is a UTC instant for rules about one shift or one row (min_rest: the later shift's
    start); a local date for rules over the agent's days (max_hours_day: that date,
    max_consecutive_days: the run's first date, min_days_off: the first of the 7 days); the plan
    week's Monday for max_hours_week, min_hours_week and max_nights. `agent_id` is None for
    coverage.csv problems.
    """

    rule: CheckName
    agent_id: str | None
    when: dt.datetime | dt.date
    detail: str
    amount: float
    unit: str
    soft: bool = False

    def line(self) -> str:
        """`min_rest  MNL-07  2026-12-01T06:00Z  9.5 h rest, rule needs 11 h`, plus `(soft)`."""
        text = f"{self.rule}  {self.agent_id or '-'}  {format_when(self.when)}  {self.detail}"
        return f"{text}  (soft)" if self.soft else text


def format_when(when: dt.datetime | dt.date) -> str:
    if isinstance(when, dt.datetime):
        return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    return when.isoformat()


@dataclass(frozen=True)
class Row:
    """One roster row over [start, end) in UTC; `line` is its line in roster.csv when known."""

    agent_id: str
    activity: str
    start: dt.datetime
    end: dt.datetime
    line: int | None = None

    @property
    def minutes(self) -> float:
        return (self.end - self.start) / dt.timedelta(minutes=1)

    @property
    def where(self) -> str:
        return f"row {self.line}" if self.line is not None else f"row starting {format_when(self.start)}"


@dataclass(frozen=True)
class Shift:
    """A maximal run of one agent's back-to-back rows (FORMATS.md), in UTC."""

    agent_id: str
    rows: tuple[Row, ...]

    @property
    def start(self) -> dt.datetime:
        return self.rows[0].start

    @property
    def end(self) -> dt.datetime:
        # Overlapping rows (already a `format` violation) may end before an earlier row does.
        return max(row.end for row in self.rows)

    @property
    def length_minutes(self) -> float:
        return (self.end - self.start) / dt.timedelta(minutes=1)

    @property
    def length_hours(self) -> float:
        return self.length_minutes / 60

    @property
    def lunch_minutes(self) -> float:
        return sum(row.minutes for row in self.rows if row.activity == LUNCH)

    @property
    def paid_hours(self) -> float:
        """Length minus the lunch the roster actually gives (breaks are paid)."""
        return (self.length_minutes - self.lunch_minutes) / 60


# ----------------------------------------------------------------------------- reading the plan


def read_plan(plan_dir: Path) -> pd.DataFrame:
    """Read `PLAN_DIR/roster.csv` into agent_id, activity, start, end (UTC), start_local, end_local, row.

    `start`/`end` must be UTC with `Z`; `start_local`/`end_local` must carry an offset and name the
    same instants. Whether that offset is the agent's zone offset needs the workspace, so
    `check_roster` judges it (rule `format`). `row` is the line in the file (the header is row 1).
    """
    if not Path(plan_dir).is_dir():
        raise InputError(f"{plan_dir}: no such plan folder (write one with `wfm schedule` or `wfm plan`)")
    path = Path(plan_dir) / "roster.csv"
    frame = _read_csv(path, "write one with `wfm schedule` or `wfm plan`")
    missing = [column for column in ROSTER_COLUMNS if column not in frame.columns]
    if missing:
        raise InputError(f"roster.csv header: required column {missing[0]!r} is missing (columns: {', '.join(ROSTER_COLUMNS)})")
    starts: list[dt.datetime] = []
    ends: list[dt.datetime] = []
    for index, raw in enumerate(frame[list(ROSTER_COLUMNS)].itertuples(index=False)):
        row = index + 2
        agent_id, activity, start_text, end_text, start_local, end_local = raw

        def fail(column: str, message: str, row: int = row) -> InputError:
            return InputError(f"roster.csv row {row}, column {column}: {message}")

        for column, value in (("agent_id", agent_id), ("activity", activity)):
            if not value:
                raise fail(column, "required, got an empty cell")
        start = _parse_utc(start_text, fail("start", _UTC_HINT.format(value=start_text)))
        end = _parse_utc(end_text, fail("end", _UTC_HINT.format(value=end_text)))
        for column, text, instant in (("start_local", start_local, start), ("end_local", end_local, end)):
            local = _parse_local(text, fail(column, _LOCAL_HINT.format(value=text)))
            if local != instant:
                utc_column = column.removesuffix("_local")
                raise fail(column, f"expected the same instant as {utc_column} {format_when(instant)}, got {text!r}")
        starts.append(start)
        ends.append(end)
    return pd.DataFrame(
        {
            "agent_id": frame["agent_id"].astype(str),
            "activity": frame["activity"].astype(str),
            "start": pd.Series(pd.to_datetime(starts, utc=True), dtype="datetime64[ns, UTC]"),
            "end": pd.Series(pd.to_datetime(ends, utc=True), dtype="datetime64[ns, UTC]"),
            "start_local": frame["start_local"].astype(str),
            "end_local": frame["end_local"].astype(str),
            "row": pd.Series(range(2, len(frame) + 2), dtype=int),
        }
    )


def read_coverage(plan_dir: Path) -> pd.DataFrame | None:
    """Read `PLAN_DIR/coverage.csv` (queue, interval_start UTC, scheduled), or None when absent."""
    path = Path(plan_dir) / "coverage.csv"
    if not path.exists():
        return None
    frame = _read_csv(path, "")
    missing = [column for column in COVERAGE_COLUMNS if column not in frame.columns]
    if missing:
        raise InputError(f"coverage.csv header: required column {missing[0]!r} is missing")
    stamps: list[dt.datetime] = []
    for index, text in enumerate(frame["interval_start"]):
        error = InputError(f"coverage.csv row {index + 2}, column interval_start: {_UTC_HINT.format(value=text)}")
        stamps.append(_parse_utc(text, error))
    scheduled = pd.to_numeric(frame["scheduled"], errors="coerce")
    bad = scheduled.isna() | (scheduled < 0)
    if bad.any():
        index = int(bad.to_numpy().nonzero()[0][0])
        value = frame["scheduled"].iloc[index]
        raise InputError(f"coverage.csv row {index + 2}, column scheduled: expected a number ≥ 0, got {value!r}")
    return pd.DataFrame(
        {
            "queue": frame["queue"].astype(str),
            "interval_start": pd.Series(pd.to_datetime(stamps, utc=True), dtype="datetime64[ns, UTC]"),
            "scheduled": scheduled.astype(float),
        }
    )


def plan_week(plan_dir: Path, roster: pd.DataFrame, override: dt.date | None = None) -> dt.date:
    """The week a plan was made for: `override`, then summary.json "week", then the roster's first week."""
    if override is not None:
        return _monday(override, "{week}")
    summary = Path(plan_dir) / "summary.json"
    if summary.is_file():
        try:
            data = json.loads(summary.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"summary.json: not valid JSON ({exc})") from None
        if isinstance(data, dict) and data.get("week"):
            try:
                week = dt.date.fromisoformat(str(data["week"])[:10])
            except ValueError:
                raise InputError(f"summary.json key week: expected a date like 2026-11-30, got {data['week']!r}") from None
            return _monday(week, "summary.json key week")
    if roster.empty:
        raise InputError("roster.csv: no rows, so no plan week can be inferred (give {week})", week="the plan week")
    first = pd.Timestamp(roster["start"].min()).to_pydatetime().astimezone(UTC).date()
    return first - dt.timedelta(days=first.weekday())


_UTC_HINT = "expected a UTC time ending in Z such as 2026-11-30T09:00:00Z, got {value!r}"
_LOCAL_HINT = "expected a local time with the agent's offset such as 2026-11-30T17:00:00+08:00, got {value!r}"


def _read_csv(path: Path, hint: str) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{path}: missing" + (f" ({hint})" if hint else ""))
    return read_csv_strings(path)


def _parse_utc(text: str, error: InputError) -> dt.datetime:
    if not _UTC_TEXT.match(text):
        raise error
    try:
        return dt.datetime.fromisoformat(text).astimezone(UTC)
    except ValueError:
        raise error from None


def _parse_local(text: str, error: InputError) -> dt.datetime:
    if not _LOCAL_TEXT.match(text):
        raise error
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise error from None


def _monday(week: dt.date, where: str) -> dt.date:
    if week.weekday() != 0:
        weekday = WEEKDAYS[week.weekday()]
        raise InputError(
            f"{where}: expected a Monday (the plan week starts Monday 00:00 UTC), got {week} ({weekday})", week="plan week"
        )
    return week


# ----------------------------------------------------------------------------- local clocks


def wall_to_utc(zone: dt.tzinfo, day: dt.date, minutes: float, *, latest: bool = False) -> dt.datetime:
    """The UTC instant the local clock shows `day` 00:00 + `minutes` (may pass 1440).

    A repeated wall time (DST fall-back) gives its first reading, or its last with `latest`; a
    skipped one (spring-forward) gives the instant the clock jumps past it. Windows use the first
    reading for their start and the last for their end, so they mean the wall-clock span people
    read on the clock.
    """
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first == second:
        return first
    if first < second:  # a repeated wall time: fold=0 is the earlier instant
        return second if latest else first
    # A skipped wall time: fold=0 reads it with the old offset (after the jump), fold=1 with the
    # new one (before it). The jump lies between, on a whole second (tzdata); bisect to it.
    low, high = int(second.timestamp()), int(first.timestamp())
    before = second.astimezone(zone).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if dt.datetime.fromtimestamp(middle, zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return dt.datetime.fromtimestamp(high, UTC)


def _overlap(start: dt.datetime, end: dt.datetime, low: dt.datetime, high: dt.datetime) -> dt.timedelta:
    return max(dt.timedelta(), min(end, high) - max(start, low))


def is_night(shift: Shift, zone: dt.tzinfo, rules: RulesProfile) -> bool:
    """True when the shift overlaps the local night window (00:00–06:00) of any date it touches."""
    open_minutes = round(rules.nights.window_start_hour * 60)
    close_minutes = round(rules.nights.window_end_hour * 60)
    if close_minutes <= open_minutes:  # a window such as 22:00–06:00 closes the next morning
        close_minutes += 1440
    # The night of the date before the start can still be open when the shift starts.
    day = shift.start.astimezone(zone).date() - dt.timedelta(days=1)
    last = shift.end.astimezone(zone).date()
    while day <= last:
        night_start = wall_to_utc(zone, day, open_minutes)
        night_end = wall_to_utc(zone, day, close_minutes)
        if _overlap(shift.start, shift.end, night_start, night_end) > dt.timedelta():
            return True
        day += dt.timedelta(days=1)
    return False


# ----------------------------------------------------------------------------- shifts


def split_shifts(rows: Iterable[Row]) -> list[Shift]:
    """Group rows into shifts: per agent, sorted by start, a row starting at (or, when rows overlap,
    before) the running end continues the shift."""
    by_agent: dict[str, list[Row]] = {}
    for row in rows:
        by_agent.setdefault(row.agent_id, []).append(row)
    shifts: list[Shift] = []
    for agent_id, agent_rows in by_agent.items():
        run: list[Row] = []
        run_end: dt.datetime | None = None
        for row in sorted(agent_rows, key=lambda r: (r.start, r.end)):
            if run and run_end is not None and row.start <= run_end:
                run.append(row)
                run_end = max(run_end, row.end)
                continue
            if run:
                shifts.append(Shift(agent_id, tuple(run)))
            run, run_end = [row], row.end
        if run:
            shifts.append(Shift(agent_id, tuple(run)))
    return shifts


def find_shifts(roster: pd.DataFrame, week: dt.date) -> list[Shift]:
    """The shifts of a roster frame that start in the plan week (rows with start ≥ end are skipped)."""
    rows, _ = _rows_of(roster)
    return [shift for shift in split_shifts(rows) if _in_week(shift, week)]


# ----------------------------------------------------------------------------- the rules


@dataclass
class AgentWeek:
    """One agent's in-week shifts (sorted by start) and what the rules need to judge them."""

    agent: AgentConfig
    rules: RulesProfile
    week: dt.date
    shifts: list[Shift]
    queue_names: frozenset[str]
    # Last week's shifts of this agent (`--previous`), sorted by start; empty without one.
    previous: list[Shift] = field(default_factory=list)
    # Approved leave: (first instant, end, how requests.csv words it), UTC.
    leave: list[tuple[dt.datetime, dt.datetime, str]] = field(default_factory=list)
    zone: zoneinfo.ZoneInfo = field(init=False)

    def __post_init__(self) -> None:
        self.zone = self.agent.zone

    def local_date(self, shift: Shift) -> dt.date:
        """The agent's "day" of a shift: the local date it starts on."""
        return shift.start.astimezone(self.zone).date()

    def local_hhmm(self, instant: dt.datetime) -> str:
        return instant.astimezone(self.zone).strftime("%a %H:%M")

    def violation(self, rule: CheckName, when: dt.datetime | dt.date, detail: str, amount: float, unit: str) -> Violation:
        return Violation(rule, self.agent.agent_id, when, detail, round(amount, 6), unit, self.rules.is_soft(rule))


def shift_length(week: AgentWeek) -> Iterator[Violation]:
    """Each shift, first start to last end (lunch included), is one of the profile's lengths."""
    allowed = sorted({round(hours * 60) for hours in week.rules.shifts.lengths_hours})
    for shift in week.shifts:
        off = min(abs(shift.length_minutes - minutes) for minutes in allowed)
        if off > EPS_MINUTES:
            lengths = ", ".join(_hours(minutes / 60) for minutes in allowed)
            detail = f"{_hours(shift.length_hours)} h shift, rule allows {lengths} h"
            yield week.violation("shift_length", shift.start, detail, off, "minutes")


def start_grid(week: AgentWeek) -> Iterator[Violation]:
    """Each shift starts a whole number of steps after the plan week's Monday 00:00 UTC."""
    step = week.rules.shifts.start_step_minutes
    origin = week_start(week.week)
    for shift in week.shifts:
        remainder = ((shift.start - origin) / dt.timedelta(minutes=1)) % step
        off = min(remainder, step - remainder)
        if off > EPS_MINUTES:
            detail = f"starts at {shift.start:%H:%M} UTC, {_hours(off)} min off the {step}-min grid"
            yield week.violation("start_grid", shift.start, detail, off, "minutes")


def availability(week: AgentWeek) -> Iterator[Violation]:
    """Each shift lies inside the local window anchored on its start date, or inside the window
    of the date before when that one crosses midnight (a night window that began the evening before)."""
    window = week.agent.window_minutes()
    if window is None:
        return
    open_minutes, close_minutes = window
    for shift in week.shifts:
        day = week.local_date(shift)
        outside = min(
            shift.length_minutes - _minutes(_overlap(shift.start, shift.end, low, high))
            for low, high in (
                (wall_to_utc(week.zone, anchor, open_minutes), wall_to_utc(week.zone, anchor, close_minutes, latest=True))
                for anchor in (day, day - dt.timedelta(days=1))
            )
        )
        if outside > EPS_MINUTES:
            span = f"{_clock(open_minutes)}–{_clock(close_minutes)}"
            detail = (
                f"shift {week.local_hhmm(shift.start)}–{week.local_hhmm(shift.end)} local is "
                f"{_hours(outside)} min outside the window {span}"
            )
            yield week.violation("availability", shift.start, detail, outside, "minutes")


def days_unavailable(week: AgentWeek) -> Iterator[Violation]:
    """No shift starts on a local weekday or date the agent listed as unavailable."""
    for shift in week.shifts:
        day = week.local_date(shift)
        if week.agent.unavailable_on(day):
            detail = f"shift starts on {WEEKDAYS[day.weekday()]} {day}, a day the agent is unavailable"
            yield week.violation("days_unavailable", shift.start, detail, shift.paid_hours, "hours")


def max_hours_day(week: AgentWeek) -> Iterator[Violation]:
    """Paid hours of the shifts starting on one local date stay within the daily cap."""
    cap = week.rules.hours.max_per_day
    for day, shifts in _by_local_date(week).items():
        paid = sum(shift.paid_hours for shift in shifts)
        if paid > cap + 1e-9:
            detail = f"{_hours(paid)} paid hours on {WEEKDAYS[day.weekday()]} {day}, rule allows {_hours(cap)} h"
            yield week.violation("max_hours_day", day, detail, paid - cap, "hours")


def max_hours_week(week: AgentWeek) -> Iterator[Violation]:
    """Paid hours of the week stay within the agent's cap (never above the profile's)."""
    cap = week.agent.weekly_cap(week.rules)
    paid = sum(shift.paid_hours for shift in week.shifts)
    if paid > cap + 1e-9:
        yield week.violation("max_hours_week", week.week, f"{_hours(paid)} paid hours, cap {_hours(cap)} h", paid - cap, "hours")


def min_hours_week(week: AgentWeek) -> Iterator[Violation]:
    """Paid hours of the week reach the agent's contracted minimum, where one is given."""
    floor = week.agent.min_hours_week
    if floor is None:
        return
    paid = sum(shift.paid_hours for shift in week.shifts)
    if paid < floor - 1e-9:
        detail = f"{_hours(paid)} paid hours, contract needs {_hours(floor)} h"
        yield week.violation("min_hours_week", week.week, detail, floor - paid, "hours")


def min_rest(week: AgentWeek) -> Iterator[Violation]:
    """From one shift's end to the next shift's start, at least the profile's rest; with last
    week's roster, from its last shift's end to this week's first start too."""
    need = week.rules.hours.min_rest_between_shifts
    for before, after in pairwise(week.previous[-1:] + week.shifts):
        rest = (after.start - before.end) / dt.timedelta(hours=1)
        if rest < need - 1e-9:
            across = " (across the week boundary: last week's shift ended " + format_when(before.end) + ")"
            detail = f"{_hours(rest)} h rest, rule needs {_hours(need)} h" + (across if before in week.previous else "")
            yield week.violation("min_rest", after.start, detail, need - rest, "hours")


def max_consecutive_days(week: AgentWeek) -> Iterator[Violation]:
    """The longest run of worked local dates, among the agent's 7 days of the week, stays within the cap."""
    cap = week.rules.hours.max_consecutive_days
    worked = _worked_days(week)
    best_run, best_first, run = 0, None, 0
    days = local_days(week.agent.timezone, week.week)
    for index, day in enumerate(days):
        run = run + 1 if day in worked else 0
        if run > best_run:
            best_run, best_first = run, days[index - run + 1]
    # With last week's roster, the run that enters this week on its first day began earlier.
    before = {shift.start.astimezone(week.zone).date() for shift in week.previous}
    carried = 0
    while days[0] - dt.timedelta(days=carried + 1) in before:
        carried += 1
    entering = 0
    while entering < len(days) and days[entering] in worked | before:
        entering += 1
    if carried and any(day in worked for day in days[:entering]) and carried + entering > cap:
        first = days[0] - dt.timedelta(days=carried)
        run_days = carried + entering
        detail = (
            f"{run_days} consecutive days from {WEEKDAYS[first.weekday()]} {first} ({carried} of them before this week),"
            f" rule allows {cap}"
        )
        yield week.violation("max_consecutive_days", first, detail, run_days - cap, "days")
        if best_first == days[0]:
            return
    if best_run > cap and best_first is not None:
        detail = f"{best_run} consecutive days from {WEEKDAYS[best_first.weekday()]} {best_first}, rule allows {cap}"
        yield week.violation("max_consecutive_days", best_first, detail, best_run - cap, "days")


def min_days_off(week: AgentWeek) -> Iterator[Violation]:
    """Among the agent's 7 local days of the week, enough dates have no shift start."""
    need = week.rules.hours.min_days_off_per_week
    days = local_days(week.agent.timezone, week.week)
    off = sum(1 for day in days if day not in _worked_days(week))
    if off < need:
        yield week.violation("min_days_off", days[0], f"{_count(off, 'day')} off, rule needs {need}", need - off, "days")


def max_nights(week: AgentWeek) -> Iterator[Violation]:
    """Night shifts (touching local 00:00–06:00 for some positive time) stay within the weekly cap."""
    cap = week.rules.nights.max_per_week
    nights = [shift for shift in week.shifts if is_night(shift, week.zone, week.rules)]
    if len(nights) > cap:
        dates = ", ".join(str(week.local_date(shift)) for shift in nights)
        detail = f"{_count(len(nights), 'night shift')} ({dates}), rule allows {cap}"
        yield week.violation("max_nights", week.week, detail, len(nights) - cap, "nights")


def breaks(week: AgentWeek) -> Iterator[Violation]:
    """One paid break of `break_minutes` for each full block of paid hours; none opens or closes a shift."""
    size = week.rules.breaks.break_minutes
    for shift in week.shifts:
        rows = [row for row in shift.rows if row.activity == BREAK]
        need = week.rules.breaks_for(shift.length_hours)
        if len(rows) != need:
            detail = f"{_count(len(rows), 'break')} in a {_hours(shift.length_hours)} h shift, rule needs {need}"
            yield week.violation("breaks", shift.start, detail, abs(len(rows) - need), "breaks")
        for row in rows:
            if abs(row.minutes - size) > EPS_MINUTES:
                detail = f"break of {_hours(row.minutes)} min at {row.start:%H:%M} UTC, rule needs {size} min"
                yield week.violation("breaks", row.start, detail, abs(row.minutes - size), "minutes")
        yield from _edges(week, shift, BREAK, "breaks")


def lunch(week: AgentWeek) -> Iterator[Violation]:
    """Shifts longer than 6 h have exactly one lunch of `lunch_minutes`, starting within
    `lunch_after_hours` of the shift start (inclusive); shorter shifts have none."""
    profile = week.rules.breaks
    for shift in week.shifts:
        rows = [row for row in shift.rows if row.activity == LUNCH]
        need = 1 if week.rules.lunch_minutes_for(shift.length_hours) > 0 else 0
        if len(rows) != need:
            detail = f"{_count(len(rows), 'lunch', 'lunches')} in a {_hours(shift.length_hours)} h shift, rule needs {need}"
            yield week.violation("lunch", shift.start, detail, abs(len(rows) - need), "lunches")
        earliest, latest = (hours * 60 for hours in profile.lunch_after_hours)
        # A lunch the shift should not have is counted above; its size and place do not matter.
        for row in rows if need else []:
            if abs(row.minutes - profile.lunch_minutes) > EPS_MINUTES:
                detail = f"lunch of {_hours(row.minutes)} min at {row.start:%H:%M} UTC, rule needs {profile.lunch_minutes} min"
                yield week.violation("lunch", row.start, detail, abs(row.minutes - profile.lunch_minutes), "minutes")
            after = (row.start - shift.start) / dt.timedelta(minutes=1)
            outside = max(earliest - after, after - latest, 0.0)
            if outside > EPS_MINUTES:
                span = f"{_hours(earliest / 60)}–{_hours(latest / 60)} h"
                detail = f"lunch starts {_hours(after / 60)} h after the shift start, rule needs {span}"
                yield week.violation("lunch", row.start, detail, outside, "minutes")
        yield from _edges(week, shift, LUNCH, "lunch")


def skills(week: AgentWeek) -> Iterator[Violation]:
    """Every queue row is on a queue the agent is skilled for (an unknown activity is `format`)."""
    for shift in week.shifts:
        for row in shift.rows:
            if row.activity in week.queue_names and row.activity not in week.agent.skills:
                detail = f"{_hours(row.minutes)} min on {row.activity}, not a skill of the agent ({'|'.join(week.agent.skills)})"
                yield week.violation("skills", row.start, detail, row.minutes, "minutes")


def min_block(week: AgentWeek) -> Iterator[Violation]:
    """With `[blocks]`: every queue block of a shift holds at least `min_minutes` on queue, unless
    it is the shift's only block. A block is a maximal run of rows on one queue; break and lunch
    rows inside it neither end it nor count toward its length."""
    if week.rules.blocks is None:
        return
    need = week.rules.blocks.min_minutes
    for shift in week.shifts:
        runs = queue_blocks(shift)
        if len(runs) < 2:
            continue
        for queue, start, minutes in runs:
            if need - minutes > EPS_MINUTES:
                detail = f"{_hours(minutes)} min on {queue} from {week.local_hhmm(start)} local, rule needs {need} min"
                yield week.violation("min_block", start, detail, need - minutes, "minutes")


def max_switches(week: AgentWeek) -> Iterator[Violation]:
    """With `[blocks]`: a shift changes queue at most `max_switches` times (blocks minus one)."""
    if week.rules.blocks is None:
        return
    cap = week.rules.blocks.max_switches
    for shift in week.shifts:
        runs = queue_blocks(shift)
        switches = len(runs) - 1
        if switches > cap:
            path = " → ".join(queue for queue, _, _ in runs)
            count = _count(switches, "queue switch", "queue switches")
            detail = f"{count} in the shift from {week.local_hhmm(shift.start)} local ({path}), rule allows {cap}"
            yield week.violation("max_switches", shift.start, detail, switches - cap, "switches")


def queue_blocks(shift: Shift) -> list[tuple[str, dt.datetime, float]]:
    """The shift's queue blocks in order: (queue, first minute, minutes on queue)."""
    runs: list[tuple[str, dt.datetime, float]] = []
    for row in sorted(shift.rows, key=lambda r: (r.start, r.end)):
        if row.activity in (BREAK, LUNCH):
            continue
        if runs and runs[-1][0] == row.activity:
            queue, start, minutes = runs[-1]
            runs[-1] = (queue, start, minutes + row.minutes)
        else:
            runs.append((row.activity, row.start, row.minutes))
    return runs


AgentRule = Callable[[AgentWeek], Iterable[Violation]]
# Every rule of wfm.rules, by its one name; the test suite checks this covers RULE_NAMES.
AGENT_RULES: dict[str, AgentRule] = {
    rule.__name__: rule
    for rule in (
        shift_length,
        start_grid,
        availability,
        days_unavailable,
        max_hours_week,
        min_hours_week,
        max_hours_day,
        min_rest,
        max_consecutive_days,
        min_days_off,
        max_nights,
        breaks,
        lunch,
        skills,
        min_block,
        max_switches,
    )
}


def _edges(week: AgentWeek, shift: Shift, activity: str, rule: RuleName) -> Iterator[Violation]:
    """Breaks and lunch never open or close a shift."""
    for row, edge in ((shift.rows[0], "opens"), (shift.rows[-1], "closes")):
        if row.activity == activity:
            detail = f"{activity} {edge} the shift at {week.local_hhmm(row.start)} local"
            yield week.violation(rule, row.start, detail, 1, activity)


def leave(week: AgentWeek) -> Iterator[Violation]:
    """No minute of a shift falls in the agent's approved leave (requests.csv `leave`)."""
    for low, high, what in week.leave:
        for shift in week.shifts:
            overlap = _minutes(_overlap(shift.start, shift.end, low, high))
            if overlap > EPS_MINUTES:
                detail = (
                    f"shift {week.local_hhmm(shift.start)}–{week.local_hhmm(shift.end)} local works "
                    f"{_hours(overlap)} min of approved leave ({what})"
                )
                yield week.violation("leave", shift.start, detail, overlap, "minutes")


def leave_spans(ws: Workspace) -> dict[str, list[tuple[dt.datetime, dt.datetime, str]]]:
    """Per agent, the UTC spans of their approved leave: the local date, or its `from`–`to` hours."""
    zones = {agent.agent_id: agent.zone for agent in ws.agents}
    spans: dict[str, list[tuple[dt.datetime, dt.datetime, str]]] = {}
    for request in ws.requests:
        if request.kind != "leave" or request.agent_id not in zones:
            continue
        zone = zones[request.agent_id]
        start = request.from_time.hour * 60 + request.from_time.minute if request.from_time else 0
        end = request.to_time.hour * 60 + request.to_time.minute if request.to_time else 1440
        hours = f" {_clock(start)}–{_clock(end)}" if (start, end) != (0, 1440) else ""
        what = f"requests.csv row {request.row}: {request.date}{hours}"
        spans.setdefault(request.agent_id, []).append(
            (wall_to_utc(zone, request.date, start), wall_to_utc(zone, request.date, end, latest=True), what)
        )
    return spans


def _by_local_date(week: AgentWeek) -> dict[dt.date, list[Shift]]:
    days: dict[dt.date, list[Shift]] = {}
    for shift in week.shifts:
        days.setdefault(week.local_date(shift), []).append(shift)
    return days


def _worked_days(week: AgentWeek) -> set[dt.date]:
    return {week.local_date(shift) for shift in week.shifts}


# ----------------------------------------------------------------------------- the whole roster


def check_roster(
    ws: Workspace,
    roster: pd.DataFrame,
    week: dt.date,
    coverage: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
) -> list[Violation]:
    """Every violation of every rule in `roster` (FORMATS.md roster.csv columns) for the plan week.

    `previous` is last week's roster (`read_plan` of its folder): its shifts that start before
    the plan week enter `min_rest` and `max_consecutive_days`, and its minutes after Monday
    00:00 UTC count in `coverage`; rows of agents no longer in agents.csv are left out. Leave
    from `ws.requests` is judged as the rule `leave` (after the profile's rules of each agent).

    `start`/`end` may be tz-aware timestamps or ISO strings; `start_local`/`end_local`, when
    present, must carry the agent's zone offset. With `coverage` (coverage.csv columns), its
    `scheduled` must equal what the roster implies. Order: roster-level `format` problems, then
    each agent of agents.csv in turn (chronologically), then coverage.
    """
    week = _monday(week, "plan week")
    all_rows, found = _rows_of(roster)
    rows = all_rows
    agents = {agent.agent_id: agent for agent in ws.agents}
    queue_names = {queue.name for queue in ws.queues}
    found += _ordering(rows)
    found += _unknown_agents(rows, agents)
    rows = [row for row in rows if row.agent_id in agents]
    found += _unknown_activities(rows, queue_names)
    found += _local_offsets(roster, agents)
    found += _overlaps(rows)
    found += [_outside_week(shift, *week_bounds(week)) for shift in split_shifts(rows) if not _in_week(shift, week)]
    # Roster-level problems in the order of the roster's time line, as a planner scrolls the file.
    found.sort(key=lambda violation: _instant(violation.when, zoneinfo.ZoneInfo("UTC")))

    by_agent: dict[str, list[Shift]] = {agent_id: [] for agent_id in agents}
    for shift in split_shifts(rows):
        if _in_week(shift, week):
            by_agent[shift.agent_id].append(shift)
    before_rows: list[Row] = []
    last_week: dict[str, list[Shift]] = {agent_id: [] for agent_id in agents}
    if previous is not None:
        before_rows = [row for row in _rows_of(previous)[0] if row.agent_id in agents]
        for shift in split_shifts(before_rows):
            if shift.start < week_start(week):
                last_week[shift.agent_id].append(shift)
    spans = leave_spans(ws)
    for agent in ws.agents:
        shifts = sorted(by_agent[agent.agent_id], key=lambda s: s.start)
        agent_week = AgentWeek(
            agent,
            ws.rules,
            week,
            shifts,
            frozenset(queue_names),
            previous=sorted(last_week[agent.agent_id], key=lambda s: s.start),
            leave=spans.get(agent.agent_id, []),
        )
        own = [violation for rule in (*AGENT_RULES.values(), leave) for violation in rule(agent_week)]
        found += sorted(own, key=lambda v: (_instant(v.when, agent_week.zone), CHECK_NAMES.index(v.rule)))
    if coverage is not None:
        found += coverage_matches(ws, all_rows + before_rows, coverage, week)
    return found


def _rows_of(roster: pd.DataFrame) -> tuple[list[Row], list[Violation]]:
    """Roster frame → rows in frame order; a row whose end is not after its start is a `format` violation."""
    missing = [column for column in ROSTER_COLUMNS[:4] if column not in roster.columns]
    if missing:
        columns = ", ".join(map(str, roster.columns))
        raise InputError(f"roster: missing column {missing[0]!r}, got columns {columns} (see FORMATS.md, roster.csv)")
    starts = _utc_series(roster["start"])
    ends = _utc_series(roster["end"])
    lines = roster["row"].tolist() if "row" in roster.columns else [None] * len(roster)
    rows: list[Row] = []
    found: list[Violation] = []
    for agent_id, activity, start, end, line in zip(
        roster["agent_id"].astype(str), roster["activity"].astype(str), starts, ends, lines, strict=True
    ):
        if pd.isna(start) or pd.isna(end):
            where = f"row {line}" if line is not None else f"row of {agent_id!r}"
            raise InputError(f"roster {where}: start and end must be ISO-8601 instants, got {start!r} and {end!r}")
        row = Row(agent_id, activity, _py(start), _py(end), None if line is None else int(line))
        if row.end <= row.start:
            detail = f"{row.where}: start {format_when(row.start)} is not before end {format_when(row.end)}"
            found.append(Violation("format", agent_id, row.start, detail, abs(row.minutes), "minutes"))
            continue
        rows.append(row)
    return rows, found


def _ordering(rows: list[Row]) -> list[Violation]:
    """Rows come grouped by agent and, within an agent, by start (FORMATS.md roster.csv)."""
    found: list[Violation] = []
    finished: set[str] = set()
    reported: set[str] = set()
    for before, after in pairwise(rows):
        problem = None
        if after.agent_id != before.agent_id:
            finished.add(before.agent_id)
            if after.agent_id in finished:
                problem = f"{after.where}: rows of {after.agent_id!r} are not together (the roster is ordered by agent)"
        elif after.start < before.start:
            problem = f"{after.where}: starts before the row above it (rows are ordered by start)"
        if problem and after.agent_id not in reported:
            reported.add(after.agent_id)
            found.append(Violation("format", after.agent_id, after.start, problem, 1, "rows"))
    return found


def _unknown_agents(rows: list[Row], agents: dict[str, AgentConfig]) -> list[Violation]:
    counts: dict[str, list[Row]] = {}
    for row in rows:
        if row.agent_id not in agents:
            counts.setdefault(row.agent_id, []).append(row)
    return [
        Violation(
            "format",
            agent_id,
            unknown[0].start,
            f"{unknown[0].where}: {_count(len(unknown), 'row')} of an agent not in agents.csv{suggest(agent_id, agents)}",
            len(unknown),
            "rows",
        )
        for agent_id, unknown in counts.items()
    ]


def _unknown_activities(rows: list[Row], queue_names: set[str]) -> list[Violation]:
    known = ", ".join(sorted(queue_names | {BREAK, LUNCH}))
    return [
        Violation("format", row.agent_id, row.start, f"{row.where}: activity {row.activity!r} is not one of {known}", 1, "rows")
        for row in rows
        if row.activity not in queue_names and row.activity not in (BREAK, LUNCH)
    ]


def _local_offsets(roster: pd.DataFrame, agents: dict[str, AgentConfig]) -> list[Violation]:
    """start_local/end_local carry the agent's zone offset at that instant and name the same instant."""
    found: list[Violation] = []
    lines = roster["row"].tolist() if "row" in roster.columns else [None] * len(roster)
    for column in ("start_local", "end_local"):
        if column not in roster.columns:
            continue
        instants = _utc_series(roster[column.removesuffix("_local")])
        for agent_id, value, instant, line in zip(roster["agent_id"].astype(str), roster[column], instants, lines, strict=True):
            agent = agents.get(agent_id)
            if agent is None or pd.isna(instant):
                continue
            utc = _py(instant)
            local = _aware(value)
            where = f"row {line}" if line is not None else f"row starting {format_when(utc)}"
            expected = utc.astimezone(agent.zone)
            if local is None:
                found.append(Violation("format", agent_id, utc, f"{where}: {column} {value!r} has no offset", 1, "rows"))
            elif local != utc or local.utcoffset() != expected.utcoffset():
                detail = f"{where}: {column} {value} should be {expected.isoformat()} ({agent.timezone})"
                found.append(Violation("format", agent_id, utc, detail, 1, "rows"))
    return found


def _overlaps(rows: list[Row]) -> list[Violation]:
    found: list[Violation] = []
    by_agent: dict[str, list[Row]] = {}
    for row in rows:
        by_agent.setdefault(row.agent_id, []).append(row)
    for agent_rows in by_agent.values():
        ordered = sorted(agent_rows, key=lambda r: (r.start, r.end))
        reach = ordered[0]
        for row in ordered[1:]:
            if row.start < reach.end:
                minutes = _minutes(min(row.end, reach.end) - row.start)
                detail = f"{row.where}: overlaps {reach.where} by {_hours(minutes)} min"
                found.append(Violation("format", row.agent_id, row.start, detail, minutes, "minutes"))
            if row.end > reach.end:
                reach = row
    return found


def _in_week(shift: Shift, week: dt.date) -> bool:
    """A shift belongs to the week in which it starts (FORMATS.md)."""
    first, stop = week_bounds(week)
    return first <= shift.start < stop


def _outside_week(shift: Shift, first: dt.datetime, stop: dt.datetime) -> Violation:
    detail = (
        f"{shift.rows[0].where}: the shift ({len(shift.rows)} rows) starts outside the plan week "
        f"[{format_when(first)}, {format_when(stop)})"
    )
    return Violation("format", shift.agent_id, shift.start, detail, len(shift.rows), "rows")


def coverage_matches(ws: Workspace, rows: list[Row], coverage: pd.DataFrame, week: dt.date) -> list[Violation]:
    """coverage.csv `scheduled` = agents on the queue × minutes covered / interval minutes, per row,
    and every interval where the roster puts someone on a queue has its row (rule `format`)."""
    missing = [column for column in COVERAGE_COLUMNS if column not in coverage.columns]
    if missing:
        raise InputError(f"coverage: missing column {missing[0]!r} (see FORMATS.md, coverage.csv)")
    origin = week_start(week)
    interval = ws.plan.interval_minutes * 60_000
    queue_names = [queue.name for queue in ws.queues]
    stamps = _utc_series(coverage["interval_start"])
    known = stamps.notna().to_numpy()
    millis = np.where(known, _millis(stamps.fillna(pd.Timestamp(origin)), origin), 0)
    scheduled = pd.to_numeric(coverage["scheduled"], errors="coerce").to_numpy(dtype=float)
    queues = coverage["queue"].astype(str).to_numpy()
    found: list[Violation] = []
    for name in sorted(set(queues) - set(queue_names)):
        first = int(np.flatnonzero(queues == name)[0])
        detail = f"coverage.csv: queue {name!r} is not in wfm.toml{suggest(name, queue_names)}"
        found.append(Violation("format", None, _py(stamps.iloc[first]), detail, 1, "rows"))
    grid = np.arange(0, 7 * 86_400_000, interval, dtype=np.int64)
    for name in queue_names:
        busy = _BusyTime([row for row in rows if row.activity == name], origin)
        mine = (queues == name) & known
        times = millis[mine]
        implied = busy.between(times, times + interval) / interval
        gaps = np.nan_to_num(np.abs(implied - scheduled[mine]), nan=np.inf)
        wrong = np.flatnonzero(gaps > COVERAGE_TOLERANCE)
        if wrong.size:
            worst = int(wrong[np.argmax(gaps[wrong])])
            when = origin + dt.timedelta(milliseconds=int(times[worst]))
            detail = (
                f"coverage.csv: scheduled differs from the roster at {wrong.size} interval(s) of {name}; "
                f"worst {format_when(when)}: {_number(scheduled[mine][worst])}, roster implies {_number(implied[worst])}"
            )
            found.append(Violation("format", None, when, detail, float(wrong.size), "intervals"))
        on_grid = busy.between(grid, grid + interval) / interval
        absent = np.flatnonzero((on_grid > COVERAGE_TOLERANCE) & ~np.isin(grid, times))
        if absent.size:
            when = origin + dt.timedelta(milliseconds=int(grid[absent[0]]))
            detail = (
                f"coverage.csv: no row for {name} at {absent.size} interval(s) where the roster schedules agents, "
                f"first {format_when(when)}"
            )
            found.append(Violation("format", None, when, detail, float(absent.size), "intervals"))
    return found


class _BusyTime:
    """Agent-milliseconds that a set of rows covers before any instant, from prefix sums.

    busy(t) = Σ over rows of clip(t − start, 0, end − start)
            = t·#(start < t) − Σ(start < t) − t·#(end < t) + Σ(end < t),
    in int64 milliseconds since the week start so that the comparison with coverage.csv is exact
    however many rows a roster cuts a shift into.
    """

    def __init__(self, rows: list[Row], origin: dt.datetime) -> None:
        self.starts = np.sort(np.array([_ms(row.start - origin) for row in rows], dtype=np.int64))
        self.ends = np.sort(np.array([_ms(row.end - origin) for row in rows], dtype=np.int64))
        self.start_sums = np.concatenate(([0], np.cumsum(self.starts)))
        self.end_sums = np.concatenate(([0], np.cumsum(self.ends)))

    def until(self, instants: np.ndarray) -> np.ndarray:
        started = np.searchsorted(self.starts, instants, side="left")
        ended = np.searchsorted(self.ends, instants, side="left")
        return instants * started - self.start_sums[started] - instants * ended + self.end_sums[ended]

    def between(self, lows: np.ndarray, highs: np.ndarray) -> np.ndarray:
        return (self.until(highs) - self.until(lows)).astype(float)


def _ms(span: dt.timedelta) -> int:
    return span // dt.timedelta(milliseconds=1)


def _millis(stamps: pd.Series, origin: dt.datetime) -> np.ndarray:
    return ((stamps - pd.Timestamp(origin)) // pd.Timedelta(milliseconds=1)).to_numpy(dtype=np.int64)


# ----------------------------------------------------------------------------- small helpers


def _utc_series(column: pd.Series) -> pd.Series:
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return column.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return column.dt.tz_localize("UTC")
    values = [value.astimezone(UTC) if isinstance(value, dt.datetime) and value.tzinfo else value for value in column]
    parsed = pd.to_datetime(pd.Series(values, dtype=object, index=column.index), utc=True, format="ISO8601", errors="coerce")
    return parsed.astype("datetime64[ns, UTC]")


def _aware(value: object) -> dt.datetime | None:
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _py(stamp: pd.Timestamp) -> dt.datetime:
    return pd.Timestamp(stamp).to_pydatetime().astimezone(UTC)


def _instant(when: dt.datetime | dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    if isinstance(when, dt.datetime):
        return when
    return local_midnight_utc(zone.key, when)


def _clock(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def _minutes(span: dt.timedelta) -> float:
    return span / dt.timedelta(minutes=1)


def _hours(value: float) -> str:
    """9.5 → '9.5', 11.0 → '11', 7.25 → '7.25'."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _count(number: int, word: str, plural: str | None = None) -> str:
    return f"{number} {word if number == 1 else plural or word + 's'}"


def _number(value: float) -> str:
    return "missing" if value != value else f"{value:.6g}"
