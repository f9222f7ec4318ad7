"""comparison.csv and the whole result of a what-if run.

comparison.csv has one row per scenario and queue; `agents_scheduled` (agents with at least one
shift) and `paid_hours` are whole-scenario figures, repeated on each of its queue rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from wfm.summary import QueueSummary
from wfm.whatif.questions import Answer
from wfm.whatif.scenarios import Scenario

if TYPE_CHECKING:
    from wfm.pipeline import PlanResult

COMPARISON_COLUMNS = (
    "scenario",
    "queue",
    "contacts",
    "service_level",
    "intervals_meeting_target",
    "required_hours",
    "scheduled_hours",
    "agents_scheduled",
    "paid_hours",
)


def comparison_rows(name: str, result: PlanResult, interval_minutes: int) -> pd.DataFrame:
    """comparison.csv rows of one scenario: one per queue, whole-scenario figures repeated."""
    cov = result.roster.coverage
    hours = interval_minutes / 60
    summary = result.plan_summary
    rows = []
    for queue, part in cov.groupby("queue", sort=False):
        figures = summary.queues.get(str(queue)) or QueueSummary(service_level=None, target=0.0, intervals_meeting_target=None)
        # Sums from coverage, unrounded (summary.json rounds them to a tenth).
        rows.append(
            {
                "scenario": name,
                "queue": queue,
                "contacts": float(part["contacts"].sum()) if "contacts" in part else figures.contacts,
                "service_level": figures.service_level,
                "intervals_meeting_target": figures.intervals_meeting_target,
                "required_hours": float(part["required"].sum()) * hours,
                "scheduled_hours": float(part["scheduled"].sum()) * hours,
                "agents_scheduled": int(summary.headcount_used),
                "paid_hours": float(summary.paid_hours),
            }
        )
    return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))


def comparison_frame(results: Sequence[tuple[str, PlanResult]], interval_minutes: int) -> pd.DataFrame:
    frames = [comparison_rows(name, result, interval_minutes) for name, result in results]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(COMPARISON_COLUMNS))


@dataclass
class WhatifResult:
    """Everything `wfm whatif` writes: scenario runs in file order, then the answers."""

    week: dt.date
    scenarios: list[tuple[Scenario, PlanResult]]
    answers: list[Answer]
    workers_per_solve: int
    mode: str
    seconds: float

    @property
    def runs(self) -> list[tuple[str, str, Scenario, PlanResult]]:
        """(label, plan folder, scenario, result) for every column of the comparison."""
        out = [(s.name, s.slug, s, r) for s, r in self.scenarios]
        out += [(a.label, a.question.slug, a.scenario, a.result) for a in self.answers]
        return out

    def comparison(self, interval_minutes: int) -> pd.DataFrame:
        return comparison_frame([(label, result) for label, _, _, result in self.runs], interval_minutes)
