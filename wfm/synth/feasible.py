"""Agents who can keep their contracts: the best week the rules allow each agent, so that a drawn
minimum is always reachable.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from wfm.rules import RulesProfile
from wfm.timegrid import local_days, week_start


def _cumulative(shares: Sequence[tuple[tuple[str, ...], float]]) -> list[tuple[tuple[str, ...], float]]:
    total = sum(share for _, share in shares)
    out, running = [], 0.0
    for skills, share in shares:
        running += share / total
        out.append((skills, running))
    return out


def _days_off(weekdays: str, dates: str) -> tuple[frozenset[int], frozenset[dt.date]]:
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    return (
        frozenset(names.index(part) for part in weekdays.split("|") if part),
        frozenset(dt.date.fromisoformat(part) for part in dates.split("|") if part),
    )


def best_week_hours(
    timezone: str,
    window: tuple[str, str] | None,
    days_off: tuple[frozenset[int], frozenset[dt.date]],
    cap_hours: float,
    rules: RulesProfile,
    plan_week: dt.date,
) -> float:
    """Most paid hours one agent can work in the plan week under `rules`.

    The best shift of each local day (inside the window, on a day the agent is available,
    the shift's local date being one of the 7 days of the week), at most
    `7 − min_days_off_per_week` days, at most `nights.max_per_week` night shifts (unless that cap
    is soft), within `cap_hours`. Rest between shifts is not checked: every window here repeats
    daily, so the best shifts start at one local time and leave ≥ 14 h of rest.
    """
    options = _day_options(timezone, window, days_off, cap_hours, rules, plan_week)
    days = 7 - rules.hours.min_days_off_per_week
    nights = days if rules.is_soft("max_nights") else rules.nights.max_per_week
    # state (days used, nights used) → most paid hours, over the days in order
    states = {(0, 0): 0.0}
    for day, night in options:
        following = dict(states)
        for (used, night_count), hours in states.items():
            if used == days:
                continue
            if day > 0:
                key = (used + 1, night_count)
                following[key] = max(following.get(key, 0.0), hours + day)
            if night > 0 and night_count < nights:
                key = (used + 1, night_count + 1)
                following[key] = max(following.get(key, 0.0), hours + night)
        states = following
    return min(max(states.values()), cap_hours)


def kept_days_off(
    best: Callable[[tuple[frozenset[int], frozenset[dt.date]]], float],
    enough: Callable[[float], bool],
    weekdays_off: str,
    booked: str,
) -> tuple[str, str, float]:
    """The days off an agent keeps so that the best week (`best` of its days off) is `enough`:
    the booked dates go first, then the weekly days off. Returns (weekdays_off, booked, hours
    of the best week with them)."""
    most = best(_days_off(weekdays_off, booked))
    if not enough(most) and booked:
        booked = ""
        most = best(_days_off(weekdays_off, booked))
    if not enough(most) and weekdays_off:
        weekdays_off = ""
        most = best(_days_off(weekdays_off, booked))
    return weekdays_off, booked, most


@functools.cache
def _day_options(
    timezone: str,
    window: tuple[str, str] | None,
    days_off: tuple[frozenset[int], frozenset[dt.date]],
    cap_hours: float,
    rules: RulesProfile,
    plan_week: dt.date,
) -> tuple[tuple[float, float], ...]:
    """For each of the agent's 7 local days: paid hours of the best non-night and night shift (0 = none)."""
    dates, minutes = _local_clock(timezone, plan_week)
    first = local_days(timezone, plan_week)[0]
    lengths = [
        (round(hours * 60) // 15, rules.paid_hours(hours))
        for hours in rules.shifts.lengths_hours
        if rules.paid_hours(hours) <= min(rules.hours.max_per_day, cap_hours) + 1e-9
    ]
    spans = []  # availability windows as (from, to) minutes after the start day's midnight
    if window is not None:
        opens, closes = (int(text[:2]) * 60 + int(text[3:]) for text in window)
        closes += 1440 if closes <= opens else 0
        spans = [(opens, closes)] + ([(opens - 1440, closes - 1440)] if closes > 1440 else [])
    night_from = round(rules.nights.window_start_hour * 60)
    night_to = round(rules.nights.window_end_hour * 60)
    night_to += 1440 if night_to <= night_from else 0
    weekdays_off, dates_off = days_off
    best = [[0.0, 0.0] for _ in range(7)]
    for point in range(0, 7 * 96, rules.shifts.start_step_minutes // 15):
        index = dates[point] - first.toordinal()
        local_date = first + dt.timedelta(days=int(index))
        if not 0 <= index < 7 or local_date.weekday() in weekdays_off or local_date in dates_off:
            continue
        begin = int(minutes[point])
        for steps, paid in lengths:
            end = int((dates[point + steps] - dates[point]) * 1440 + minutes[point + steps])
            if spans and not any(low <= begin and end <= high for low, high in spans):
                continue
            night = any(min(end, night_to + shift) > max(begin, night_from + shift) for shift in (-1440, 0, 1440))
            slot = best[index]
            slot[int(night)] = max(slot[int(night)], paid)
    return tuple((day, night) for day, night in best)


@functools.cache
def _local_clock(timezone: str, plan_week: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Local date (ordinal) and minute of the day of every quarter hour from the week start, for
    the week and one more day (so that shifts starting late in the week end inside the table)."""
    origin = pd.Timestamp(week_start(plan_week))
    stamps = pd.date_range(origin, periods=8 * 96, freq="15min").tz_convert(zoneinfo.ZoneInfo(timezone))
    ordinals = np.asarray([value.toordinal() for value in stamps.date], dtype=np.int64)
    return ordinals, np.asarray(stamps.hour * 60 + stamps.minute, dtype=np.int64)


def _apportion(total: int, shares: Sequence[float]) -> list[int]:
    """Split `total` by `shares` into whole numbers (largest remainders), each at least 1 when possible."""
    weights = np.asarray(shares, dtype=float) / sum(shares)
    raw = weights * total
    counts = np.floor(raw).astype(int)
    for index in np.argsort(-(raw - counts))[: total - counts.sum()]:
        counts[index] += 1
    return [int(c) for c in counts]
