"""availability: shifts lie inside the agent's daily window (in their clock)."""

from __future__ import annotations

import datetime as dt

import pytest
from tiny import group, judged, profile, week_model_most, workspace

from wfm.errors import InfeasibleError
from wfm.roster.candidates import Shift
from wfm.roster.explain import check_contracts

RULES = profile()
NINE_TO_FIVE = {"available_from": dt.time(9, 0), "available_to": dt.time(17, 0)}


def test_candidates_start_only_where_the_shift_fits_the_window() -> None:
    g = group(RULES, **NINE_TO_FIVE)
    assert {s.start % 1440 for s in g.shifts} == {9 * 60} and len(g.shifts) == 7
    assert week_model_most(g, RULES, lambda s: True) == 7


def test_checker_measures_the_minutes_outside() -> None:
    g = group(RULES, **NINE_TO_FIVE)
    late = Shift(day=0, start=10 * 60, length=480, paid=450, night=False, band=0)
    (violation,) = judged(RULES, g, [late], "availability")
    assert violation.amount == 60 and violation.unit == "minutes"
    assert judged(RULES, g, [0], "availability") == []


def test_a_window_shorter_than_any_shift_is_named_with_the_contract() -> None:
    g = group(RULES, min_hours_week=20, available_from=dt.time(22, 0), available_to=dt.time(2, 0))
    assert g.shifts == ()
    with pytest.raises(InfeasibleError) as caught:
        check_contracts([g], workspace(RULES, g.agents))
    (reason,) = caught.value.reasons
    assert "availability 22:00–02:00 on every local day" in reason
    assert "shorter than the shortest shift, 8 h: shift_length" in reason
