"""max_switches: with `[blocks]`, a shift changes queue at most `max_switches` times."""

from __future__ import annotations

import numpy as np
from tiny import CHAT, QUEUE, agent, at, demand, group, profile, realized, timeline, verdict

from wfm.roster.blocks import improve_blocks, keeps_blocks, queue_runs
from wfm.roster.candidates import WEEK_SLOTS
from wfm.roster.demand import QueueDemand
from wfm.roster.rules import Blocks, max_switches

BLOCKS = {"min_minutes": 15, "max_switches": 2}  # blocks of a quarter hour: only the switches bind
RULES = profile(blocks=BLOCKS)
SOFT = profile(soft={"max_switches": 3}, blocks=BLOCKS)
BOTH = ("phone-en", "chat-en")
QUEUES = (QUEUE, CHAT)


def _hourly() -> list[QueueDemand]:
    """phone-en and chat-en each need the agent in alternate hours of Monday 09:00–17:00."""
    slot = np.arange(WEEK_SLOTS)
    shift = (slot >= 36) & (slot < 68)
    odd = slot // 4 % 2 == 1
    return [demand(QUEUE, (shift & odd).astype(float)), demand(CHAT, (shift & ~odd).astype(float))]


def test_a_shift_keeps_the_cap_on_its_queue_changes() -> None:
    limits = Blocks(min_slots=1, max_switches=2)
    assert max_switches(limits, 2) and not max_switches(limits, 3)
    three = ["phone-en", "chat-en", "phone-en", "break", "chat-en"]  # a break between blocks is no switch
    assert keeps_blocks(three[:3], limits) and not keeps_blocks(three, limits)


def test_the_queue_sequence_is_chosen_within_the_switches() -> None:
    """Twelve on-queue slots; phone-en needs the agent in the first and last four, chat-en in the
    four between, and the shift starts all on chat-en. Two switches reach all twelve; one
    switch reaches eight, either way round."""
    slot = np.arange(WEEK_SLOTS)
    phone, chat = (slot < 4) | ((slot >= 8) & (slot < 12)), (slot >= 4) & (slot < 8)
    demands = [demand(QUEUE, phone.astype(float)), demand(CHAT, chat.astype(float))]
    two = [["chat-en"] * 12]
    improve_blocks(two, [0], [BOTH], demands, Blocks(min_slots=1, max_switches=2))
    assert two[0] == ["phone-en"] * 4 + ["chat-en"] * 4 + ["phone-en"] * 4
    one = [["chat-en"] * 12]
    improve_blocks(one, [0], [BOTH], demands, Blocks(min_slots=1, max_switches=1))
    reached = sum((queue == "phone-en") == bool(phone[t]) for t, queue in enumerate(one[0]))
    assert len(queue_runs(one[0])) == 2 and reached == 8


def test_stage_3_switches_no_more_than_allowed_and_the_checker_agrees() -> None:
    g = group(RULES, skills=BOTH)
    frame = realized(RULES, g, [at(g, 0, 9)], _hourly())
    assert set(frame["activity"]) >= {"phone-en", "chat-en"}
    assert verdict(RULES, g.agents, frame, "max_switches", queues=QUEUES) == []
    assert realized(SOFT, g, [at(g, 0, 9)], _hourly()).equals(frame)  # soft: the roster keeps it all the same
    loose = realized(profile(), g, [at(g, 0, 9)], _hourly())  # the case binds: without blocks it follows the hours
    (violation,) = verdict(RULES, g.agents, loose, "max_switches", queues=QUEUES)
    assert violation.amount >= 3


def test_checker_catches_one_switch_over_the_cap_hard_or_soft() -> None:
    both = agent(skills=BOTH)
    two = [("phone-en", 60), ("chat-en", 60), ("phone-en", 360)]
    assert verdict(RULES, [both], timeline("A1", 9 * 60, two), "max_switches", queues=QUEUES) == []
    three = [("phone-en", 60), ("chat-en", 60), ("phone-en", 60), ("chat-en", 300)]
    for rules, soft in ((RULES, False), (SOFT, True)):
        (violation,) = verdict(rules, [both], timeline("A1", 9 * 60, three), "max_switches", queues=QUEUES)
        assert (violation.amount, violation.unit, violation.soft) == (1, "switches", soft)
