"""Stage 3's last pass: agents moved, slot by slot, from a queue above its requirement to a short
one they are skilled for."""

from __future__ import annotations

import numpy as np

from wfm.roster.assign import Assignment
from wfm.roster.candidates import WEEK_SLOTS, Shift
from wfm.roster.cover import PlacedShift, cover_short, cover_short_from_email, email_in_time
from wfm.roster.coverage import email_service
from wfm.roster.demand import QueueDemand
from wfm.roster.rules import Blocks
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
    cover_short(placed, demands)
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
    cover_short(placed, demands)
    assert [p.activity for p in placed] == [["chat-en", "chat-en"], ["chat-es", "chat-es"], ["chat-en", "chat-en"]]


def test_an_agent_held_to_one_queue_stays_there() -> None:
    demands = [_demand("phone-en", "phone", 1), _demand("phone-es", "phone", 1)]
    placed = [
        _placed("A", ("phone-en", "phone-es"), ["phone-en"], queue="phone-en"),
        _placed("B", ("phone-en",), ["phone-en"]),
    ]
    cover_short(placed, demands)
    assert [p.activity for p in placed] == [["phone-en"], ["phone-en"]]


def _email(work_slots: list[int], deadline_hours: float) -> QueueDemand:
    """An email queue with one agent-slot of work (at occupancy 1) arriving in each of `work_slots`."""
    contacts = np.zeros(WEEK_SLOTS)
    contacts[work_slots] = 3.0
    queue = QueueConfig(name="email-en", channel="email", timezone="UTC", respond_within_hours=deadline_hours)
    required = np.zeros(WEEK_SLOTS, dtype=int)
    return QueueDemand(queue=queue, required=required, contacts=contacts, aht_seconds=np.full(WEEK_SLOTS, 300.0))


def test_email_gives_an_agent_to_a_short_phone_queue_while_its_deadline_holds() -> None:
    """One agent for phone-en and email-en on email for 8 slots; phone-en needs one agent in
    slots 0-3 and email has 2 agent-slots of work from slot 0, due in 24 h: the first 4 slots go
    to phone-en and email is still answered in time by the last 4."""
    phone = QueueDemand(
        queue=QueueConfig(name="phone-en", channel="phone", timezone="UTC"),
        required=np.where(np.arange(WEEK_SLOTS) < 4, 1, 0),
        contacts=np.where(np.arange(WEEK_SLOTS) < 4, 10.0, 0.0),
        aht_seconds=np.full(WEEK_SLOTS, 300.0),
    )
    placed = [_placed("A", ("email-en", "phone-en"), ["email-en"] * 8)]
    cover_short_from_email(placed, [phone, _email([0, 1], 24)], {"phone-en": 1.0, "email-en": 1.0}, None)
    assert placed[0].activity == ["phone-en"] * 4 + ["email-en"] * 4


def test_email_keeps_its_agent_where_a_move_would_make_it_late() -> None:
    """The same, but email's 8 agent-slots of work arrive in slot 0 with a 1-hour deadline (an
    interval's emails count as answered when the work reaches their middle): the first 4 slots
    are needed in time, so phone-en stays short."""
    phone = QueueDemand(
        queue=QueueConfig(name="phone-en", channel="phone", timezone="UTC"),
        required=np.where(np.arange(WEEK_SLOTS) < 4, 1, 0),
        contacts=np.where(np.arange(WEEK_SLOTS) < 4, 10.0, 0.0),
        aht_seconds=np.full(WEEK_SLOTS, 300.0),
    )
    email = _email([0], 1)
    email.contacts[0] = 24.0  # 8 agent-slots of work
    placed = [_placed("A", ("email-en", "phone-en"), ["email-en"] * 8)]
    cover_short_from_email(placed, [phone, email], {"phone-en": 1.0, "email-en": 1.0}, None)
    assert placed[0].activity == ["email-en"] * 8


def _phone(required: int, busy_slots: int) -> QueueDemand:
    return QueueDemand(
        queue=QueueConfig(name="phone-en", channel="phone", timezone="UTC"),
        required=np.where(np.arange(WEEK_SLOTS) < busy_slots, required, 0),
        contacts=np.where(np.arange(WEEK_SLOTS) < busy_slots, 10.0, 0.0),
        aht_seconds=np.full(WEEK_SLOTS, 300.0),
    )


def _in_time(placed: list[PlacedShift], email: QueueDemand) -> int:
    agents = np.zeros(WEEK_SLOTS)
    for p in placed:
        for j, activity in enumerate(p.activity):
            agents[p.first_slot + j] += activity == email.name
    level, _ = email_service(email.queue, email.contacts, email.aht_seconds, agents, 15, 1.0)
    return int(((level >= 1.0) & (email.contacts > 0)).sum())


def test_a_tight_team_trades_phone_slots_for_email_that_would_miss_its_deadline() -> None:
    """Phone-en needs both agents all week, so nobody is spare; email's 4 agent-slots of work
    (slots 0-3, due within an hour) would all be late. Each of phone's 672 busy slots is worth
    1/672 of its share, each of email's 4 worth 1/4 of email's: A (in blocks of 4 slots) gives
    phone four slots and every email interval is answered in time."""
    email = _email([0, 1, 2, 3], 1)
    placed = [
        _placed("A", ("email-en", "phone-en"), ["phone-en"] * 8),
        _placed("B", ("email-en", "phone-en"), ["phone-en"] * 8),
    ]
    assert _in_time(placed, email) == 0
    phone = _phone(2, WEEK_SLOTS)
    email_in_time(placed, email, [phone, email], 1.0, Blocks(min_slots=4, max_switches=2))
    assert _in_time(placed, email) == 4
    assert sum(a == "email-en" for p in placed for a in p.activity) == 4
    assert all(p.activity in (["phone-en"] * 8, ["email-en"] * 4 + ["phone-en"] * 4) for p in placed)


def test_no_trade_where_phone_loses_more_of_its_share_than_email_gains() -> None:
    """Phone-en is busy in two slots only (each half its share), email in ten (each a tenth):
    one slot of A's on email would bring one email interval in time and cost phone one of two,
    so A stays on phone and email stays late."""
    email = _email(list(range(10)), 0.5)
    placed = [_placed("A", ("email-en", "phone-en"), ["phone-en"] * 2)]
    email_in_time(placed, email, [_phone(1, 2), email], 1.0)
    assert placed[0].activity == ["phone-en"] * 2
