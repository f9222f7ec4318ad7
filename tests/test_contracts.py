"""Contracted minimums the greedy roster must reach where a legal week exists: the contract
fill looks ahead with the nights left and the agent's own start band, not every shift length."""

from __future__ import annotations

import datetime as dt

import numpy as np

from wfm.roster.candidates import WEEK_SLOTS, make_groups
from wfm.roster.demand import QueueDemand
from wfm.roster.greedy import greedy_roster
from wfm.rules import load_rules
from wfm.workspace import AgentConfig, QueueConfig

WEEK = dt.date(2026, 10, 5)  # no DST change in Chicago


def test_an_evening_window_across_midnight_reaches_its_contract_without_nights() -> None:
    """16:00-02:00 in Chicago, 36 h contracted, default rules (8/9/10 h shifts, 40 h cap, two
    nights, a night touching 00:00-06:00): only the 8 h shift from 16:00 is not a night, so the
    week is five of them (37.5 h), or at most two longer nights beside three of them. Taking the
    longest shifts first left 19 h after two nights and no legal way to 36 (the contract was
    reported impossible, exit 3, on drawn worlds 18, 22, 25 and 33 of the sweep)."""
    rules = load_rules("default")
    agent = AgentConfig(
        agent_id="CHI-0006",
        timezone="America/Chicago",
        skills=("phone-en",),
        min_hours_week=36,
        available_from=dt.time(16, 0),
        available_to=dt.time(2, 0),
    )
    groups = make_groups([agent], rules, WEEK)
    quiet = QueueDemand(
        queue=QueueConfig(name="phone-en", channel="phone", timezone="UTC"),
        required=np.zeros(WEEK_SLOTS, dtype=int),
        contacts=np.zeros(WEEK_SLOTS),
        aht_seconds=np.full(WEEK_SLOTS, 300.0),
    )
    roster = greedy_roster(groups, [quiet], rules, WEEK)
    paid = sum(a.shift.paid for a in roster)
    assert 36 * 60 <= paid <= 40 * 60
    assert sum(a.shift.night for a in roster) <= rules.nights.max_per_week
    assert len({a.shift.day for a in roster}) == len(roster) <= 5
