"""A whole SCENARIOS.toml run: every scenario side by side, then every question searched."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time

from wfm.roster import SolveSettings
from wfm.whatif.compare import WhatifResult
from wfm.whatif.jobs import JobOptions
from wfm.whatif.questions import answer_question
from wfm.whatif.runner import Progress, Runner
from wfm.whatif.scenarios import ScenarioFile, check_scenarios
from wfm.workspace import Workspace


def run_whatif(
    ws: Workspace,
    file: ScenarioFile,
    settings: SolveSettings | None = None,
    week: dt.date | None = None,
    seed: int = 0,
    parallel: bool = True,
    ray_address: str | None = None,
    *,
    forecast_model: str | None = None,
    fill_gaps: str | None = None,
    progress: Progress | None = None,
) -> WhatifResult:
    """Every scenario (side by side) and every question (searched) of a SCENARIOS.toml."""
    started = time.perf_counter()
    check_scenarios(file, ws)
    options = JobOptions(ws.plan_week(week), seed, settings or SolveSettings(), forecast_model, fill_gaps)
    cpus = os.cpu_count() or 1
    processes = min(max(len(file.scenario), 2 if file.question else 1), cpus)
    by_name = {s.name: s for s in file.scenario}
    with Runner(ws, options, parallel=parallel, ray_address=ray_address, processes=processes, progress=progress) as runner:
        results = runner.run(file.scenario)
        # Probes only need the service figures: skip the greedy yardstick there.
        runner.options = dataclasses.replace(runner.options, compare_greedy=False)
        answers = [
            answer_question(runner, q, by_name.get(q.scenario) if q.scenario else None, progress=progress) for q in file.question
        ]
        workers, mode = runner.workers_per_solve, runner.mode
    return WhatifResult(
        week=options.week,
        scenarios=list(zip(file.scenario, results, strict=True)),
        answers=answers,
        workers_per_solve=workers,
        mode=mode,
        seconds=round(time.perf_counter() - started, 1),
    )
