"""min_block: with `[blocks]`, every queue block of a shift holds `min_minutes` on queue, unless it is
the shift's only block; a break or lunch inside a block neither ends it nor counts toward it."""

from __future__ import annotations

import numpy as np
from tiny import CHAT, QUEUE, agent, at, demand, group, profile, realized, timeline, verdict

from wfm.roster.blocks import keeps_blocks
from wfm.roster.candidates import WEEK_SLOTS
from wfm.roster.demand import QueueDemand
from wfm.roster.rules import Blocks, block_limits, min_block

BLOCKS = {"min_minutes": 60, "max_switches": 2}
RULES = profile(blocks=BLOCKS)
SOFT = profile(soft={"min_block": 2}, blocks=BLOCKS)
BOTH = ("phone-en", "chat-en")
QUEUES = (QUEUE, CHAT)


def _flipping() -> list[QueueDemand]:
    """phone-en and chat-en each need the agent in alternate quarter hours of Monday 09:00–17:00."""
    slot = np.arange(WEEK_SLOTS)
    shift = (slot >= 36) & (slot < 68)
    return [demand(QUEUE, (shift & (slot % 2 == 0)).astype(float)), demand(CHAT, (shift & (slot % 2 == 1)).astype(float))]


def test_a_block_is_long_enough_at_min_minutes_or_alone() -> None:
    limits = block_limits(RULES)
    assert limits == Blocks(min_slots=4, max_switches=2) and block_limits(profile()) is None
    assert not min_block(limits, 3) and min_block(limits, 4) and min_block(limits, 1, only=True)
    assert keeps_blocks(["phone-en"] * 2 + ["break"] + ["phone-en"] * 2 + ["chat-en"] * 4, limits)
    assert not keeps_blocks(["phone-en"] * 4 + ["chat-en"] * 3 + ["lunch"] * 2, limits)  # lunch does not count
    assert keeps_blocks(["chat-en"] * 3, limits)  # the shift's only block


def test_stage_3_keeps_blocks_where_the_queues_want_a_switch_every_quarter_hour() -> None:
    g = group(RULES, skills=BOTH)
    frame = realized(RULES, g, [at(g, 0, 9)], _flipping())
    assert set(frame["activity"]) >= {"phone-en", "chat-en"}
    assert verdict(RULES, g.agents, frame, "min_block", queues=QUEUES) == []
    # Soft, the roster still keeps them (the weight only prices the checker's line).
    assert realized(SOFT, g, [at(g, 0, 9)], _flipping()).equals(frame)
    loose = realized(profile(), g, [at(g, 0, 9)], _flipping())  # the case binds: without blocks, 15-minute ones
    assert {v.amount for v in verdict(RULES, g.agents, loose, "min_block", queues=QUEUES)} >= {45}


def test_checker_catches_a_block_a_minute_short_hard_or_soft() -> None:
    both = agent(skills=BOTH)
    whole = [("phone-en", 60), ("chat-en", 60), ("phone-en", 360)]
    assert verdict(RULES, [both], timeline("A1", 9 * 60, whole), "min_block", queues=QUEUES) == []
    short = [("phone-en", 60), ("chat-en", 59), ("phone-en", 361)]
    for rules, soft in ((RULES, False), (SOFT, True)):
        (violation,) = verdict(rules, [both], timeline("A1", 9 * 60, short), "min_block", queues=QUEUES)
        assert (violation.amount, violation.unit, violation.soft) == (1, "minutes", soft)
    paused = [("phone-en", 60), ("chat-en", 30), ("break", 15), ("chat-en", 29), ("phone-en", 346)]
    (violation,) = verdict(RULES, [both], timeline("A1", 9 * 60, paused), "min_block", queues=QUEUES)
    assert violation.amount == 1  # the break inside neither ends the block nor counts toward it
    alone = [("chat-en", 30)]
    assert verdict(RULES, [both], timeline("A1", 9 * 60, alone), "min_block", queues=QUEUES) == []
