"""days_unavailable: no shift starts on a local weekday or date the agent listed."""

from __future__ import annotations

import datetime as dt

from tiny import at, group, judged, profile, week_model_most

RULES = profile()


def test_no_candidate_starts_on_an_unavailable_day() -> None:
    g = group(RULES, weekdays_unavailable=frozenset({5, 6}), dates_unavailable=frozenset({dt.date(2026, 12, 1)}))
    assert sorted({s.day for s in g.shifts}) == [0, 2, 3, 4]  # Mon, Wed, Thu, Fri
    assert week_model_most(g, RULES, lambda s: True) == 4


def test_checker_measures_the_hours_on_the_day() -> None:
    free = group(RULES)
    g = group(RULES, weekdays_unavailable=frozenset({5}))
    (violation,) = judged(RULES, g, [free.shifts[at(free, 5, 9)]], "days_unavailable")
    assert violation.amount == 7.5 and violation.unit == "hours"
