"""Roster quality and speed on generated worlds and the shipped sample: wfm's optimiser beside the greedy roster.

    .venv/bin/python benchmarks/bench_roster.py                # 350 agents, 120 s
    .venv/bin/python benchmarks/bench_roster.py 1200 600       # 1,200 agents, 10 minutes
    .venv/bin/python benchmarks/bench_roster.py sample 30      # the shipped sample, as `wfm demo`

Prints one table: per roster, the contact-weighted service level and the share of phone/chat
intervals on target (against the forecast used), paid hours and their ratio to the lower bound
(required on-queue agent-hours, email at the occupancy cap, plus the paid break time they
imply), solver objective, bound, gap and seconds, how many hard-rule violations the
independent checker found, and whether the solve was repeatable (its work limits, not the
clock, ended it).
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from scoring import paid_hours

from wfm.check import check_roster
from wfm.forecast import forecast_workspace
from wfm.paths import sample_workspace
from wfm.requirements import compute_requirements
from wfm.roster import RosterResult, SolveSettings, build_roster, greedy_baseline
from wfm.roster.coverage import coverage_summary
from wfm.synth import make_world
from wfm.workspace import Workspace, load_workspace


def lower_bound_hours(requirements: pd.DataFrame, ws: Workspace) -> float:
    """Required on-queue agent-hours (phone/chat at target, email level staffing) plus paid
    breaks: a shift of paid time p carries breaks_for(p) breaks, so on-queue time is at most
    p − breaks; the smallest break share over the allowed lengths gives the lowest bound."""
    hours = float(requirements["agents"].sum()) * ws.plan.interval_minutes / 60
    shares = []
    for length in ws.rules.shifts.lengths_hours:
        paid = ws.rules.paid_hours(length)
        shares.append(ws.rules.breaks_for(length) * ws.rules.breaks.break_minutes / 60 / paid)
    return hours / (1 - min(shares))


def score(name: str, result: RosterResult, ws: Workspace, week: dt.date, bound_hours: float, seconds: float) -> dict[str, object]:
    summary = coverage_summary(result.coverage)
    voice = {q: v for q, v in summary.items() if v["channel"] != "email"}
    contacts = sum(v["contacts"] for v in summary.values())
    hard = [v for v in check_roster(ws, result.roster, week, result.coverage) if not v.soft]
    hours = paid_hours(result.roster)
    solver = result.solver
    return {
        "roster": name,
        "SL all (contact-wtd)": round(sum(v["service_level"] * v["contacts"] for v in summary.values()) / contacts, 4),
        "phone/chat intervals on target": round(sum(v["intervals_meeting_target"] for v in voice.values()) / len(voice), 4),
        "email SL": round(min((v["service_level"] for q, v in summary.items() if v["channel"] == "email"), default=1.0), 4),
        "paid h": round(hours, 1),
        "paid / LB": round(hours / bound_hours, 3),
        "objective": solver.get("objective", ""),
        "bound": solver.get("bound", ""),
        "gap": round(solver["gap"], 4) if "gap" in solver else "",
        "seconds": round(seconds, 1),
        "hard violations": len(hard),
        "repeatable": solver.get("repeatable", ""),
    }


def main() -> None:
    world = sys.argv[1] if len(sys.argv) > 1 else "350"
    limit = float(sys.argv[2]) if len(sys.argv) > 2 else 120.0
    with tempfile.TemporaryDirectory() as folder:
        if world == "sample":
            ws = load_workspace(sample_workspace())
            week = ws.plan_week(None)
        else:
            week = dt.date(2026, 11, 30)
            ws = load_workspace(make_world(Path(folder) / "world", seed=11, agents=int(world), plan_week=week))
        agents = len(ws.agents)
        requirements = compute_requirements(forecast_workspace(ws, week), ws.queues, ws.plan.interval_minutes, ws.rules)
        peak = int(requirements[requirements["channel"] != "email"].groupby("interval_start")["agents"].sum().max())
        bound = lower_bound_hours(requirements, ws)
        print(
            f"{agents} agents, peak {peak} on-queue agents needed (phone+chat),"
            f" paid-hours lower bound {bound:.0f} h, limit {limit:g} s"
        )
        started = time.perf_counter()
        greedy = greedy_baseline(ws, requirements, week)
        rows = [score("greedy", greedy, ws, week, bound, time.perf_counter() - started)]
        started = time.perf_counter()
        ours = build_roster(ws, requirements, week, SolveSettings(time_limit=limit))
        rows.append(score("wfm", ours, ws, week, bound, time.perf_counter() - started))
        print(pd.DataFrame(rows).to_string(index=False))
        stages = ours.solver.get("stages", {})
        print(
            "wfm stages (s):",
            stages,
            "| relaxation:",
            ours.solver.get("relaxation_status"),
            "| candidate / rounded shifts:",
            ours.solver.get("candidate_shifts"),
            "/",
            ours.solver.get("rounded_shifts"),
        )


if __name__ == "__main__":
    main()
