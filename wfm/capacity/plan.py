"""The months-ahead plan: demand, supply, the classes to hire, and the capacity folder.

`run_capacity` chains `demand` → `supply` → `hiring` on a loaded workspace and a validated
CAPACITY.toml and returns a `CapacityResult` (values only); `write_capacity` writes
capacity.csv, staffing.csv, hiring.csv, summary.json and report.html through one staging folder
(`wfm.outputs.staged_output`), so a failed run leaves a previous folder intact.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wfm import __version__
from wfm.capacity.config import CapacityConfig, check_capacity, default_start
from wfm.capacity.demand import Demand, build_demand, capacity_frame
from wfm.capacity.hiring import HiringPlan, hiring_problem, short_by_site, solve_hiring
from wfm.capacity.report import build_capacity_report
from wfm.capacity.supply import Supply, build_supply, pessimistic_hours, site_hours, staffing_frame
from wfm.outputs import staged_output, write_json
from wfm.workspace import Workspace

HIRING_COLUMNS = ("class_start", "site", "skills", "size", "on_queue_from")
COVERED_SHORT_SHARE = 0.03
"""A week counts as covered when its short hours are at most this share of its required hours."""
PESSIMISTIC_QUANTILE = 0.1


@dataclass(frozen=True)
class CapacityHeadline:
    """The plan in one line: horizon, required and short hours, weeks covered, hires."""

    start: str  # the first Monday, ISO
    weeks: int
    required_hours: float
    short_hours: float
    short_share: float  # short / required hours
    weeks_covered_after_lead: float | None  # share of the weeks after the lead; None when the lead is the horizon
    hires: int


@dataclass(frozen=True)
class CapacityResult:
    start: dt.date
    demand: Demand
    supply: Supply
    plan: HiringPlan
    capacity: pd.DataFrame  # capacity.csv
    staffing: pd.DataFrame  # staffing.csv
    hiring: pd.DataFrame  # hiring.csv
    available_p10: np.ndarray  # total on-queue hours per week, pessimistic band
    summary: dict[str, Any]  # summary.json

    @property
    def headline(self) -> CapacityHeadline:
        summary = self.summary
        return CapacityHeadline(
            start=summary["horizon"]["start"],
            weeks=summary["horizon"]["weeks"],
            required_hours=summary["required_hours"],
            short_hours=summary["short_hours"],
            short_share=summary["short_share"],
            weeks_covered_after_lead=summary["weeks_covered_after_lead"],
            hires=summary["hires"],
        )


def run_capacity(
    ws: Workspace,
    config: CapacityConfig,
    *,
    model: str | None = None,
    fill_gaps: str | None = None,
    runs: int = 500,
    seed: int = 0,
    source: str = "CAPACITY.toml",
    progress: Callable[[str], None] | None = None,
) -> CapacityResult:
    """Plan the horizon of `config` for workspace `ws` (see the package docstring)."""
    say = progress or (lambda stage: None)
    started = time.perf_counter()
    start = config.horizon.start or default_start(ws)
    check_capacity(config, ws, start, source)
    say("demand")
    demand = build_demand(ws, config, start, model=model, fill_gaps=fill_gaps)
    say("supply")
    supply = build_supply(ws, config)
    say("hiring")
    problem = hiring_problem(supply, demand.required_hours, demand.queues, config)
    plan = solve_hiring(problem)
    say("pessimistic band")
    low_sites, low_total = pessimistic_hours(supply, plan.sizes, runs=runs, seed=seed, quantile=PESSIMISTIC_QUANTILE)
    weeks = [week.isoformat() for week in demand.weeks]
    staffing = staffing_frame(supply, plan.sizes, weeks, short_by_site(plan, problem, len(supply.sites)), low_sites)
    hiring = hiring_frame(supply, plan.sizes, demand.weeks)
    capacity = capacity_frame(demand, plan.short)
    summary = build_summary(
        config, demand, supply, plan, hiring, low_total, runs=runs, seed=seed, seconds=time.perf_counter() - started
    )
    return CapacityResult(start, demand, supply, plan, capacity, staffing, hiring, low_total, summary)


def hiring_frame(supply: Supply, sizes: np.ndarray, weeks: tuple[dt.date, ...]) -> pd.DataFrame:
    """hiring.csv: one row per class, by start week then site."""
    rows = []
    for t, s in sorted(zip(*np.nonzero(sizes.T), strict=True)):
        site = supply.sites[s]
        start = weeks[t]
        rows.append(
            {
                "class_start": start.isoformat(),
                "site": site,
                "skills": "|".join(supply.hire_skills[site]),
                "size": int(sizes[s, t]),
                "on_queue_from": (start + dt.timedelta(days=7 * supply.training_weeks)).isoformat(),
            }
        )
    return pd.DataFrame(rows, columns=list(HIRING_COLUMNS))


def covered_weeks(required: np.ndarray, short: np.ndarray, first: int) -> float | None:
    """Share of weeks from `first` on whose short hours are at most COVERED_SHORT_SHARE of required."""
    need = required[first:].sum(axis=1)
    gap = short[first:].sum(axis=1)
    if need.size == 0:
        return None
    return float(np.mean(gap <= COVERED_SHORT_SHARE * need + 1e-9))


def build_summary(
    config: CapacityConfig,
    demand: Demand,
    supply: Supply,
    plan: HiringPlan,
    hiring: pd.DataFrame,
    available_p10: np.ndarray,
    *,
    runs: int,
    seed: int,
    seconds: float,
) -> dict[str, Any]:
    """summary.json: horizon, totals, first week per queue, sites, classes, solver, band."""
    weeks = len(demand.weeks)
    required = demand.required_hours
    available = site_hours(supply, plan.sizes)
    lead = min(config.hiring.lead_weeks, weeks)
    sites: dict[str, Any] = {}
    for s, site in enumerate(supply.sites):
        today = sum(g.headcount for g in supply.groups if g.site == site)
        sites[site] = {
            "headcount_start": today,
            "hires": int(plan.sizes[s].sum()),
            "monthly_attrition": config.attrition.monthly_at(site),
            "hire_skills": list(supply.hire_skills[site]),
            "available_hours": round(float(available[s].sum()), 1),
        }
    total_required = float(required.sum())
    total_short = float(plan.short.sum())
    return {
        "horizon": {
            "start": demand.weeks[0].isoformat(),
            "weeks": weeks,
            "end": (demand.weeks[-1] + dt.timedelta(days=6)).isoformat(),
        },
        "required_hours": round(total_required, 1),
        "available_hours": round(float(available.sum()), 1),
        "short_hours": round(total_short, 1),
        "short_share": round(total_short / total_required, 4) if total_required > 0 else 0.0,
        "weeks_covered_after_lead": covered_weeks(required, plan.short, lead),
        "covered_means": f"short hours at most {COVERED_SHORT_SHARE:.0%} of required hours",
        "first_week": {
            "week": demand.weeks[0].isoformat(),
            "required_hours": round(float(required[0].sum()), 2),
            "queues": {q: round(float(required[0, j]), 2) for j, q in enumerate(demand.queues)},
        },
        "hires": int(plan.sizes.sum()),
        "classes": hiring.to_dict("records"),
        "sites": sites,
        "pessimistic": {
            "quantile": PESSIMISTIC_QUANTILE,
            "runs": runs,
            "seed": seed,
            "available_hours": round(float(np.sum(available_p10)), 1),
        },
        "solver": {
            "status": plan.status,
            "objective": round(plan.objective, 2),
            "bound": round(plan.bound, 2),
            "seconds": round(plan.seconds, 3),
        },
        "seconds": round(seconds, 3),
        "forecast_models": demand.forecast_models,
        "settings": config.model_dump(mode="json", by_alias=True),
        "wfm_version": __version__,
    }


def write_capacity(result: CapacityResult, out_dir: Path, *, title: str = "wfm capacity plan") -> None:
    """Write the capacity folder through a staging folder (nothing half-written)."""
    page = build_capacity_report(result, title=title)
    with staged_output(Path(out_dir)) as stage:
        result.capacity.to_csv(stage / "capacity.csv", index=False)
        result.staffing.to_csv(stage / "staffing.csv", index=False)
        result.hiring.to_csv(stage / "hiring.csv", index=False)
        write_json(result.summary, stage / "summary.json")
        (stage / "report.html").write_text(page, encoding="utf-8")
