"""shift_length: every shift has one of the profile's lengths."""

from __future__ import annotations

from tiny import group, judged, profile

from wfm.roster.candidates import Shift
from wfm.roster.rules import shift_length

RULES = profile(shifts={"lengths_hours": [6, 9], "start_step_minutes": 60})


def test_candidates_have_only_the_profiles_lengths_within_the_caps() -> None:
    assert {s.length for s in group(RULES).shifts} == {360, 540}
    assert shift_length(RULES, cap_minutes=400) == [(360, 360)]  # 9 h pays 8.5 h, over a 400-minute week


def test_checker_names_a_length_off_the_list() -> None:
    g = group(RULES)
    seven = Shift(day=0, start=9 * 60, length=420, paid=390, night=False, band=0)
    (violation,) = judged(RULES, g, [seven], "shift_length")
    assert violation.agent_id == "A1"
    assert judged(RULES, g, [0], "shift_length") == []
