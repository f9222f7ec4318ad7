"""How the benchmarks score a roster: one place for bench_roster.py and bench_worlds.py.

- `paid_hours`: the roster's paid time (shift minus lunch), from its rows.
- `voice_on_target`: the share of phone/chat intervals meeting target, averaged over the phone
  and chat queues (a queue with no contacts has no share and is left out), from any per-queue
  summary with `channel` and `intervals_meeting_target` (`coverage_summary`, summary.json).
- `email_in_time`: the worst email queue's share of emails answered within the deadline.
- `score_against`: a roster against requirements it was not necessarily made for (a world's
  true demand): coverage with wfm's own `coverage_frame`, paid hours over the lower bound
  (`wfm.pipeline.lower_bound_paid_hours`, the figure summary.json reports as
  `lower_bound_paid_hours`) of those requirements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.pipeline import lower_bound_paid_hours, read_forecast
from wfm.requirements import compute_requirements
from wfm.roster.coverage import coverage_frame, coverage_summary
from wfm.workspace import Workspace


def paid_hours(roster: pd.DataFrame) -> float:
    work = roster[roster["activity"] != "lunch"]
    return float(((work["end"] - work["start"]).dt.total_seconds() / 3600).sum())


def voice_on_target(queues: Mapping[str, Mapping[str, Any]], channels: Mapping[str, str] | None = None) -> float | None:
    """Mean over phone/chat queues of the share of intervals on target; None without any.

    `channels` (queue → channel) is for summaries whose entries lack `channel` (summary.json's
    "baseline")."""
    shares = []
    for name, figures in queues.items():
        channel = figures.get("channel") if channels is None else channels.get(name)
        value = figures.get("intervals_meeting_target")
        if channel in ("phone", "chat") and value is not None and figures.get("contacts", 1) > 0:
            shares.append(float(value))
    return sum(shares) / len(shares) if shares else None


def email_in_time(queues: Mapping[str, Mapping[str, Any]], channels: Mapping[str, str] | None = None) -> float | None:
    """The lowest share answered within the deadline over email queues; None without any."""
    levels = [
        float(figures["service_level"])
        for name, figures in queues.items()
        if (figures.get("channel") if channels is None else channels.get(name)) == "email"
        and figures.get("service_level") is not None
    ]
    return min(levels) if levels else None


def true_requirements(ws: Workspace, world: Path) -> pd.DataFrame:
    """wfm's requirements stage run on a drawn world's `truth/truth.csv` (its expected demand)."""
    truth = read_forecast(Path(world) / "truth" / "truth.csv")
    return compute_requirements(truth, ws.queues, ws.plan.interval_minutes, ws.rules, ws.plan.shrinkage)


def score_against(roster: pd.DataFrame, requirements: pd.DataFrame, ws: Workspace, week: dt.date) -> dict[str, float | None]:
    """`roster` (start/end UTC) scored against `requirements`: phone/chat intervals on target,
    worst email share in time, paid hours and paid hours over the lower bound."""
    coverage = coverage_frame(
        roster, requirements, ws.queues, week, ws.plan.interval_minutes, occupancy=ws.rules.service.max_occupancy
    )
    summary = coverage_summary(coverage)
    hours = paid_hours(roster)
    bound = lower_bound_paid_hours(ws, requirements)
    return {
        "on_target": voice_on_target(summary),
        "email": email_in_time(summary),
        "paid_hours": round(hours, 1),
        "paid_over_bound": round(hours / bound, 3) if bound > 0 else None,
    }
