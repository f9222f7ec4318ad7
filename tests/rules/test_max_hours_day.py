"""max_hours_day: paid hours of the shifts starting on one local day within the daily cap; the
roster keeps it with candidates inside the cap and one shift a local day."""

from __future__ import annotations

from tiny import assign, at, greedy_allows, group, judged, profile, week_model_most

RULES = profile(
    shifts={"lengths_hours": [4, 8], "start_step_minutes": 60}, hours={"max_per_day": 6, "min_rest_between_shifts": 0}
)


def test_no_candidate_shift_is_longer_than_the_day_allows() -> None:
    assert {s.length for s in group(RULES).shifts} == {240}


def test_week_model_starts_one_shift_a_day() -> None:
    assert week_model_most(group(RULES), RULES, lambda s: s.day == 0) == 1


def test_assignment_drops_a_second_shift_on_one_day() -> None:
    g = group(RULES, size=2)
    assert assign(g, RULES, [at(g, 0, 0, 4), at(g, 0, 12, 4)] * 2).dropped == 2


def test_greedy_refuses_a_second_shift_on_one_day() -> None:
    g = group(RULES)
    assert not greedy_allows(g, RULES, [at(g, 0, 0, 4)], at(g, 0, 12, 4))
    assert greedy_allows(g, RULES, [at(g, 0, 0, 4)], at(g, 1, 0, 4))


def test_checker_measures_the_hours_over_the_day() -> None:
    g = group(RULES)
    (violation,) = judged(RULES, g, [at(g, 0, 0, 4), at(g, 0, 12, 4)], "max_hours_day")
    assert violation.amount == 2 and violation.unit == "hours"
