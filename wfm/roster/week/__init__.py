"""Stage 1: the week model. How many agents of each group work each candidate shift, and how
much on-queue time of each skill set serves each queue in each 30-minute block, in tenths of an
agent; named agents are placed in stage 2 (`assign`), breaks and queues per slot in stage 3.

This is the aggregated ("tour") model of RESEARCH.md: integer counts per group instead of one
boolean per (agent, day, shift), so its size follows the kinds of agents, not headcount. Every
group's members are split into start bands the model chooses (`bands`); per band the week's
rules of `roster.rules` hold on its counts.

Objective, one integer sum (weights in `demand.ServiceWeights`): service shortfall by the
service it loses (convex cuts per queue and block) plus a flat cost for any shortfall at all,
email overdue, paid minutes, a small cost per night shift, and the costed excess of soft rules.

The rooms: `settings` (search control and every solver), `model` (variables with fix/extract,
rows), `build` (the model), `bands` (the rules per band), `service` (email), `pricing` (the
relaxation and column generation), `rounding` (diving, nearest whole roster, completion,
CP-SAT rounding), `search` (`solve_week`).
"""

from __future__ import annotations

from wfm.roster.week.build import _build
from wfm.roster.week.model import Column, Rounded, skill_sets_of
from wfm.roster.week.pricing import _relax, column_entries, neighbourhood, price_columns, reduced_cost
from wfm.roster.week.rounding import nearest_roster
from wfm.roster.week.search import WeekSolution, solve_week
from wfm.roster.week.service import email_targets
from wfm.roster.week.settings import Progress, SolveSettings

__all__ = [
    "Column",
    "Progress",
    "Rounded",
    "SolveSettings",
    "WeekSolution",
    "_build",
    "_relax",
    "column_entries",
    "email_targets",
    "nearest_roster",
    "neighbourhood",
    "price_columns",
    "reduced_cost",
    "skill_sets_of",
    "solve_week",
]
