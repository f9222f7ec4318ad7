"""Agent groups and the candidate shifts each group may work.

The roster model never enumerates (agent, day, shift) booleans for the whole week: agents that
are alike for the roster (zone, skills, window, days off, contract) form a *group*, and the
model chooses how many of a group work each candidate shift. A candidate already satisfies
every rule that concerns one shift alone: length, start grid, daily cap, availability window
and days unavailable (in the agent's clock, DST-correct), so the solver never sees shifts it
may not use.

Time inside the roster is minutes since the plan week's Monday 00:00 UTC; the slot is 15 min.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from wfm.rules import RulesProfile
from wfm.timegrid import local_days, local_midnight_utc, week_start
from wfm.workspace import AgentConfig

SLOT_MINUTES = 15
WEEK_MINUTES = 7 * 24 * 60
WEEK_SLOTS = WEEK_MINUTES // SLOT_MINUTES
# Local dates an agent may start on: the 7 dates of FORMATS.md plus the 8th, which a zone behind
# UTC reaches before the UTC week ends. The 8th counts like the others (stricter, never looser).
DAYS = 8


@dataclass(frozen=True)
class Shift:
    """A candidate shift: local day index, start and length in minutes from the week start.

    This is what the solver chooses among, before any roster row exists: whole minutes since
    Monday 00:00 UTC, the agent's local day and start band, paid minutes and the night flag
    worked out once for the agent's group, with no breaks, lunch or queues (stage 3 fills those
    in). The week model, the assignment and the greedy roster compare and look it up in their
    inner loops, so it stays a few integers. A shift as written to roster.csv and read back,
    a run of rows with their activities in UTC instants, is `wfm.planfiles.Shift`; the checker
    has its own (`wfm.check.Shift`) on purpose.
    """

    day: int
    start: int
    length: int
    paid: int  # paid minutes (length − lunch)
    night: bool
    band: int  # start-time band in the agent's clock (see `band_minutes`)

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass(frozen=True)
class Group:
    """Agents alike for the roster, and the shifts they may work."""

    index: int
    agents: tuple[AgentConfig, ...]
    timezone: str
    skills: tuple[str, ...]
    cap_minutes: int  # weekly paid cap
    min_minutes: int  # contracted weekly minimum (0 if none)
    shifts: tuple[Shift, ...]
    week: dt.date | None = None  # the plan week the shifts are in

    @property
    def size(self) -> int:
        return len(self.agents)

    @property
    def label(self) -> str:
        first = self.agents[0].agent_id
        return first if self.size == 1 else f"{first} and {self.size - 1} alike"


def group_key(agent: AgentConfig) -> tuple[object, ...]:
    return (
        agent.timezone,
        tuple(sorted(agent.skills)),
        agent.available_from,
        agent.available_to,
        tuple(sorted(agent.weekdays_unavailable)),
        tuple(sorted(agent.dates_unavailable)),
        agent.max_hours_week,
        agent.min_hours_week,
    )


def band_minutes(rules: RulesProfile) -> int:
    """Width of a start band: any two starts on consecutive days within one band leave the
    minimum rest after the longest shift (24 h − longest shift − rest), on the start grid."""
    longest = max(rules.shifts.lengths_hours) * 60
    rest = rules.hours.min_rest_between_shifts * 60
    step = rules.shifts.start_step_minutes
    width = int(24 * 60 - longest - rest)
    return max(step, width - width % step)


def make_groups(agents: Sequence[AgentConfig], rules: RulesProfile, week: dt.date) -> list[Group]:
    buckets: dict[tuple[object, ...], list[AgentConfig]] = defaultdict(list)
    for agent in sorted(agents, key=lambda a: a.agent_id):
        buckets[group_key(agent)].append(agent)
    groups: list[Group] = []
    for members in sorted(buckets.values(), key=lambda m: m[0].agent_id):
        agent = members[0]
        groups.append(
            Group(
                index=len(groups),
                agents=tuple(members),
                timezone=agent.timezone,
                skills=tuple(agent.skills),
                cap_minutes=round(agent.weekly_cap(rules) * 60),
                min_minutes=round((agent.min_hours_week or 0) * 60),
                shifts=candidate_shifts(agent, rules, week),
                week=week,
            )
        )
    return groups


def _minutes(instant: dt.datetime, origin: dt.datetime) -> int:
    return int((instant - origin).total_seconds() // 60)


@cache
def _zone_calendar(timezone: str, week: dt.date) -> tuple[tuple[int, ...], tuple[dt.date, ...]]:
    """Minute at which each local date (DAYS of them, plus one before and one after) begins."""
    origin = week_start(week)
    dates = local_days(timezone, week)
    first = dates[0] - dt.timedelta(days=1)
    all_dates = tuple(first + dt.timedelta(days=i) for i in range(DAYS + 2))
    return tuple(_minutes(local_midnight_utc(timezone, d), origin) for d in all_dates), all_dates


def _local_minute(timezone: str, local_date: dt.date, minute_of_day: int, origin: dt.datetime) -> int:
    """Minutes from the week start of local `date` + `minute_of_day` (may pass midnight), DST-aware."""
    zone = zoneinfo.ZoneInfo(timezone)
    naive = dt.datetime.combine(local_date, dt.time()) + dt.timedelta(minutes=minute_of_day)
    aware = naive.replace(tzinfo=zone)
    utc = aware.astimezone(dt.UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != naive:  # a non-existent local time: after the jump
        utc = aware.replace(fold=1).astimezone(dt.UTC)
    return _minutes(utc, origin)


@cache
def night_windows(timezone: str, week: dt.date, start_hour: float, end_hour: float) -> tuple[tuple[int, int], ...]:
    """Local night windows ([start, end) minutes from the week start) of every local date near the week."""
    origin = week_start(week)
    _, dates = _zone_calendar(timezone, week)
    windows = []
    for local_date in (dates[0] - dt.timedelta(days=1), *dates):
        begin = _local_minute(timezone, local_date, round(start_hour * 60), origin)
        end_minutes = round(end_hour * 60) + (1440 if end_hour <= start_hour else 0)
        windows.append((begin, _local_minute(timezone, local_date, end_minutes, origin)))
    return tuple(windows)


def is_night(start: int, end: int, windows: Sequence[tuple[int, int]]) -> bool:
    return any(min(end, w_end) > max(start, w_start) for w_start, w_end in windows)


def _windows_for(agent: AgentConfig, local_date: dt.date, origin: dt.datetime) -> list[tuple[int, int]]:
    """Availability windows that a shift starting on `local_date` may lie in (minutes from week start)."""
    window = agent.window_minutes()
    if window is None:
        return [(-(10**9), 10**9)]
    start, end = window
    spans = [(_local_minute(agent.timezone, local_date, start, origin), _local_minute(agent.timezone, local_date, end, origin))]
    if end > 1440:  # a window crossing midnight also admits starts after midnight from the day before
        previous = local_date - dt.timedelta(days=1)
        spans.append(
            (_local_minute(agent.timezone, previous, start, origin), _local_minute(agent.timezone, previous, end, origin))
        )
    return spans


def candidate_shifts(agent: AgentConfig, rules: RulesProfile, week: dt.date) -> tuple[Shift, ...]:
    """Every shift this agent may work in the plan week, judged against single-shift rules."""
    origin = week_start(week)
    starts_of_day, dates = _zone_calendar(agent.timezone, week)
    nights = night_windows(agent.timezone, week, rules.nights.window_start_hour, rules.nights.window_end_hour)
    # the rules of one shift alone; `rules` imports this module's types, so it is imported here
    from wfm.roster.rules import availability, days_unavailable, shift_length, start_grid

    band = band_minutes(rules)
    lengths = shift_length(rules, agent.weekly_cap(rules) * 60)
    shifts: list[Shift] = []
    for day in range(DAYS):
        local_date = dates[day + 1]
        if days_unavailable(agent, local_date):
            continue
        day_begin, day_end = starts_of_day[day + 1], starts_of_day[day + 2]
        windows = _windows_for(agent, local_date, origin)
        for start in start_grid(rules, day_begin, min(day_end, WEEK_MINUTES)):
            local_minute_of_day = start - day_begin
            for length, paid in lengths:
                end = start + length
                if not availability(windows, start, end):
                    continue
                shifts.append(
                    Shift(
                        day=day,
                        start=start,
                        length=length,
                        paid=paid,
                        night=is_night(start, end, nights),
                        band=local_minute_of_day // band,
                    )
                )
    return tuple(shifts)
