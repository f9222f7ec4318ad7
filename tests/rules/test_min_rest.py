"""min_rest: from one shift's end to the next one's start, at least the profile's rest."""

from __future__ import annotations

import datetime as dt

from tiny import assign, at, greedy_allows, group, judged, profile, week_model_most, worked

RULES = profile()  # 11 h rest; 8-h shifts
# Cairo springs forward at the start of Friday 24 April 2026, so Thursday has 23 hours: a late
# start of a start band on Thursday and an early one on Friday leave 30 minutes less rest than
# the band was built for.
DST_WEEK = dt.date(2026, 4, 20)
CAIRO = "Africa/Cairo"
DST_RULES = profile(shifts={"lengths_hours": [8], "start_step_minutes": 30})


def test_week_model_keeps_rest_by_start_bands() -> None:
    g = group(RULES)
    late, early = g.shifts[at(g, 0, 14)], g.shifts[at(g, 1, 6)]
    assert week_model_most(g, RULES, lambda s: s in (late, early)) == 1  # 8 h apart: other bands
    again = g.shifts[at(g, 1, 14)]
    assert week_model_most(g, RULES, lambda s: s in (late, again)) == 2


def test_assignment_keeps_rest_across_the_clock_change() -> None:
    g = group(DST_RULES, size=2, week=DST_WEEK, timezone=CAIRO)
    thursday, friday = at(g, 3, 7.5), at(g, 4, 2)  # 09:30–17:30 EET, then 05:00 EEST: 10.5 h rest
    assert g.shifts[thursday].band == g.shifts[friday].band
    result = assign(g, DST_RULES, [thursday, friday] * 2)
    assert result.dropped == 2 and len(worked(result, "A1")) == len(worked(result, "A2")) == 1


def test_greedy_refuses_a_start_eight_hours_after_an_end() -> None:
    g = group(RULES)
    assert not greedy_allows(g, RULES, [at(g, 0, 14)], at(g, 1, 6))
    assert greedy_allows(g, RULES, [at(g, 0, 14)], at(g, 1, 9))  # 22:00 to 09:00: 11 h


def test_checker_measures_the_missing_rest() -> None:
    g = group(RULES)
    (violation,) = judged(RULES, g, [at(g, 0, 14), at(g, 1, 6)], "min_rest")
    assert violation.amount == 3 and violation.unit == "hours"
    g = group(DST_RULES, week=DST_WEEK, timezone=CAIRO)
    (violation,) = judged(DST_RULES, g, [at(g, 3, 7.5), at(g, 4, 2)], "min_rest")
    assert violation.amount == 0.5
