"""Queue blocks (FORMATS.md 0.2): the checker's min_block and max_switches on hand-made rosters,
and stage 3's queue choice keeping blocks on a tiny case where they bind."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.test_check_rules import NYC, WEEK, agent, make_workspace, roster, shift, utc
from wfm.check import check_roster
from wfm.roster.assign import Assignment
from wfm.roster.blocks import Blocks, improve_blocks, keeps_blocks, queue_runs
from wfm.roster.candidates import WEEK_SLOTS, Shift
from wfm.roster.cover import PlacedShift, cover_short_blocks
from wfm.roster.demand import QueueDemand
from wfm.roster.realize import _assign_queues
from wfm.workspace import AgentConfig, QueueConfig

BLOCKS = {"min_minutes": 60, "max_switches": 2}
BOTH = {"skills": "phone-en|chat-en"}


def _checked(tmp_path: Path, plan: list[tuple[str, int]], soft: dict[str, float] | None = None) -> list[tuple[str, float, bool]]:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC, **BOTH)], soft=soft, blocks=BLOCKS)
    found = check_roster(ws, roster(shift("NYC-01", NYC, utc("2026-11-30T14:00Z"), plan)), WEEK)
    return [(v.rule, v.amount, v.soft) for v in found]


def test_a_45_minute_block_is_min_block_short_by_15(tmp_path: Path) -> None:
    plan = [("phone-en", 120), ("break", 15), ("phone-en", 75), ("lunch", 30), ("chat-en", 45), ("phone-en", 195)]
    assert _checked(tmp_path, plan) == [("min_block", 15, False)]


def test_a_break_inside_a_block_neither_ends_it_nor_counts(tmp_path: Path) -> None:
    # chat-en 30 min, break, chat-en 30 min: one block of 60 on-queue minutes, 2 switches
    plan = [("phone-en", 90), ("chat-en", 30), ("break", 15), ("chat-en", 30), ("phone-en", 75), ("lunch", 30), ("phone-en", 210)]
    assert _checked(tmp_path, plan) == []
    # 15 + 30 on chat around the break is 45 min on queue: short
    plan = [
        ("phone-en", 105),
        ("chat-en", 15),
        ("break", 15),
        ("chat-en", 30),
        ("phone-en", 75),
        ("lunch", 30),
        ("phone-en", 210),
    ]
    assert _checked(tmp_path, plan) == [("min_block", 15, False)]


def test_three_switches_break_max_switches_by_one(tmp_path: Path) -> None:
    plan = [("phone-en", 60), ("chat-en", 60), ("break", 15), ("phone-en", 75), ("lunch", 30), ("chat-en", 240)]
    assert _checked(tmp_path, plan) == [("max_switches", 1, False)]


def test_soft_block_rules_are_marked_soft(tmp_path: Path) -> None:
    plan = [("phone-en", 60), ("chat-en", 60), ("break", 15), ("phone-en", 75), ("lunch", 30), ("chat-en", 30), ("phone-en", 210)]
    found = _checked(tmp_path, plan, soft={"min_block": 1, "max_switches": 2})
    assert found == [("max_switches", 2, True), ("min_block", 30, True)]  # 4 switches, a 30-minute chat block


def test_without_blocks_in_the_profile_nothing_is_judged(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, [agent("NYC-01", NYC, **BOTH)])
    plan = [
        ("phone-en", 15),
        ("chat-en", 15),
        ("phone-en", 90),
        ("break", 15),
        ("phone-en", 75),
        ("lunch", 30),
        ("phone-en", 240),
    ]
    assert check_roster(ws, roster(shift("NYC-01", NYC, utc("2026-11-30T14:00Z"), plan)), WEEK) == []


def _demand(name: str, channel: str, required: np.ndarray) -> QueueDemand:
    return QueueDemand(
        queue=QueueConfig(name=name, channel=channel, timezone="UTC"),
        required=required,
        contacts=np.where(required > 0, 10.0, 0.0),
        aht_seconds=np.full(WEEK_SLOTS, 300.0),
    )


def test_queue_choice_keeps_blocks_where_the_plan_flips_every_quarter_hour() -> None:
    """One agent for phone-en and chat-en, 4 h with a break after 2 h; the plan asks for the
    other queue every slot. Without blocks it would switch 14 times; with 60-minute blocks and
    2 switches every block holds ≥ 4 on-queue slots and there are at most 2 switches."""
    slots = 17
    flip = np.zeros(WEEK_SLOTS)
    flip[:slots:2] = 1
    planned = {("chat-en", 0): flip.copy(), ("phone-en", 0): np.where(np.arange(WEEK_SLOTS) < slots, 1 - flip, 0)}
    demands = [_demand("chat-en", "chat", flip), _demand("phone-en", "phone", planned["phone-en", 0])]
    activity = [""] * 8 + ["break"] + [""] * 8
    person = AgentConfig(agent_id="A", timezone="UTC", skills=("chat-en", "phone-en"))
    placed = [
        PlacedShift(Assignment(person, Shift(day=0, start=0, length=15 * slots, paid=15 * slots, night=False, band=0)), activity)
    ]
    blocks = Blocks(min_slots=4, max_switches=2)
    _assign_queues(placed, [0], demands, planned, [("chat-en", "phone-en")], blocks)
    cover_short_blocks(placed, demands, blocks)
    runs = queue_runs(placed[0].activity)
    assert placed[0].activity[8] == "break"
    assert len(runs) - 1 <= 2 and all(size >= 4 for _, size in runs), runs
    assert sum(size for _, size in runs) == 16
    assert keeps_blocks(placed[0].activity, blocks)
    free = [PlacedShift(placed[0].assignment, [""] * 8 + ["break"] + [""] * 8)]
    _assign_queues(free, [0], demands, planned, [("chat-en", "phone-en")], None)
    assert len(queue_runs(free[0].activity)) - 1 > 2  # the case binds: without blocks it switches more


def test_keeps_blocks_allows_one_short_block_alone() -> None:
    blocks = Blocks(min_slots=4, max_switches=1)
    assert keeps_blocks(["phone-en", "break", "phone-en"], blocks)
    assert not keeps_blocks(["phone-en"] * 4 + ["chat-en"] * 3, blocks)
    assert not keeps_blocks(["phone-en"] * 4 + ["chat-en"] * 4 + ["phone-en"] * 4, blocks)


def _need(slots: range) -> np.ndarray:
    required = np.zeros(WEEK_SLOTS)
    required[slots.start : slots.stop] = 1
    return required


def test_a_shift_takes_the_queue_sequence_that_brings_most_slots_to_requirement() -> None:
    """Two agents for phone-en and phone-es, 8 on-queue slots each. phone-en needs one agent in
    slots 0-7, phone-es one in slots 4-11. Agent A (slots 0-7) sits on phone-es, B (4-11) on
    phone-en: 4 of 16 busy slots reached (slots 4-7 twice over). Re-chosen one shift at a time,
    every busy slot is at its requirement and both shifts keep their blocks."""
    demands = [_demand("phone-en", "phone", _need(range(0, 8))), _demand("phone-es", "phone", _need(range(4, 12)))]
    activities = [["phone-es"] * 8, ["phone-en"] * 8]
    changed = improve_blocks(activities, [0, 4], [("phone-en", "phone-es")] * 2, demands, Blocks(min_slots=4, max_switches=2))
    assert changed == 2
    on = {(q, first + j) for a, first in zip(activities, [0, 4], strict=True) for j, q in enumerate(a)}
    assert {("phone-en", t) for t in range(8)} | {("phone-es", t) for t in range(4, 12)} <= on
    assert all(keeps_blocks(a, Blocks(min_slots=4, max_switches=2)) for a in activities)


def test_re_chosen_queues_keep_blocks_and_leave_email_where_it_is() -> None:
    """One agent, 8 phone slots, a break, then 4 email slots (placed by the deadline pass):
    phone-en needs it in slots 0-3, phone-es in 4-7, and it sits on phone-es (4 of 8 reached).
    With 2 switches it takes phone-en then phone-es then email (all 8); with 1 switch, the move
    to email already uses it, so the shift stays as it is. Email stays where it was."""
    demands = [_demand("phone-en", "phone", _need(range(0, 4))), _demand("phone-es", "phone", _need(range(4, 8)))]
    activity = ["phone-es"] * 8 + ["break"] + ["email-en"] * 4
    choices = [("email-en", "phone-en", "phone-es")]
    for switches, expected in ((2, ["phone-en"] * 4 + ["phone-es"] * 4), (1, ["phone-es"] * 8)):
        activities = [list(activity)]
        improve_blocks(activities, [0], choices, demands, Blocks(min_slots=4, max_switches=switches))
        assert activities[0][:8] == expected
        assert activities[0][8:] == ["break"] + ["email-en"] * 4
        assert keeps_blocks(activities[0], Blocks(min_slots=4, max_switches=switches))
