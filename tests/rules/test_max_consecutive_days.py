"""max_consecutive_days: no run of worked days longer than the profile's cap."""

from __future__ import annotations

from tiny import assign, at, greedy_allows, group, judged, profile, week_model_most, worked

RULES = profile(hours={"max_consecutive_days": 3})


def test_week_model_works_three_on_one_off_three_on() -> None:
    assert week_model_most(group(RULES), RULES, lambda s: True) == 6


def test_assignment_drops_one_day_of_seven() -> None:
    g = group(RULES, size=2)
    result = assign(g, RULES, [at(g, day, 9) for day in range(7)] * 2)
    assert result.dropped == 2
    days = [s.day for s in worked(result, "A1")]
    assert len(days) == 6 and not any(all(d in days for d in range(first, first + 4)) for first in range(4))


def test_greedy_refuses_a_fourth_day_in_a_row() -> None:
    g = group(RULES)
    three = [at(g, day, 9) for day in range(3)]
    assert not greedy_allows(g, RULES, three, at(g, 3, 9))
    assert greedy_allows(g, RULES, three, at(g, 4, 9))


def test_checker_measures_the_run_over_the_cap() -> None:
    g = group(RULES)
    (violation,) = judged(RULES, g, [at(g, day, 9) for day in range(4)], "max_consecutive_days")
    assert violation.amount == 1 and violation.unit == "days"
    assert judged(RULES, g, [at(g, day, 9) for day in (0, 1, 2, 4, 5, 6)], "max_consecutive_days") == []
