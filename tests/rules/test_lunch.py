"""lunch: one unpaid lunch of `lunch_minutes` in a shift longer than 6 h, starting 3–5 h after the
shift's start (both bounds inclusive); none in a shorter shift."""

from __future__ import annotations

import pandas as pd
import pytest
from tiny import agent, at, group, profile, realized, timeline, verdict

from wfm.errors import InputError
from wfm.roster.rules import Placement, lunch, shift_length

RULES = profile(shifts={"lengths_hours": [6, 6.25, 8], "start_step_minutes": 60})  # 30-minute lunch, 3–5 h


def test_only_a_shift_longer_than_six_hours_has_one_within_the_window() -> None:
    assert lunch(RULES, 360) == Placement(0, 0, ())
    assert lunch(RULES, 375) == Placement(1, 30, tuple(range(180, 301, 15)))
    assert shift_length(RULES, cap_minutes=3600) == [(360, 360), (375, 345), (480, 450)]  # paid: length less lunch
    # A window off the slot grid starts at the first slot inside it; a lunch never closes the shift.
    late = profile(breaks={"lunch_after_hours": [3.1, 7.75]})
    assert lunch(late, 480).starts == tuple(range(195, 436, 15))


def test_stage_3_places_it_inside_the_window_and_the_checker_agrees() -> None:
    g = group(RULES)
    frame = realized(RULES, g, [at(g, 0, 9, 6), at(g, 1, 9, 6.25), at(g, 2, 9, 8)])
    placed = frame[frame["activity"] == "lunch"]
    assert placed["start"].dt.day.tolist() == [1, 2]  # none in the 6-hour shift
    assert (placed["end"] - placed["start"] == pd.Timedelta(minutes=30)).all()
    after = (placed["start"] - placed["start"].dt.normalize() - pd.Timedelta(hours=9)) / pd.Timedelta(hours=1)
    assert after.between(3, 5).all()
    assert verdict(RULES, g.agents, frame, "lunch") == []


def test_checker_catches_a_lunch_a_minute_early_and_keeps_the_bounds() -> None:
    for before in (180, 300):  # 3 h and 5 h after the start: inside
        eight = [("phone-en", before), ("lunch", 30), ("phone-en", 450 - before)]
        assert verdict(RULES, [agent()], timeline("A1", 9 * 60, eight), "lunch") == []
    early = [("phone-en", 179), ("lunch", 30), ("phone-en", 271)]
    (violation,) = verdict(RULES, [agent()], timeline("A1", 9 * 60, early), "lunch")
    assert (violation.amount, violation.unit, violation.soft) == (1, "minutes", False)


def test_checker_catches_a_lunch_a_minute_long() -> None:
    long = [("phone-en", 240), ("lunch", 31), ("phone-en", 209)]
    (violation,) = verdict(RULES, [agent()], timeline("A1", 9 * 60, long), "lunch")
    assert (violation.amount, violation.unit) == (1, "minutes")


def test_lunch_is_always_hard() -> None:
    with pytest.raises(InputError, match=r"soft\.lunch: not a rule that can be soft"):
        profile(soft={"lunch": 1})
