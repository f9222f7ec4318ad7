"""start_grid: shifts start on the profile's grid of minutes."""

from __future__ import annotations

from tiny import group, judged, profile

from wfm.roster.candidates import Shift
from wfm.roster.rules import start_grid

RULES = profile(shifts={"lengths_hours": [8], "start_step_minutes": 45})


def test_candidates_start_on_the_grid() -> None:
    g = group(RULES)
    assert {s.start % 45 for s in g.shifts} == {0} and len({s.start for s in g.shifts}) == 7 * 32
    assert list(start_grid(RULES, -100, 100)) == [0, 45, 90]


def test_checker_names_a_start_off_the_grid() -> None:
    g = group(RULES)
    off = Shift(day=0, start=9 * 60 + 10, length=480, paid=450, night=False, band=0)
    (violation,) = judged(RULES, g, [off], "start_grid")
    assert violation.agent_id == "A1"
    assert judged(RULES, g, [0], "start_grid") == []
