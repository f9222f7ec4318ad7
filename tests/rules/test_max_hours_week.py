"""max_hours_week: paid hours of the week within the agent's cap (never above the profile's)."""

from __future__ import annotations

from tiny import assign, at, greedy_allows, group, judged, profile, week_model_most, worked

RULES = profile()  # 8-h shifts: 7.5 paid hours each


def test_week_model_fits_four_shifts_in_thirty_hours() -> None:
    assert week_model_most(group(RULES, max_hours_week=30), RULES, lambda s: True) == 4
    assert week_model_most(group(RULES), RULES, lambda s: True) == 7  # the profile's 60 h allow every day


def test_assignment_drops_the_fifth_shift() -> None:
    g = group(RULES, size=2, max_hours_week=30)
    result = assign(g, RULES, [at(g, day, 9) for day in range(5)] * 2)
    assert result.dropped == 2
    assert [sum(s.paid for s in worked(result, a)) for a in ("A1", "A2")] == [1800, 1800]


def test_greedy_refuses_the_shift_past_the_cap() -> None:
    g = group(RULES, max_hours_week=30)
    four = [at(g, day, 9) for day in range(4)]
    assert not greedy_allows(g, RULES, four, at(g, 5, 9))
    assert greedy_allows(g, RULES, four[:3], at(g, 5, 9))


def test_checker_measures_the_hours_over_the_cap() -> None:
    g = group(RULES, max_hours_week=30)
    (violation,) = judged(RULES, g, [at(g, day, 9) for day in range(5)], "max_hours_week")
    assert violation.amount == 7.5 and violation.unit == "hours"
    assert judged(RULES, g, [at(g, day, 9) for day in range(4)], "max_hours_week") == []
