"""One small situation per roster rule, judged by the independent checker (`wfm.check`).

Each test builds a tiny workspace (its own rules profile, so the shipped profiles can change
freely) and a hand-written roster, then asserts which rule breaks and by how much.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import zoneinfo
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from wfm.check import AGENT_RULES, Violation, check_roster, find_shifts, is_night, wall_to_utc
from wfm.errors import InputError
from wfm.rules import RULE_NAMES
from wfm.workspace import Workspace, load_workspace

UTC = dt.UTC
WEEK = dt.date(2026, 11, 30)  # a Monday with no DST change anywhere used below
DST_WEEK = dt.date(2026, 10, 26)  # New York falls back on Sunday 2026-11-01
NYC = "America/New_York"
MNL = "Asia/Manila"
MAD = "Europe/Madrid"

RULES: dict[str, dict[str, Any]] = {
    "shifts": {"lengths_hours": [8, 9, 10], "start_step_minutes": 30},
    "hours": {
        "max_per_week": 40,
        "max_per_day": 10,
        "min_rest_between_shifts": 11,
        "max_consecutive_days": 5,
        "min_days_off_per_week": 2,
    },
    "breaks": {"break_minutes": 15, "lunch_minutes": 30, "lunch_after_hours": [3, 5]},
    "nights": {"max_per_week": 2},
    "service": {"max_occupancy": 0.85},
}
AGENT_COLUMNS = (
    "agent_id",
    "timezone",
    "skills",
    "max_hours_week",
    "min_hours_week",
    "available_from",
    "available_to",
    "days_unavailable",
)

# Activity plans (activity, minutes). EIGHT: 8 h, one break, lunch 3.5 h after the start.
EIGHT = [("phone-en", 120), ("break", 15), ("phone-en", 75), ("lunch", 30), ("phone-en", 240)]
NINE = [("phone-en", 90), ("break", 15), ("phone-en", 105), ("lunch", 30), ("phone-en", 120), ("break", 15), ("phone-en", 165)]
TEN = [("phone-en", 90), ("break", 15), ("phone-en", 105), ("lunch", 30), ("phone-en", 120), ("break", 15), ("phone-en", 225)]


def make_workspace(
    tmp_path: Path, agents: list[dict[str, str]], soft: dict[str, float] | None = None, **rules: dict[str, Any]
) -> Workspace:
    """A workspace with queues phone-en and chat-en, the given agents and RULES with overrides."""
    root = tmp_path / "ws"
    root.mkdir(exist_ok=True)
    (root / "wfm.toml").write_text(
        '[plan]\ninterval_minutes = 15\nrules = "rules.toml"\n\n'
        '[[queues]]\nname = "phone-en"\nchannel = "phone"\ntimezone = "America/New_York"\n\n'
        '[[queues]]\nname = "chat-en"\nchannel = "chat"\ntimezone = "America/New_York"\n'
    )
    profile = {section: {**RULES.get(section, {}), **rules.get(section, {})} for section in {**RULES, **rules}}
    if soft:
        profile["soft"] = soft
    lines = [
        f"[{section}]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in values.items())
        for section, values in profile.items()
    ]
    (root / "rules.toml").write_text("\n".join(lines))
    rows = [",".join(agent.get(column, "") for column in AGENT_COLUMNS) for agent in agents]
    (root / "agents.csv").write_text("\n".join([",".join(AGENT_COLUMNS), *rows]) + "\n")
    (root / "history.csv").write_text("queue,interval_start,contacts,aht_seconds\nphone-en,2026-11-23T14:00:00Z,10,300\n")
    return load_workspace(root)


def agent(agent_id: str, timezone: str, **columns: str) -> dict[str, str]:
    return {"agent_id": agent_id, "timezone": timezone, "skills": "phone-en", **columns}


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def local(timezone: str, text: str, fold: int = 0) -> dt.datetime:
    """A local wall time in `timezone` as a UTC instant."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=zoneinfo.ZoneInfo(timezone), fold=fold).astimezone(UTC)


def shift(agent_id: str, timezone: str, start: dt.datetime, plan: list[tuple[str, int]] = EIGHT) -> list[dict[str, Any]]:
    """Back-to-back rows from `start`, with local times in the agent's zone as a roster writes them."""
    zone = zoneinfo.ZoneInfo(timezone)
    rows = []
    for activity, minutes in plan:
        end = start + dt.timedelta(minutes=minutes)
        rows.append(
            {
                "agent_id": agent_id,
                "activity": activity,
                "start": start,
                "end": end,
                "start_local": start.astimezone(zone).isoformat(),
                "end_local": end.astimezone(zone).isoformat(),
            }
        )
        start = end
    return rows


def roster(*shifts: list[dict[str, Any]]) -> pd.DataFrame:
    rows = [row for rows in shifts for row in rows]
    rows.sort(key=lambda row: (row["agent_id"], row["start"]))
    columns = ["agent_id", "activity", "start", "end", "start_local", "end_local"]
    return pd.DataFrame(rows, columns=columns)


def weekdays(
    timezone: str, clock: str, dates: range, agent_id: str = "NYC-01", plan: list[tuple[str, int]] = EIGHT
) -> list[dict[str, Any]]:
    """One shift per listed day of December 2026 (or November when > 20) at the local `clock`."""
    rows: list[dict[str, Any]] = []
    for day in dates:
        date = f"2026-11-{day:02d}" if day > 20 else f"2026-12-{day:02d}"
        rows += shift(agent_id, timezone, local(timezone, f"{date}T{clock}"), plan)
    return rows


def only(violations: list[Violation], rule: str) -> Violation:
    """The single violation found, asserting it is of `rule`."""
    assert [v.rule for v in violations] == [rule], [v.line() for v in violations]
    return violations[0]


# ----------------------------------------------------------------------------- the whole


def test_every_rule_of_the_profile_has_its_check_function_of_the_same_name() -> None:
    assert set(AGENT_RULES) == set(RULE_NAMES)
    assert all(function.__name__ == name for name, function in AGENT_RULES.items())


def test_a_clean_week_in_two_zones_has_no_violation(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC), agent("MNL-07", MNL, skills="phone-en|chat-en")])
    plan = roster(
        weekdays(NYC, "09:00", range(1, 5)) + weekdays(NYC, "09:00", range(30, 31)), weekdays(MNL, "09:00", range(1, 6), "MNL-07")
    )
    assert check_roster(ws, plan, WEEK) == []
    assert len(find_shifts(plan, WEEK)) == 10


# ----------------------------------------------------------------------------- one shift


def test_shift_length_off_the_allowed_lengths_by_30_minutes(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    seven_and_half = [("phone-en", 120), ("break", 15), ("phone-en", 75), ("lunch", 30), ("phone-en", 210)]
    found = only(check_roster(ws, roster(shift("NYC-01", NYC, utc("2026-11-30T14:00Z"), seven_and_half)), WEEK), "shift_length")
    assert (found.amount, found.unit, found.when) == (30, "minutes", utc("2026-11-30T14:00Z"))
    assert found.detail == "7.5 h shift, rule allows 8, 9, 10 h"
    assert not found.soft


def test_start_grid_a_shift_15_minutes_off_the_utc_grid(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    found = only(check_roster(ws, roster(shift("NYC-01", NYC, utc("2026-11-30T14:15Z"))), WEEK), "start_grid")
    assert (found.amount, found.unit) == (15, "minutes")


def test_availability_a_shift_starting_an_hour_before_the_window(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC, available_from="08:00", available_to="17:00")])
    found = only(check_roster(ws, roster(shift("NYC-01", NYC, local(NYC, "2026-12-01T07:00"))), WEEK), "availability")
    assert (found.amount, found.unit) == (60, "minutes")
    assert "08:00–17:00" in found.detail


def test_availability_with_a_window_crossing_midnight(tmp_path: Path) -> None:
    ws = make_workspace(
        tmp_path, [agent("MNL-07", MNL, available_from="22:00", available_to="08:00")], nights={"max_per_week": 7}
    )
    before_midnight = shift("MNL-07", MNL, local(MNL, "2026-11-30T22:00"))  # Mon 22:00 → Tue 06:00
    # Starts Thursday 00:00 inside the window that opened Wednesday 22:00: inside.
    after_midnight = shift("MNL-07", MNL, local(MNL, "2026-12-03T00:00"))
    early = shift("MNL-07", MNL, local(MNL, "2026-12-05T21:00"))  # an hour before the window opens
    found = only(check_roster(ws, roster(before_midnight, after_midnight, early), WEEK), "availability")
    assert (found.amount, found.when) == (60, local(MNL, "2026-12-05T21:00"))


def test_days_unavailable_weekday_and_date_by_local_start_date(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC, days_unavailable="Sat|2026-12-02")])
    plan = roster(
        shift("NYC-01", NYC, local(NYC, "2026-12-02T09:00")),  # the listed date
        shift("NYC-01", NYC, local(NYC, "2026-12-04T22:00")),  # Friday night into Saturday: starts Friday, allowed
        shift("NYC-01", NYC, local(NYC, "2026-12-05T18:00")),  # a Saturday
    )
    found = check_roster(ws, plan, WEEK)
    assert [(v.rule, v.when, v.amount) for v in found] == [
        ("days_unavailable", local(NYC, "2026-12-02T09:00"), 7.5),
        ("days_unavailable", local(NYC, "2026-12-05T18:00"), 7.5),
    ]


def test_skills_an_hour_on_a_queue_the_agent_lacks(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    plan = [("phone-en", 120), ("break", 15), ("phone-en", 75), ("lunch", 30), ("chat-en", 60), ("phone-en", 180)]
    found = only(check_roster(ws, roster(shift("NYC-01", NYC, utc("2026-11-30T14:00Z"), plan)), WEEK), "skills")
    assert (found.amount, found.unit, found.when) == (60, "minutes", utc("2026-11-30T18:00Z"))


# ----------------------------------------------------------------------------- breaks and lunch


def test_breaks_missing_in_an_8_hour_shift(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    plan = [("phone-en", 210), ("lunch", 30), ("phone-en", 240)]
    found = only(check_roster(ws, roster(shift("NYC-01", NYC, utc("2026-11-30T14:00Z"), plan)), WEEK), "breaks")
    assert (found.amount, found.unit, found.detail) == (1, "breaks", "0 breaks in a 8 h shift, rule needs 1")


def test_breaks_too_long_by_15_minutes(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    plan = [("phone-en", 120), ("break", 30), ("phone-en", 60), ("lunch", 30), ("phone-en", 240)]
    found = only(check_roster(ws, roster(shift("NYC-01", NYC, utc("2026-11-30T14:00Z"), plan)), WEEK), "breaks")
    assert (found.amount, found.unit) == (15, "minutes")


def test_breaks_never_open_a_shift(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    plan = [("break", 15), ("phone-en", 225), ("lunch", 30), ("phone-en", 210)]
    found = only(check_roster(ws, roster(shift("NYC-01", NYC, utc("2026-11-30T14:00Z"), plan)), WEEK), "breaks")
    assert "opens" in found.detail


def test_breaks_nine_and_ten_hour_shifts_need_two(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    one_break_nine = [("phone-en", 90), ("break", 15), ("phone-en", 105), ("lunch", 30), ("phone-en", 300)]
    plan = roster(
        shift("NYC-01", NYC, utc("2026-11-30T14:00Z"), NINE), shift("NYC-01", NYC, utc("2026-12-01T14:00Z"), one_break_nine)
    )
    found = only(check_roster(ws, plan, WEEK), "breaks")
    assert (found.when, found.amount) == (utc("2026-12-01T14:00Z"), 1)


def test_lunch_starting_half_an_hour_too_early(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    plan = [("phone-en", 60), ("break", 15), ("phone-en", 75), ("lunch", 30), ("phone-en", 300)]
    found = only(check_roster(ws, roster(shift("NYC-01", NYC, utc("2026-11-30T14:00Z"), plan)), WEEK), "lunch")
    assert (found.amount, found.unit, found.when) == (30, "minutes", utc("2026-11-30T16:30Z"))


def test_lunch_bounds_are_inclusive(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    at_three = [("phone-en", 120), ("break", 15), ("phone-en", 45), ("lunch", 30), ("phone-en", 270)]
    at_five = [("phone-en", 120), ("break", 15), ("phone-en", 165), ("lunch", 30), ("phone-en", 150)]
    plan = roster(
        shift("NYC-01", NYC, utc("2026-11-30T14:00Z"), at_three), shift("NYC-01", NYC, utc("2026-12-01T14:00Z"), at_five)
    )
    assert check_roster(ws, plan, WEEK) == []


def test_lunch_missing_in_an_8_hour_shift(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    plan = [("phone-en", 120), ("break", 15), ("phone-en", 345)]
    found = only(check_roster(ws, roster(shift("NYC-01", NYC, utc("2026-11-30T14:00Z"), plan)), WEEK), "lunch")
    assert (found.amount, found.unit) == (1, "lunches")


def test_lunch_of_45_minutes(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    plan = [("phone-en", 120), ("break", 15), ("phone-en", 75), ("lunch", 45), ("phone-en", 225)]
    found = only(check_roster(ws, roster(shift("NYC-01", NYC, utc("2026-11-30T14:00Z"), plan)), WEEK), "lunch")
    assert (found.amount, found.unit) == (15, "minutes")


def test_lunch_none_in_a_6_hour_shift(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)], shifts={"lengths_hours": [6, 8]})
    plan = [("phone-en", 120), ("break", 15), ("phone-en", 45), ("lunch", 30), ("phone-en", 150)]
    found = only(check_roster(ws, roster(shift("NYC-01", NYC, utc("2026-11-30T14:00Z"), plan)), WEEK), "lunch")
    assert found.detail == "1 lunch in a 6 h shift, rule needs 0"


# ----------------------------------------------------------------------------- days and weeks


def test_max_hours_day_two_shifts_starting_on_one_local_date(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)], hours={"min_rest_between_shifts": 0})
    plan = roster(shift("NYC-01", NYC, local(NYC, "2026-12-01T00:00")), shift("NYC-01", NYC, local(NYC, "2026-12-01T14:00")))
    found = only(check_roster(ws, plan, WEEK), "max_hours_day")
    assert (found.when, found.amount, found.unit) == (dt.date(2026, 12, 1), 5, "hours")


def test_max_hours_week_over_the_agents_own_cap(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC, max_hours_week="30")])
    found = only(check_roster(ws, roster(weekdays(NYC, "09:00", range(1, 6))), WEEK), "max_hours_week")
    assert (found.when, found.amount, found.unit) == (WEEK, 7.5, "hours")
    assert found.detail == "37.5 paid hours, cap 30 h"


def test_max_hours_week_agent_cap_never_above_the_profile(tmp_path: Path) -> None:
    ws = make_workspace(
        tmp_path,
        [agent("NYC-01", NYC, max_hours_week="50")],
        hours={"max_consecutive_days": 7, "min_days_off_per_week": 0},
    )
    found = only(
        check_roster(ws, roster(weekdays(NYC, "09:00", range(1, 6)) + weekdays(NYC, "09:00", range(30, 31))), WEEK),
        "max_hours_week",
    )
    assert found.amount == 5


def test_min_hours_week_short_by_2_hours(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC, min_hours_week="32"), agent("NYC-02", NYC, min_hours_week="10")])
    found = check_roster(ws, roster(weekdays(NYC, "09:00", range(1, 5))), WEEK)
    assert [(v.rule, v.agent_id, v.amount, v.soft) for v in found] == [
        ("min_hours_week", "NYC-01", 2, False),
        ("min_hours_week", "NYC-02", 10, False),  # no shift at all
    ]


def test_min_hours_week_soft_when_the_profile_says_so(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC, min_hours_week="32")], soft={"min_hours_week": 5})
    found = only(check_roster(ws, roster(weekdays(NYC, "09:00", range(1, 5))), WEEK), "min_hours_week")
    assert found.soft
    assert found.line().endswith("(soft)")


def test_min_rest_9_5_hours_between_shifts(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("MNL-07", MNL)])
    plan = roster(
        shift("MNL-07", MNL, utc("2026-11-30T11:00Z")),  # ends 19:00Z
        shift("MNL-07", MNL, utc("2026-12-01T04:30Z")),  # 9.5 h later
    )
    found = only(check_roster(ws, plan, WEEK), "min_rest")
    assert (found.amount, found.unit) == (1.5, "hours")
    assert found.line() == "min_rest  MNL-07  2026-12-01T04:30Z  9.5 h rest, rule needs 11 h"


def test_max_consecutive_days_six_in_a_row(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)], hours={"max_per_week": 60, "min_days_off_per_week": 1})
    plan = roster(weekdays(NYC, "09:00", range(1, 6)) + weekdays(NYC, "09:00", range(30, 31)))  # Mon 30 – Sat 5
    found = only(check_roster(ws, plan, WEEK), "max_consecutive_days")
    assert (found.when, found.amount, found.unit) == (dt.date(2026, 11, 30), 1, "days")


def test_min_days_off_one_short(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)], hours={"max_per_week": 60, "max_consecutive_days": 7})
    plan = roster(weekdays(NYC, "09:00", range(1, 6)) + weekdays(NYC, "09:00", range(30, 31)))
    found = only(check_roster(ws, plan, WEEK), "min_days_off")
    # New York's 7 days begin with its date at Monday 00:00 UTC: Sunday 2026-11-29.
    assert (found.when, found.amount) == (dt.date(2026, 11, 29), 1)


def test_min_days_off_counts_only_the_seven_local_dates(tmp_path: Path) -> None:
    # Manila's days are Mon 30 Nov – Sun 6 Dec; a shift starting Mon 7 Dec 07:00 local is still
    # in the UTC week but on an eighth local date, which days off do not count.
    ws = make_workspace(tmp_path, [agent("MNL-07", MNL)], hours={"max_per_week": 60, "max_consecutive_days": 7})
    plan = roster(weekdays(MNL, "09:00", range(1, 7), "MNL-07"), shift("MNL-07", MNL, local(MNL, "2026-12-07T07:00")))
    found = only(check_roster(ws, plan, WEEK), "min_days_off")
    assert (found.when, found.amount) == (dt.date(2026, 11, 30), 1)


def test_max_nights_three_night_shifts(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    plan = roster(*(shift("NYC-01", NYC, local(NYC, f"2026-12-0{day}T22:00")) for day in (1, 3, 5)))
    found = only(check_roster(ws, plan, WEEK), "max_nights")
    assert (found.when, found.amount, found.unit) == (WEEK, 1, "nights")


def test_a_manila_night_shift_across_midnight_is_one_shift_and_one_night(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("MNL-07", MNL)], nights={"max_per_week": 0})
    night = shift("MNL-07", MNL, local(MNL, "2026-11-30T22:00"))  # 14:00Z–22:00Z
    evening = shift("MNL-07", MNL, local(MNL, "2026-12-02T16:00"))  # ends at local midnight: not a night
    plan = roster(night, evening)
    shifts = find_shifts(plan, WEEK)
    assert [(s.start, s.length_hours) for s in shifts] == [(utc("2026-11-30T14:00Z"), 8), (utc("2026-12-02T08:00Z"), 8)]
    assert [is_night(s, zoneinfo.ZoneInfo(MNL), ws.rules) for s in shifts] == [True, False]
    found = only(check_roster(ws, plan, WEEK), "max_nights")
    assert (found.amount, found.detail) == (1, "1 night shift (2026-11-30), rule allows 0")


# ----------------------------------------------------------------------------- DST


def test_new_york_shift_across_the_repeated_hour(tmp_path: Path) -> None:
    # Sat 2026-10-31 22:00 EDT → Sun 06:00 EST is 9 real hours; the 22:00–06:00 window holds it.
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC, available_from="22:00", available_to="06:00")])
    start = local(NYC, "2026-10-31T22:00")
    nine = roster(shift("NYC-01", NYC, start, NINE))
    assert nine["end_local"].iloc[-1] == "2026-11-01T06:00:00-05:00"
    assert check_roster(ws, nine, DST_WEEK) == []
    found = only(check_roster(ws, roster(shift("NYC-01", NYC, start, TEN)), DST_WEEK), "availability")
    assert found.amount == 60


def test_new_york_night_window_after_fall_back_ends_at_06_00_est(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)], nights={"max_per_week": 0})
    zone = zoneinfo.ZoneInfo(NYC)
    # 05:30 EST: inside the 7-hour night of 2026-11-01; a fixed EDT offset would put 06:00 at 10:00Z.
    touches = find_shifts(roster(shift("NYC-01", NYC, utc("2026-11-01T10:30Z"))), DST_WEEK)[0]
    after = find_shifts(roster(shift("NYC-01", NYC, utc("2026-11-01T11:00Z"))), DST_WEEK)[0]
    assert is_night(touches, zone, ws.rules)
    assert not is_night(after, zone, ws.rules)


def test_local_offset_must_be_the_zones_offset_at_that_instant(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    plan = roster(shift("NYC-01", NYC, local(NYC, "2026-10-31T22:00"), NINE))
    plan.loc[plan.index[-1], "end_local"] = "2026-11-01T07:00:00-04:00"  # same instant, summer offset
    found = only(check_roster(ws, plan, DST_WEEK), "format")
    assert "2026-11-01T06:00:00-05:00" in found.detail


def test_madrid_week_after_the_change_uses_plus_one_and_its_own_local_days(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("MAD-03", MAD)], hours={"max_per_week": 50})
    days = [shift("MAD-03", MAD, local(MAD, f"2026-10-{day}T09:00")) for day in (26, 27, 28, 29, 30)]
    # Sunday 1 Nov 23:30 local is 22:30Z, still in the UTC week and Madrid's 7th local day.
    sunday = shift("MAD-03", MAD, local(MAD, "2026-11-01T23:30"))
    plan = roster(*days, sunday)
    assert plan["start_local"].iloc[0] == "2026-10-26T09:00:00+01:00"
    found = only(check_roster(ws, plan, DST_WEEK), "min_days_off")
    assert (found.when, found.amount) == (dt.date(2026, 10, 26), 1)
    stale = roster(*days)
    stale.loc[stale.index[0], "start_local"] = "2026-10-26T10:00:00+02:00"  # last week's offset
    found = only(check_roster(ws, stale, DST_WEEK), "format")
    assert "2026-10-26T09:00:00+01:00" in found.detail


def test_madrid_night_across_its_fall_back_is_one_clean_shift(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("MAD-03", MAD)])
    plan = roster(shift("MAD-03", MAD, local(MAD, "2026-10-24T22:00")))  # 20:00Z Sat → 04:00Z Sun
    assert [tuple(row) for row in plan[["start_local", "end_local"]].iloc[[0, -1]].to_numpy()] == [
        ("2026-10-24T22:00:00+02:00", "2026-10-25T00:00:00+02:00"),
        ("2026-10-25T02:00:00+02:00", "2026-10-25T05:00:00+01:00"),  # 02:00 CEST, then back to 02:00 CET
    ]
    assert check_roster(ws, plan, dt.date(2026, 10, 19)) == []
    assert len(find_shifts(plan, dt.date(2026, 10, 19))) == 1


def test_wall_to_utc_on_skipped_and_repeated_times() -> None:
    zone = zoneinfo.ZoneInfo(NYC)
    assert wall_to_utc(zone, dt.date(2026, 3, 8), 150) == utc("2026-03-08T07:00Z")  # 02:30 never shows: the jump
    assert wall_to_utc(zone, dt.date(2026, 11, 1), 90) == utc("2026-11-01T05:30Z")  # first 01:30 (EDT)
    assert wall_to_utc(zone, dt.date(2026, 11, 1), 90, latest=True) == utc("2026-11-01T06:30Z")  # second (EST)
    assert wall_to_utc(zone, dt.date(2026, 10, 31), 1440 + 360) == utc("2026-11-01T11:00Z")  # past midnight


# ----------------------------------------------------------------------------- format


def test_format_overlapping_rows_by_30_minutes(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    plan = roster(
        shift("NYC-01", NYC, utc("2026-11-30T14:00Z")), shift("NYC-01", NYC, utc("2026-11-30T14:00Z"), [("phone-en", 30)])
    )
    found = [v for v in check_roster(ws, plan, WEEK) if v.rule == "format"]
    assert [(v.amount, v.unit) for v in found] == [(30, "minutes")]


def test_format_unknown_agent_activity_and_empty_row(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    plan = roster(shift("NYC-01", NYC, utc("2026-11-30T14:00Z")), shift("NYC-10", NYC, utc("2026-11-30T14:00Z")))
    plan.loc[2, "activity"] = "coffee"
    empty = shift("NYC-01", NYC, utc("2026-12-02T14:00Z"), [("phone-en", 0)])[0]
    plan.loc[len(plan)] = list(empty.values())
    found = check_roster(ws, plan, WEEK)
    assert [(v.rule, v.agent_id, v.amount) for v in found] == [
        ("format", "NYC-10", 5),  # five rows of someone not in agents.csv
        ("format", "NYC-01", 1),  # a row of coffee
        ("format", "NYC-01", 0),  # start not before end (a zero-length row)
    ]
    assert "did you mean 'NYC-01'" in found[0].detail
    assert "'coffee'" in found[1].detail


def test_format_rows_out_of_order(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    plan = roster(shift("NYC-01", NYC, utc("2026-11-30T14:00Z")))
    found = only(check_roster(ws, plan.iloc[::-1].reset_index(drop=True), WEEK), "format")
    assert "ordered by start" in found.detail


def test_format_a_shift_starting_before_the_plan_week(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    # Starts Sunday 22:00Z, runs into the week: its rows do not belong to this plan.
    early = shift("NYC-01", NYC, utc("2026-11-29T22:00Z"))
    # Starts Sunday 20:00Z at the end of the week and runs past it: belongs here, fine.
    late = shift("NYC-01", NYC, utc("2026-12-06T20:00Z"))
    found = only(check_roster(ws, roster(early, late), WEEK), "format")
    assert (found.when, found.amount, found.unit) == (utc("2026-11-29T22:00Z"), 5, "rows")


# ----------------------------------------------------------------------------- coverage.csv


def _coverage(values: dict[str, float]) -> pd.DataFrame:
    """phone-en and chat-en over the whole week, zero but for `values` (UTC HH:MM on Monday → phone-en)."""
    grid = pd.date_range("2026-11-30", periods=7 * 96, freq="15min", tz="UTC")
    frames = []
    for queue in ("phone-en", "chat-en"):
        scheduled = np.zeros(len(grid))
        if queue == "phone-en":
            for clock, value in values.items():
                scheduled[grid.get_loc(pd.Timestamp(f"2026-11-30T{clock}Z"))] = value
        frames.append(pd.DataFrame({"queue": queue, "interval_start": grid, "required": 0.0, "scheduled": scheduled}))
    return pd.concat(frames, ignore_index=True)


def test_coverage_matches_the_roster_to_the_minute(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    # Phone 14:00–16:05, break 16:05–16:20, phone 16:20–17:30, lunch to 18:00, phone 18:00–22:00.
    plan = roster(
        shift(
            "NYC-01",
            NYC,
            utc("2026-11-30T14:00Z"),
            [("phone-en", 125), ("break", 15), ("phone-en", 70), ("lunch", 30), ("phone-en", 240)],
        )
    )
    on_phone = {f"{h:02d}:{m:02d}": 1.0 for h in range(14, 22) for m in (0, 15, 30, 45) if not (16, 0) <= (h, m) < (18, 0)}
    on_phone |= {"16:00": 5 / 15, "16:15": 10 / 15, "16:30": 1.0, "16:45": 1.0, "17:00": 1.0, "17:15": 1.0}
    assert check_roster(ws, plan, WEEK, _coverage(on_phone)) == []
    wrong = check_roster(ws, plan, WEEK, _coverage(on_phone | {"16:00": 0.5}))
    assert [(v.rule, v.agent_id, v.when, v.amount) for v in wrong] == [("format", None, utc("2026-11-30T16:00Z"), 1)]
    partial = _coverage(on_phone)
    missing = check_roster(ws, plan, WEEK, partial[partial["interval_start"] != pd.Timestamp("2026-11-30T15:00Z")])
    assert [(v.rule, v.when) for v in missing] == [("format", utc("2026-11-30T15:00Z"))]
    assert "no row for phone-en" in missing[0].detail


def test_the_plan_week_must_be_a_monday(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    with pytest.raises(InputError, match="expected a Monday"):
        check_roster(ws, roster(), dt.date(2026, 12, 1))


def test_format_rows_of_one_agent_not_together(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC), agent("NYC-02", NYC)])
    first, second = weekdays(NYC, "09:00", range(1, 2)), weekdays(NYC, "09:00", range(1, 2), "NYC-02")
    plan = pd.DataFrame(first[:2] + second + first[2:])
    found = only(check_roster(ws, plan, WEEK), "format")
    assert (found.agent_id, found.when) == ("NYC-01", local(NYC, "2026-12-01T11:15"))
    assert "not together" in found.detail


def test_a_lone_break_is_a_shift_that_a_break_opens_and_closes(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    plan = roster(shift("NYC-01", NYC, utc("2026-11-30T14:00Z")), shift("NYC-01", NYC, utc("2026-11-30T22:30Z"), [("break", 15)]))
    found = check_roster(ws, plan, WEEK)
    assert [(v.rule, v.amount) for v in found if v.rule == "breaks"] == [("breaks", 1), ("breaks", 1), ("breaks", 1)]
    assert {v.rule for v in found} == {"breaks", "shift_length", "min_rest"}


def test_coverage_of_a_queue_not_in_the_workspace(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC)])
    coverage = pd.DataFrame({"queue": ["phone-es"], "interval_start": [utc("2026-11-30T00:00Z")], "scheduled": [0.0]})
    found = only(check_roster(ws, roster(), WEEK, coverage), "format")
    assert found.agent_id is None
    assert "phone-es" in found.detail


def test_the_checker_shares_no_code_with_the_solver() -> None:
    code = "import sys, wfm.check, wfm.cli.check; print(sorted(m for m in sys.modules if m.startswith('wfm.roster')))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"
