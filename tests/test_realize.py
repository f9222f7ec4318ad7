"""Stage 3's last pass: agents moved, slot by slot, from a queue above its requirement to a short
one they are skilled for."""

from __future__ import annotations

import numpy as np

from wfm.roster.assign import Assignment
from wfm.roster.candidates import WEEK_SLOTS, Shift
from wfm.roster.demand import QueueDemand
from wfm.roster.realize import PlacedShift, _cover_short
from wfm.workspace import AgentConfig, QueueConfig


def _demand(name: str, channel: str, required: int) -> QueueDemand:
    queue = QueueConfig(name=name, channel=channel, timezone="UTC")
    return QueueDemand(
        queue=queue,
        required=np.full(WEEK_SLOTS, required),
        contacts=np.full(WEEK_SLOTS, 10.0),
        aht_seconds=np.full(WEEK_SLOTS, 300.0),
    )


def _placed(agent_id: str, skills: tuple[str, ...], activities: list[str], queue: str | None = None) -> PlacedShift:
    agent = AgentConfig(agent_id=agent_id, timezone="UTC", skills=skills)
    shift = Shift(day=0, start=0, length=15 * len(activities), paid=15 * len(activities), night=False, band=0)
    return PlacedShift(Assignment(agent, shift, queue), list(activities))


def test_an_agent_moves_from_a_queue_above_requirement_to_a_short_one() -> None:
    demands = [_demand("phone-en", "phone", 2), _demand("phone-es", "phone", 1), _demand("email-en", "email", 0)]
    placed = [
        _placed("A", ("phone-en",), ["phone-en", "phone-en"]),
        _placed("B", ("phone-en", "phone-es"), ["phone-en", "phone-en"]),
        _placed("C", ("phone-en", "phone-es"), ["phone-en", "break"]),
        _placed("D", ("phone-es", "email-en"), ["email-en", "email-en"]),
    ]
    _cover_short(placed, demands)
    slot0 = sorted((p.assignment.agent.agent_id, p.activity[0]) for p in placed)
    # slot 0: phone-en had 3 for 2, phone-es 0 for 1; B (first by id) moves; email keeps D
    assert slot0 == [("A", "phone-en"), ("B", "phone-es"), ("C", "phone-en"), ("D", "email-en")]
    # slot 1: phone-en has exactly 2 (A, B), so nobody can move without making it short
    assert [p.activity[1] for p in placed] == ["phone-en", "phone-en", "break", "email-en"]


def test_the_agent_already_on_the_short_queue_the_slot_before_moves_first() -> None:
    demands = [_demand("chat-en", "chat", 1), _demand("chat-es", "chat", 1)]
    placed = [
        _placed("A", ("chat-en", "chat-es"), ["chat-en", "chat-en"]),
        _placed("B", ("chat-en", "chat-es"), ["chat-es", "chat-en"]),
        _placed("C", ("chat-en",), ["chat-en", "chat-en"]),
    ]
    _cover_short(placed, demands)
    assert [p.activity for p in placed] == [["chat-en", "chat-en"], ["chat-es", "chat-es"], ["chat-en", "chat-en"]]


def test_an_agent_held_to_one_queue_stays_there() -> None:
    demands = [_demand("phone-en", "phone", 1), _demand("phone-es", "phone", 1)]
    placed = [
        _placed("A", ("phone-en", "phone-es"), ["phone-en"], queue="phone-en"),
        _placed("B", ("phone-en",), ["phone-en"]),
    ]
    _cover_short(placed, demands)
    assert [p.activity for p in placed] == [["phone-en"], ["phone-en"]]
