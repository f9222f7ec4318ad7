"""skills: a person is on a queue only when it is among their skills."""

from __future__ import annotations

import numpy as np
import pytest
from tiny import CHAT, QUEUE, WEEK, agent, at, demand, group, profile, quiet_demand, realized, timeline, verdict

from wfm.errors import InputError
from wfm.roster.candidates import WEEK_SLOTS
from wfm.roster.greedy import greedy_roster
from wfm.roster.rules import skills

RULES = profile()
BOTH = ("phone-en", "chat-en")
MONDAY_DAY = np.where((np.arange(WEEK_SLOTS) >= 36) & (np.arange(WEEK_SLOTS) < 68), 1.0, 0.0)  # 09:00–17:00
CHAT_ONLY = [quiet_demand(), demand(CHAT, MONDAY_DAY)]


def test_a_queue_among_the_skills_and_no_other() -> None:
    assert skills(BOTH, "chat-en") and skills(("phone-en",), "phone-en")
    assert not skills(("phone-en",), "chat-en")


def test_greedy_staffs_a_queue_only_with_agents_skilled_for_it() -> None:
    assert greedy_roster([group(RULES)], CHAT_ONLY, RULES, WEEK) == []
    (only,) = greedy_roster([group(RULES, skills=BOTH)], CHAT_ONLY, RULES, WEEK)
    assert (only.queue, only.shift.start) == ("chat-en", 9 * 60)


def test_stage_3_moves_only_the_skilled_and_the_checker_agrees() -> None:
    for serves, queues in ((("phone-en",), {"phone-en"}), (BOTH, {"chat-en"})):
        g = group(RULES, skills=serves)
        frame = realized(RULES, g, [at(g, 0, 9)], CHAT_ONLY)
        assert set(frame["activity"]) - {"break", "lunch"} == queues
        assert verdict(RULES, g.agents, frame, "skills", queues=(QUEUE, CHAT)) == []


def test_checker_catches_a_minute_on_a_queue_the_agent_lacks() -> None:
    eight = [("phone-en", 240), ("chat-en", 1), ("phone-en", 239)]
    (violation,) = verdict(RULES, [agent()], timeline("A1", 9 * 60, eight), "skills", queues=(QUEUE, CHAT))
    assert (violation.amount, violation.unit, violation.soft) == (1, "minutes", False)
    both = agent(skills=BOTH)
    assert verdict(RULES, [both], timeline("A1", 9 * 60, eight), "skills", queues=(QUEUE, CHAT)) == []


def test_skills_are_always_hard() -> None:
    with pytest.raises(InputError, match=r"soft\.skills: not a rule that can be soft"):
        profile(soft={"skills": 1})
