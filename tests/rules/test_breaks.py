"""breaks: one paid break of `break_minutes` for each full 4 paid hours, none opening or closing a shift."""

from __future__ import annotations

import pandas as pd
import pytest
from tiny import agent, at, group, profile, realized, timeline, verdict

from wfm.errors import InputError
from wfm.roster.rules import Placement, breaks

RULES = profile(shifts={"lengths_hours": [3, 4, 8, 10], "start_step_minutes": 60})  # 15-minute breaks, 30-minute lunch
FOUR_HOURS = [("phone-en", 120), ("break", 15), ("phone-en", 105)]


def test_a_shift_has_a_break_for_each_full_four_paid_hours_an_hour_from_either_edge() -> None:
    assert breaks(RULES, 180) == Placement(0, 15, ())  # 3 paid hours
    four = breaks(RULES, 240)
    assert (four.count, four.minutes, four.starts[0], four.starts[-1]) == (1, 15, 60, 165)
    assert breaks(RULES, 480).count == 1  # 7.5 paid hours: the lunch is unpaid
    ten = breaks(RULES, 600)
    assert (ten.count, ten.starts[0], ten.starts[-1]) == (2, 60, 525)  # 9.5 paid hours
    assert breaks(profile(breaks={"break_minutes": 0}), 600).count == 0


def test_stage_3_places_them_and_the_checker_agrees() -> None:
    g = group(RULES)
    frame = realized(RULES, g, [at(g, 0, 9, 4), at(g, 1, 9, 8), at(g, 2, 9, 10)])
    placed = frame[frame["activity"] == "break"]
    assert (placed["end"] - placed["start"] == pd.Timedelta(minutes=15)).all()
    assert placed["start"].dt.day.tolist() == [30, 1, 2, 2]  # one in 4 h and in 8 h, two in 10 h
    assert verdict(RULES, g.agents, frame, "breaks") == []


def test_checker_catches_a_break_a_minute_short() -> None:
    assert verdict(RULES, [agent()], timeline("A1", 9 * 60, FOUR_HOURS), "breaks") == []
    short = [("phone-en", 120), ("break", 14), ("phone-en", 106)]
    (violation,) = verdict(RULES, [agent()], timeline("A1", 9 * 60, short), "breaks")
    assert (violation.amount, violation.unit, violation.soft) == (1, "minutes", False)


def test_checker_catches_a_break_that_closes_the_shift() -> None:
    last = [("phone-en", 225), ("break", 15)]
    (violation,) = verdict(RULES, [agent()], timeline("A1", 9 * 60, last), "breaks")
    assert "break closes the shift" in violation.detail


def test_breaks_are_always_hard() -> None:
    with pytest.raises(InputError, match=r"soft\.breaks: not a rule that can be soft"):
        profile(soft={"breaks": 1})
