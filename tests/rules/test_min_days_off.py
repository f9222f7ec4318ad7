"""min_days_off: days worked (one shift a day) leave the profile's days off."""

from __future__ import annotations

import pytest
from tiny import assign, at, greedy_allows, group, judged, profile, week_model_most, worked, workspace

from wfm.errors import InfeasibleError
from wfm.roster.explain import check_contracts

RULES = profile(hours={"min_days_off_per_week": 2})
SOFT = profile(soft={"min_days_off": 4}, hours={"min_days_off_per_week": 2})


def test_week_model_works_five_days() -> None:
    assert week_model_most(group(RULES), RULES, lambda s: True) == 5
    assert week_model_most(group(SOFT), SOFT, lambda s: True) == 7


def test_assignment_drops_the_sixth_and_seventh_day() -> None:
    g = group(RULES, size=2)
    result = assign(g, RULES, [at(g, day, 9) for day in range(7)] * 2)
    assert result.dropped == 4 and len(worked(result, "A1")) == 5
    assert assign(g, SOFT, [at(g, day, 9) for day in range(7)] * 2).soft_violations == {"min_days_off": 4}


def test_greedy_refuses_a_sixth_day() -> None:
    g = group(RULES)
    five = [at(g, day, 9) for day in range(5)]
    assert not greedy_allows(g, RULES, five, at(g, 6, 9))
    assert greedy_allows(g, RULES, five[:4], at(g, 6, 9))


def test_checker_counts_the_day_off_missing() -> None:
    g = group(RULES)
    (violation,) = judged(RULES, g, [at(g, day, 9) for day in range(6)], "min_days_off")
    assert violation.amount == 1 and violation.unit == "days"


def test_a_contract_beyond_the_days_is_explained_by_the_core() -> None:
    rules = profile(hours={"min_days_off_per_week": 3})  # four days of 7.5 h: 30 h
    g = group(rules, min_hours_week=32)
    with pytest.raises(InfeasibleError) as caught:
        check_contracts([g], workspace(rules, g.agents))
    (reason,) = caught.value.reasons
    assert reason.startswith("min_hours_week: A1 contracted for 32 paid hours")
    assert "min_days_off (3)" in reason and "availability" not in reason
