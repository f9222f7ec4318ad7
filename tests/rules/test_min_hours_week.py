"""min_hours_week: paid hours of the week reach the agent's contracted minimum."""

from __future__ import annotations

import pytest
from tiny import WEEK, assign, at, group, judged, profile, quiet_demand, week_model_most, worked, workspace

from wfm.errors import InfeasibleError
from wfm.roster.explain import check_contracts
from wfm.roster.greedy import greedy_roster

RULES = profile()  # 8-h shifts: 7.5 paid hours each
SOFT = profile(soft={"min_hours_week": 2})


def test_week_model_works_four_shifts_for_thirty_hours() -> None:
    assert week_model_most(group(RULES, min_hours_week=30), RULES, lambda s: True, fewest=True) == 4
    assert week_model_most(group(SOFT, min_hours_week=30), SOFT, lambda s: True, fewest=True) == 0


def test_assignment_adds_shifts_to_reach_the_contract() -> None:
    g = group(RULES, size=2, min_hours_week=30)
    result = assign(g, RULES, [])
    assert result.added == 8
    assert [sum(s.paid for s in worked(result, a)) for a in ("A1", "A2")] == [1800, 1800]


def test_greedy_plans_the_contract_without_demand() -> None:
    g = group(RULES, min_hours_week=30)
    roster = greedy_roster([g], [quiet_demand()], RULES, WEEK)
    assert sum(a.shift.paid for a in roster) == 1800


def test_checker_measures_the_hours_missing() -> None:
    g = group(RULES, min_hours_week=30)
    (violation,) = judged(RULES, g, [at(g, day, 9) for day in range(3)], "min_hours_week")
    assert violation.amount == 7.5 and violation.unit == "hours"


def test_days_unavailable_that_leave_too_few_days_are_named() -> None:
    g = group(RULES, min_hours_week=30, weekdays_unavailable=frozenset({0, 1, 2, 3}))  # Friday to Sunday: 22.5 h
    with pytest.raises(InfeasibleError) as caught:
        check_contracts([g], workspace(RULES, g.agents))
    (reason,) = caught.value.reasons
    assert reason.startswith("min_hours_week: A1 contracted for 30 paid hours, which clashes with days_unavailable")
    assert "Mon 30 Nov, Tue 01 Dec, Wed 02 Dec, Thu 03 Dec" in reason
    assert "max_hours_day" in reason  # a longer shift, or two a day, would reach it
