"""max_nights: night shifts (touching local 00:00–06:00) stay within the weekly cap."""

from __future__ import annotations

import datetime as dt

import pytest
from tiny import assign, at, greedy_allows, group, judged, profile, week_model_most, worked, workspace

from wfm.errors import InfeasibleError
from wfm.roster.explain import check_contracts

RULES = profile(nights={"max_per_week": 2})
SOFT = profile(soft={"max_nights": 8}, nights={"max_per_week": 2})


def test_week_model_carries_two_nights_a_person() -> None:
    g = group(RULES)
    assert week_model_most(g, RULES, lambda s: s.night) == 2
    assert week_model_most(g, SOFT, lambda s: s.night) == 7  # soft: the cap only costs


def test_assignment_drops_the_third_and_fourth_night() -> None:
    g = group(RULES, size=2)
    nights = [at(g, day, 22) for day in range(4)] * 2  # two agents wanted on four nights
    result = assign(g, RULES, nights)
    assert result.dropped == 4 and [len(worked(result, a)) for a in ("A1", "A2")] == [2, 2]
    soft = assign(g, SOFT, nights)
    assert soft.dropped == 0 and soft.soft_violations == {"max_nights": 4}


def test_greedy_refuses_a_third_night_but_not_a_day_shift() -> None:
    g = group(RULES)
    two = [at(g, 0, 22), at(g, 2, 22)]
    assert not greedy_allows(g, RULES, two, at(g, 4, 22))
    assert greedy_allows(g, RULES, two, at(g, 4, 9))
    assert greedy_allows(g, RULES, two[:1], at(g, 4, 22))


def test_checker_counts_the_night_over_the_cap() -> None:
    g = group(RULES)
    (violation,) = judged(RULES, g, [at(g, day, 22) for day in (0, 2, 4)], "max_nights")
    assert violation.amount == 1 and not violation.soft
    assert judged(RULES, g, [at(g, day, 22) for day in (0, 2)], "max_nights") == []


def test_a_contract_only_nights_could_meet_is_explained_by_the_cap() -> None:
    g = group(RULES, min_hours_week=30, available_from=dt.time(22, 0), available_to=dt.time(6, 0))
    with pytest.raises(InfeasibleError) as caught:
        check_contracts([g], workspace(RULES, g.agents))
    (reason,) = caught.value.reasons
    assert "max_nights (2)" in reason and "availability 22:00–06:00 on every local day" in reason
